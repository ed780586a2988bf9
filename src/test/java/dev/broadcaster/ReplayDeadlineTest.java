package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser.Event;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A replay is bounded in bytes ({@code broadcaster.max-replay-bytes}): a client whose replay would be too large
 * gets {@code resync}, never silence. (The replay's write deadline is shown by {@code ReplayWatchdogTest} and, over
 * HTTP with clients that never read, by the Open Liberty suite's {@code ReplayDeadlineIT}: on Jersey the frames a
 * sink takes before the response is committed are written later by the container's thread, out of the library's
 * sight, so an in-process test of it would measure Grizzly.)
 */
class ReplayDeadlineTest {

    static final String LARGE = "x".repeat(60 * 1024 - 100);

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
}
