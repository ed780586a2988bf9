package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ShutdownTest {

    @Test
    void applicationStopSendsAJitteredRetryAndClosesEveryStream() {
        TestServer server = TestServer.start();
        SseStream one = SseStream.connect(server.uri("sse/channels/a"), "bob");
        SseStream two = SseStream.connect(server.uri("sse/channels/b"), "carol");
        server.close();
        for (SseStream stream : new SseStream[] {one, two}) {
            stream.awaitEnd();
            Matcher retry = Pattern.compile("event: closing\nretry: (\\d+)\ndata: server stopping\n\n$").matcher(stream.raw());
            assertTrue(retry.find(), stream.raw());
            long millis = Long.parseLong(retry.group(1));
            assertTrue(millis >= 1000 && millis < 5000, "retry " + millis);
            assertNotNull(stream.connectionId());
        }
    }
}
