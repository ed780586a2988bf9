package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.SseEvent;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A server shutting down may stop its managed executors long before it destroys the application
 * (Open Liberty does so when quiesce starts, and quiesce waits for open requests). The first task the
 * executor refuses must close every stream with its {@code closing} event, and nothing may throw.
 */
class ExecutorStopTest {

    @Test
    void whenTheExecutorStopsTakingTasksEveryStreamGetsClosingAndEnds() {
        try (TestServer server = TestServer.start()) {
            DefaultChannelRegistry registry = server.bean(DefaultChannelRegistry.class);
            try (SseStream one = SseStream.connect(server.uri("sse/channels/quiesce"), "bob");
                 SseStream two = SseStream.connect(server.uri("sse/channels/quiesce-2"), "carol")) {
                registry.workers().executor().shutdownNow();
                assertEquals(1, registry.broadcast("quiesce", SseEvent.data("last words")));
                for (SseStream stream : new SseStream[] {one, two}) {
                    stream.awaitEnd();
                    assertTrue(Pattern.compile("event: closing\nretry: \\d+\ndata: server stopping\n\n$")
                            .matcher(stream.raw()).find(), stream.raw());
                }
                assertTrue(one.raw().contains("data: last words\n\n"), one.raw());
                // the streams end while the stopping thread is still closing the others: removal follows
                Eventually.equalTo(0, registry::connectionCount, "every connection removed");
            }
        }
    }
}
