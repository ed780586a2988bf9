package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.SseEvent;
import dev.broadcaster.support.RawSseClient;
import dev.broadcaster.support.SseReaders;
import dev.broadcaster.support.TestServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A server that quiesces stops its executors first (Open Liberty does, long before it destroys the application).
 * The library must notice at once, not when its next task (a heartbeat, here a minute away) is refused, close
 * every stream with {@code closing} on its own {@code broadcaster-stop} thread, and bound the last writes to
 * 500 ms: clients that do not read must not hold the stop.
 */
class StopDetectionTest {

    static final int READING = 50;
    static final int STALLED = 50;

    @Test
    void whenTheExecutorStopsEveryReadingStreamGetsClosingAtOnceAndTheStopIsNotHeldByClientsThatDoNotRead() {
        TestServer server = TestServer.builder()
                .config("broadcaster.heartbeat-interval", "60s")
                // the stalled readers stay connected, their writes blocked, until the stop
                .config("broadcaster.send-timeout", "60s")
                .config("broadcaster.replay-timeout", "60s")
                .config("broadcaster.queue-bytes", "64MiB")
                .start();
        List<RawSseClient> stalled = new ArrayList<>();
        boolean closed = false;
        try {
            DefaultChannelRegistry registry = server.bean(DefaultChannelRegistry.class);
            URI uri = server.uri("sse/channels/quiesce");
            try (SseReaders reading = SseReaders.open(uri, "bob", READING)) {
                for (int i = 0; i < STALLED; i++) {
                    stalled.add(RawSseClient.stalled(uri, "carol"));
                }
                FanOutQueueBoundTest.OverloadAwait.until(() -> registry.connectionCount() == READING + STALLED
                        && reading.connectedCount() == READING, "all subscribed");
                String large = "x".repeat(60_000);
                for (int i = 0; i < 40; i++) { // 2.4 MB: the stalled readers' buffers fill up and their writes block
                    registry.broadcast("quiesce", SseEvent.named("n", i + " " + large));
                }
                int last = 39;
                FanOutQueueBoundTest.OverloadAwait.until(() -> reading.readers().stream()
                        .allMatch(r -> r.last() == last), "the reading half got every event");

                long start = System.nanoTime();
                registry.workers().executor().shutdown(); // as a quiescing server does; nothing is published after
                FanOutQueueBoundTest.OverloadAwait.until(() -> reading.readers().stream().allMatch(r -> r.ended()),
                        "every reading stream ended");
                Duration ended = Duration.ofNanos(System.nanoTime() - start);
                for (SseReaders.Reader reader : reading.readers()) {
                    assertEquals(1, reader.others().size(), reader.others().toString());
                    assertTrue(reader.others().get(0).equals("closing: server stopping"), reader.others().toString());
                }
                long stopStart = System.nanoTime();
                server.close();
                closed = true;
                Duration stop = Duration.ofNanos(System.nanoTime() - stopStart);
                System.out.printf("stop-detection: %d reading streams got closing and ended %d ms after the executor"
                                + " stopped (heartbeat 60 s); the application and HTTP server then stopped in %d ms"
                                + " with %d clients not reading%n", READING, ended.toMillis(), stop.toMillis(),
                        STALLED);
                assertTrue(stop.compareTo(Duration.ofSeconds(5)) < 0, "the stop took " + stop.toMillis() + " ms");
            }
        } finally {
            stalled.forEach(RawSseClient::close);
            if (!closed) {
                server.close();
            }
        }
    }
}
