package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser.Event;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import dev.broadcaster.support.TestUsers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The greeting and replay of a new connection are written with a deadline ({@code broadcaster.replay-timeout}),
 * and a replay is bounded in bytes ({@code broadcaster.max-replay-bytes}): a client that asks for a large
 * history and never reads is evicted, and one whose replay would be too large gets {@code resync}, never silence.
 */
class ReplayDeadlineTest {

    static final int STALLED = 20;
    static final String LARGE = "x".repeat(60 * 1024 - 100);

    @Test
    void clientsThatAskForALargeHistoryAndNeverReadAreEvictedWithinTheReplayTimeout() {
        try (TestServer server = TestServer.builder()
                .config("broadcaster.replay-timeout", "3s")
                .config("broadcaster.heartbeat-interval", "1s")
                .start()) {
            ChannelRegistry registry = server.bean(ChannelRegistry.class);
            URI uri = server.uri("sse/channels/archive");
            try (SseStream keeper = SseStream.connect(uri, "bob")) { // keeps the channel and its history
                for (int i = 0; i < 50; i++) { // at a pace the keeper follows (more than queue-bytes at once is a resync)
                    registry.broadcast("archive", SseEvent.named("big", i + " " + LARGE));
                    keeper.awaitEvents(i + 1);
                }
                List<Socket> stalled = new ArrayList<>();
                try {
                    for (int i = 0; i < STALLED; i++) {
                        stalled.add(stalledReader(server.uri("sse/channels/archive?history=50"), "carol"));
                    }
                    Eventually.equalTo(STALLED + 1, () -> registry.connections("archive").size(), "all subscribed");
                    long start = System.nanoTime();
                    // each replay is about 3 MB: far more than the server and the client buffer, so it never completes
                    Eventually.equalTo(List.of("bob"), () -> registry.users("archive"),
                            "the stalled readers evicted while their replay is in progress");
                    System.out.printf("replay-deadline: %d stalled readers of a 3 MB replay evicted %d ms after all"
                            + " had connected%n", STALLED, (System.nanoTime() - start) / 1_000_000);
                    assertEquals(STALLED, registry.stats().evictions());
                    registry.broadcast("archive", SseEvent.named("big", "after"));
                    keeper.awaitData("after");
                } finally {
                    stalled.forEach(ReplayDeadlineTest::close);
                }
            }
        }
    }

    @Test
    void aReplayLargerThanMaxReplayBytesIsAResyncInstead() {
        try (TestServer server = TestServer.builder().config("broadcaster.max-replay-bytes", "200KiB").start()) {
            ChannelRegistry registry = server.bean(ChannelRegistry.class);
            URI uri = server.uri("sse/channels/bounded");
            try (SseStream keeper = SseStream.connect(uri, "bob")) {
                for (int i = 0; i < 10; i++) {
                    registry.broadcast("bounded", SseEvent.named("big", i + " " + LARGE));
                    keeper.awaitEvents(i + 1);
                }
                String lastId = keeper.lastEventId();
                String thirdId = keeper.events().get(2).lastEventId();
                // three events (180 KB) fit: they are replayed
                try (SseStream small = SseStream.connect(server.uri("sse/channels/bounded?history=3"), "carol")) {
                    List<Event> replay = small.awaitEvents(3);
                    assertEquals(List.of("big", "big", "big"), replay.stream().map(Event::type).toList());
                    assertTrue(replay.get(2).data().startsWith("9 "));
                }
                // ten (600 KB) do not: resync, with the latest id, and then the live stream
                try (SseStream large = SseStream.connect(server.uri("sse/channels/bounded?history=10"), "carol")) {
                    Event first = large.awaitEvents(1).get(0);
                    assertEquals("resync", first.type());
                    assertEquals("{\"channel\":\"bounded\",\"reason\":\"too-large\"}", first.data());
                    assertEquals(lastId, first.lastEventId());
                    registry.broadcast("bounded", SseEvent.named("big", "live"));
                    assertEquals("live", large.awaitEvents(2).get(1).data());
                }
                // a resume that would replay seven events (420 KB) is a resync too
                try (SseStream resumed = SseStream.connect(uri, "carol", thirdId)) {
                    Event first = resumed.awaitEvents(1).get(0);
                    assertEquals("resync", first.type());
                    assertEquals("{\"channel\":\"bounded\",\"reason\":\"too-large\"}", first.data());
                }
                assertEquals(2, registry.stats().resyncs());
            }
        }
    }

    /** Subscribes with a tiny receive window and never reads a byte. */
    static Socket stalledReader(URI uri, String user) {
        try {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
            String request = "GET " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                    + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Accept: text/event-stream\r\n"
                    + "Authorization: " + HttpCalls.basic(user, TestUsers.password(user)) + "\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
