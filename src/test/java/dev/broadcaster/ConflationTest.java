package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.datastar.ElementPatchMode;
import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.support.EventStreamParser.Event;
import dev.broadcaster.support.SlowSseReader;
import dev.broadcaster.support.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A live dashboard (Datastar patches of a few cells, each replacing the cell) published faster than a client on a
 * slow link reads: on a channel that conflates ({@code broadcaster.conflate}), a patch that finds an older one of
 * the same cell still waiting takes its place at the end of the queue, so the slow client stays connected, without
 * resync, and ends with every cell's latest value; on a channel that does not, the same client falls behind until it
 * is evicted or resynced. Both run side by side on one server, with the same publishes and the same reader speed;
 * the figures are printed.
 */
class ConflationTest {

    static final int CELLS = 5;
    static final int UPDATES = 3_000;
    static final String PADDING = "x".repeat(4_000);
    static final Pattern CELL = Pattern.compile("selector #cell-(\\d+)\nmode inner\nelements <span>(\\d+) ");

    @Test
    void aSlowReaderOfAConflatingChannelKeepsUpWithTheLatestOfEveryCellWithoutEvictionOrResync() {
        try (TestServer server = TestServer.builder()
                .config("broadcaster.conflate", "live-*")
                .config("broadcaster.queue-size", "16")
                .config("broadcaster.heartbeat-interval", "5s")
                .start();
             SlowSseReader conflated = SlowSseReader.open(server.uri("sse/channels/live-dashboard"), "bob", 4096,
                     Duration.ofMillis(2));
             SlowSseReader plain = SlowSseReader.open(server.uri("sse/channels/plain-dashboard"), "bob", 4096,
                     Duration.ofMillis(2))) {
            ChannelRegistry registry = server.bean(ChannelRegistry.class);
            awaitConnected(registry, "live-dashboard");
            awaitConnected(registry, "plain-dashboard");

            // 1,000 updates a second of 4 KB each, each cell in turn (4 MB/s), to readers that take at most 2 MB/s
            long started = System.nanoTime();
            for (int i = 0; i < UPDATES; i++) {
                for (String channel : List.of("live-dashboard", "plain-dashboard")) {
                    registry.broadcast(channel, cell(i % CELLS, i));
                }
                LockSupport.parkNanos(started + (i + 1) * 1_000_000L - System.nanoTime());
            }
            long publishedIn = (System.nanoTime() - started) / 1_000_000;

            // the conflating channel's reader ends with every cell's last value, in order per cell (once it has read
            // what the server's socket buffers hold)
            for (int c = 0; c < CELLS; c++) {
                int last = UPDATES - CELLS + c;
                int cell = c;
                conflated.awaitEvent(e -> value(e, cell) == last, "cell " + c + " = " + last, Duration.ofSeconds(30));
            }
            long readIn = (System.nanoTime() - started) / 1_000_000;
            List<Event> received = conflated.events();
            assertFalse(conflated.ended(), "the slow reader of the conflating channel is still connected");
            assertTrue(received.stream().noneMatch(e -> e.type().equals("resync") || e.type().equals("closing")),
                    "no resync, no eviction: " + received.stream().filter(e -> !e.type().startsWith("datastar"))
                            .toList());
            Map<Integer, Integer> lastSeen = new HashMap<>();
            List<Event> patches = new ArrayList<>();
            for (Event event : received) {
                Matcher matcher = CELL.matcher(event.data());
                if (event.type().equals("datastar-patch-elements") && matcher.find()) {
                    int cell = Integer.parseInt(matcher.group(1));
                    int value = Integer.parseInt(matcher.group(2));
                    Integer before = lastSeen.put(cell, value);
                    assertTrue(before == null || before < value, "cell " + cell + ": " + value + " after " + before);
                    patches.add(event);
                }
            }
            RegistryStats stats = registry.stats();
            assertTrue(patches.size() < UPDATES, "some patches were conflated: " + patches.size());
            assertEquals(UPDATES - patches.size(), stats.conflatedEvents(),
                    "every patch the reader did not get was superseded and counted");
            assertTrue(stats.conflatedBytes() > (long) stats.conflatedEvents() * PADDING.length(), stats.toString());

            // the same publishes, the same reader, no conflation: it falls behind and is evicted or resynced
            List<Event> plainReceived = plain.events();
            long plainPatches = plainReceived.stream().filter(e -> e.type().equals("datastar-patch-elements")).count();
            System.out.printf("conflation: %d updates of %d cells published in %d ms to each channel; conflating: the"
                            + " reader had every cell's last value after %d ms, %d patches read (%d KB), %d conflated"
                            + " (%d KB saved), no eviction or resync; plain, by then: %d patches read, %s, %d"
                            + " evictions and %d lag resyncs on the server%n",
                    UPDATES, CELLS, publishedIn, readIn, patches.size(),
                    conflated.bytesRead() / 1024, stats.conflatedEvents(), stats.conflatedBytes() / 1024, plainPatches,
                    plain.ended() ? "its stream ended" : plainReceived.stream().anyMatch(e -> e.type().equals("resync"))
                            ? "it got resync" : "it is still reading old patches",
                    stats.evictions(), stats.lagResyncs());
        }
    }

    /** Cell {@code cell}'s new value {@code value}, a patch of about 1 KB replacing its content. */
    private static PatchElements cell(int cell, int value) {
        return PatchElements.of("<span>" + value + " " + PADDING + "</span>").withSelector("#cell-" + cell)
                .withMode(ElementPatchMode.INNER);
    }

    /** The value {@code event} gives {@code cell}, or -1. */
    private static int value(Event event, int cell) {
        Matcher matcher = CELL.matcher(event.data());
        return matcher.find() && Integer.parseInt(matcher.group(1)) == cell ? Integer.parseInt(matcher.group(2)) : -1;
    }

    private static void awaitConnected(ChannelRegistry registry, String channel) {
        dev.broadcaster.support.Eventually.equalTo(1, () -> registry.connections(channel).size(),
                "the reader of " + channel + " registered");
    }
}
