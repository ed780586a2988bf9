package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.internal.DefaultChannelRegistry;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.SseReaders;
import dev.broadcaster.support.TestServer;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Past {@code broadcaster.max-lag}, a connection that reads but waits for an overloaded server gets one
 * {@code resync} event (reason {@code lagging}) instead of the events it waited for, then the live stream:
 * never silence, never a gap without a resync, never a closed connection. A tiny max-lag and a burst published
 * from Java make the server fall behind on purpose; on a fast machine one burst may be written in time, so bursts follow
 * until the server has fallen behind at least once.
 */
class LagResyncTest {

    static final int CONNECTIONS = 100;
    static final int BURST = 1_000;
    static final int MAX_BURSTS = 20;

    @Test
    void aLaggingReaderGetsResyncInsteadOfTheEventsItWaitedForAndStaysConnected() {
        try (TestServer server = TestServer.builder()
                .config("broadcaster.heartbeat-interval", "5s")
                .config("broadcaster.max-lag", "2ms")
                .start()) {
            ChannelRegistry registry = server.bean(ChannelRegistry.class);
            LongAdder deliveries = new LongAdder(); // broadcasts whose delivery latency was told
            server.bean(DefaultChannelRegistry.class).deliveryLatency().add(nanos -> deliveries.increment());
            try (SseReaders readers = SseReaders.open(server.uri("sse/channels/lag"), "bob", CONNECTIONS)) {
                OverloadTest.awaitNoProgress(readers::connectedCount, CONNECTIONS);
                assertEquals(CONNECTIONS, readers.connectedCount(), "every stream registered");
                String padding = "p".repeat(100);
                int events = 0;
                for (int burst = 0; burst < MAX_BURSTS && registry.stats().lagResyncs() == 0; burst++) {
                    for (int i = 0; i < BURST; i++) {
                        registry.broadcast("lag", SseEvent.named("n", events++ + " " + padding));
                    }
                    int last = events - 1;
                    // every connection ends with the last event: after a resync the live stream goes on
                    OverloadTest.awaitNoProgress(() -> readers.readers().stream().filter(r -> r.last() == last)
                            .count(), CONNECTIONS);
                }
                int published = events;
                RegistryStats stats = registry.stats();
                long resynced = readers.readers().stream().filter(r -> !r.others().isEmpty()).count();
                System.out.printf("lag: %d connections, %d events; %d connections got resync, %d lag resyncs in all,"
                        + " %d evictions%n", CONNECTIONS, published, resynced, stats.lagResyncs(), stats.evictions());
                List<String> problems = readers.readers().stream()
                        .filter(r -> r.last() != published - 1 || r.outOfOrder() > 0 || r.others().stream()
                                .anyMatch(e -> !e.startsWith("resync: {\"channel\":\"lag\",\"reason\":\"lagging\"}")))
                        .limit(5)
                        .map(r -> "last " + r.last() + ", " + r.outOfOrder() + " out of order (" + r.firstProblem()
                                + "), other events " + r.others().stream().limit(3).collect(Collectors.toList()))
                        .toList();
                assertEquals(List.of(), problems, "streams with a gap not announced by resync, or cut short");
                assertTrue(stats.lagResyncs() > 0,
                        "the server fell behind by more than 2 ms in " + published + " events: " + stats);
                assertEquals(resynced, readers.readers().stream().mapToLong(r -> r.others().size()).filter(n -> n > 0)
                        .count());
                assertEquals(readers.readers().stream().mapToLong(r -> r.others().size()).sum(), stats.lagResyncs(),
                        "every lag resync counted");
                assertEquals(0, stats.evictions(), "nobody evicted");
                // dropped frames count down too: every broadcast is told, also those a lag resync replaced
                Eventually.equalTo((long) published, deliveries::sum, "broadcasts with a delivery latency");
                assertEquals(CONNECTIONS, registry.connections("lag").size(), "every connection still open");
            }
        }
    }
}
