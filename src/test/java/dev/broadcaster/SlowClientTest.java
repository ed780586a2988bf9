package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.RawSseClient;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlowClientTest {

    static final String PADDING = "x".repeat(16 * 1024);

    @Test
    void slowClientIsEvictedAndOthersStillReceiveEverythingInOrder() {
        evictsTheStalledReaderWhileOthersReceiveEverything(TestServer.builder());
    }

    @Test
    void writeThatDoesNotCompleteWithinTheSendTimeoutEvictsEvenWithRoomInTheQueue() {
        // queue limits far beyond what the test publishes: only the send timeout can evict
        evictsTheStalledReaderWhileOthersReceiveEverything(TestServer.builder()
                .config("broadcaster.queue-size", "1000000")
                .config("broadcaster.queue-bytes", "1024MiB")
                .config("broadcaster.send-timeout", "300ms"));
    }

    private static void evictsTheStalledReaderWhileOthersReceiveEverything(TestServer.Builder builder) {
        try (TestServer server = builder.start()) {
            ChannelRegistry registry = server.bean(ChannelRegistry.class);
            var uri = server.uri("sse/channels/busy");
            try (RawSseClient stalled = RawSseClient.stalled(uri, "carol");
                 SseStream a = SseStream.connect(uri, "bob");
                 SseStream b = SseStream.connect(uri, "dave")) {
                Eventually.equalTo(3, () -> registry.connections("busy").size(), "three subscribers");
                List<String> expected = new ArrayList<>();
                // publish at a pace the healthy readers follow, until the stalled one has been evicted, then a bit more
                int afterEviction = 0;
                for (int batch = 0; batch < 200 && afterEviction < 5; batch++) {
                    for (int i = 0; i < 10; i++) {
                        String data = expected.size() + " " + PADDING;
                        expected.add(data);
                        registry.broadcast("busy", SseEvent.named("n", data));
                    }
                    a.awaitEvents(expected.size());
                    b.awaitEvents(expected.size());
                    if (registry.stats().evictions() > 0) {
                        afterEviction++;
                    }
                }
                for (SseStream healthy : List.of(a, b)) {
                    assertEquals(expected, healthy.events().stream().map(EventStreamParser.Event::data).toList());
                }
                // an eviction noticed while publishing (under the channel's lock) is counted at once and leaves the
                // channel on the executor, after the writes queued before it
                Eventually.equalTo(List.of("bob", "dave"), () -> registry.users("busy"), "the stalled reader was evicted");
                assertEquals(1, registry.stats().evictions());
            }
        }
    }
}
