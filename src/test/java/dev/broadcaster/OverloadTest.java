package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseReaders;
import dev.broadcaster.support.TestServer;
import java.net.URI;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A publisher faster than the server's fan-out must not cost healthy clients their connection: 1,000
 * connections that read as fast as they can, and a burst of 400 events of 500 bytes published back to back
 * over HTTP (with the default {@code queue-size} of 100). Every connection receives every event, in order,
 * and none is evicted: a connection that waits for the server is lagging, not slow.
 */
class OverloadTest {

    static final int CONNECTIONS = 1_000;
    static final int EVENTS = 400;

    @Test
    void aBurstFasterThanTheFanOutReachesEveryReadingConnectionInOrder() {
        try (TestServer server = TestServer.builder().config("broadcaster.heartbeat-interval", "5s")
                // a thousand tabs of one user: past the default per-user limit of 100
                .config("broadcaster.max-connections-per-user", String.valueOf(CONNECTIONS)).start()) {
            ChannelRegistry registry = server.bean(ChannelRegistry.class);
            URI channel = server.uri("sse/channels/burst");
            try (SseReaders readers = SseReaders.open(channel, "bob", CONNECTIONS)) {
                // on a loaded 2-core machine, opening a thousand streams may take longer than Eventually's 10 s
                awaitNoProgress(readers::connectedCount, CONNECTIONS);
                assertEquals(CONNECTIONS, readers.connectedCount(), "every stream registered");
                String padding = "p".repeat(480);
                long start = System.nanoTime();
                for (int i = 0; i < EVENTS; i++) {
                    String json = "{\"type\":\"event\",\"event\":\"n\",\"data\":\"" + i + " " + padding + "\"}";
                    var response = HttpCalls.postJson(channel, "alice", json);
                    assertEquals(202, response.statusCode(), response.body());
                }
                long published = System.nanoTime();
                long total = awaitNoProgress(readers::numberedTotal, (long) CONNECTIONS * EVENTS);
                long lost = (long) CONNECTIONS * EVENTS - total;
                RegistryStats stats = registry.stats();
                System.out.printf("overload: %d connections, %d events of ~500 bytes published in %d ms"
                                + " (%.0f events/s); delivered %d of %d (lost %d) %d ms after the first publish;"
                                + " evictions %d%n", CONNECTIONS, EVENTS, (published - start) / 1_000_000,
                        EVENTS * 1e9 / (published - start), total, (long) CONNECTIONS * EVENTS, lost,
                        (System.nanoTime() - start) / 1_000_000, stats.evictions());
                List<String> problems = readers.readers().stream()
                        .filter(r -> r.numbered() != EVENTS || r.outOfOrder() > 0 || !r.others().isEmpty())
                        .limit(5)
                        .map(r -> r.numbered() + " in order, " + r.outOfOrder() + " out of order ("
                                + r.firstProblem() + "), other events " + r.others().stream()
                                .map(s -> s.length() > 80 ? s.substring(0, 80) : s).collect(Collectors.toList()))
                        .toList();
                assertEquals(List.of(), problems, "streams that did not get all " + EVENTS + " events in order");
                assertEquals(0, lost, "deliveries lost");
                assertEquals(0, stats.evictions(), "evictions");
                assertEquals(CONNECTIONS, registry.connections("burst").size(), "connections still open");
            }
        }
    }

    /** Waits until {@code count} reaches {@code expected} or stays the same for 10 s; returns the count. */
    static long awaitNoProgress(LongSupplier count, long expected) {
        long last = -1;
        long lastChange = System.nanoTime();
        while (true) {
            long now = count.getAsLong();
            if (now >= expected) {
                return now;
            }
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > 10_000_000_000L) {
                return now;
            }
            try {
                Thread.sleep(50); // polling interval of a deadline-bound wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
