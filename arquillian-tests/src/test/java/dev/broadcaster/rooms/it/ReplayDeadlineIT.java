package dev.broadcaster.rooms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.rooms.it.support.Server;
import dev.broadcaster.rooms.it.support.StalledSockets;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Clients that ask for {@code ?history=50} of large messages and never read: the server buffers their replay
 * (on Open Liberty outside the Java heap), so they must be evicted by the replay deadline
 * ({@code broadcaster.replay-timeout}, 5 s by default) instead of holding that memory until they leave.
 *
 * <p>Open Liberty only: on Payara (Jersey) the sink's writes complete at once, whether the client reads or not,
 * so the library never sees a write in progress and cannot apply the deadline (seen: 0 of 10 evicted after 90 s).
 * What Payara buffers for such a client is bounded by its own HTTP listener settings, not by the library.
 */
class ReplayDeadlineIT extends DeployedRooms {

    static final int STALLED = 10;

    @Test
    void clientsThatAskForALargeHistoryAndNeverReadAreEvicted() throws Exception {
        Assumptions.assumeTrue(Server.liberty(), "on Jersey (Payara) the library cannot observe a replay write");
        String channel = Server.room("replay");
        URI stream = uri("sse/channels/" + channel);
        try (SseStream keeper = SseStream.connect(stream, "bob")) { // holds the channel and its history
            String large = "x".repeat(60_000);
            for (int i = 0; i < 50; i++) {
                String json = "{\"type\":\"event\",\"event\":\"big\",\"data\":\"" + i + " " + large + "\"}";
                var response = HttpCalls.send(HttpRequest.newBuilder(stream).header("Authorization", HttpCalls.basic("alice"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build());
                assertEquals(202, response.statusCode(), response.body());
                int received = i + 1;
                keeper.awaitEvent(e -> e.data().startsWith((received - 1) + " "), "event " + i);
            }
            long evictionsBefore = evictions();
            try (StalledSockets stalled = StalledSockets.open(URI.create(stream + "?history=50"), "carol", STALLED)) {
                long start = System.nanoTime();
                // a replay write may hold a server thread until the eviction: the stalled clients may register one
                // after another, so wait for their evictions rather than for all of them to be registered at once
                awaitEvictions(evictionsBefore + STALLED, Duration.ofSeconds(90));
                awaitUsers(channel, 1, Duration.ofSeconds(30));
                long took = (System.nanoTime() - start) / 1_000_000;
                Server.record(STALLED + " clients asking ?history=50 of 60 KB events and never reading were evicted "
                        + took + " ms after all had connected");
                // without a replay deadline they stay (the review saw them registered after 120 s); with it they
                // go after replay-timeout (5 s) of observed write time, later when the server's threads are starved
                assertTrue(took < 60_000, "evicted after " + took + " ms");
            }
        }
    }

    private void awaitEvictions(long count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long now = -1;
        while (System.nanoTime() < deadline) {
            try {
                now = evictions();
            } catch (java.io.UncheckedIOException e) {
                continue; // a loaded server may answer this admin call late while it holds the stalled replays
            }
            if (now == count) {
                return;
            }
            Thread.sleep(100); // polling interval of a deadline-bound wait
        }
        throw new AssertionError("expected " + count + " evictions in all, still " + now);
    }

    private long evictions() throws Exception {
        var response = HttpCalls.get(uri("sse/status"), "alice");
        assertEquals(200, response.statusCode(), response.body());
        Matcher evictions = Pattern.compile("\"evictions\":(\\d+)").matcher(response.body());
        assertTrue(evictions.find(), response.body());
        return Long.parseLong(evictions.group(1));
    }

    /** Waits until the channel lists {@code count} connections (GET /sse/channels/{c}/users as an admin). */
    private void awaitUsers(String channel, int count, Duration timeout) throws Exception {
        URI users = uri("sse/channels/" + channel + "/users");
        long deadline = System.nanoTime() + timeout.toNanos();
        int now = -1;
        while (System.nanoTime() < deadline) {
            java.net.http.HttpResponse<String> response;
            try {
                response = HttpCalls.get(users, "alice");
            } catch (java.io.UncheckedIOException e) {
                // a loaded server may answer this admin call late while it holds the stalled replays: ask again
                continue;
            }
            Matcher list = Pattern.compile("\"users\":\\[([^\\]]*)\\]").matcher(response.body());
            assertTrue(list.find(), response.body());
            now = list.group(1).isBlank() ? 0 : list.group(1).split(",").length;
            if (now == count) {
                return;
            }
            Thread.sleep(100); // polling interval of a deadline-bound wait
        }
        throw new AssertionError("channel " + channel + ": expected " + count + " connections, still " + now);
    }
}
