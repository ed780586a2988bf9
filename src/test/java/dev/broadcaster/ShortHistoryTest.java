package dev.broadcaster;

import static dev.broadcaster.support.SseStream.data;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.net.URI;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ShortHistoryTest {

    static List<String> numbers(int from, int to) {
        return IntStream.range(from, to).mapToObj(Integer::toString).toList();
    }

    @Test
    void idOlderThanTheHistoryGetsResyncAndARecentOneResumes() {
        try (TestServer small = TestServer.builder().config("broadcaster.history-size", "5").start()) {
            ChannelRegistry smallRegistry = small.bean(ChannelRegistry.class);
            URI uri = small.uri("sse/channels/short-memory");
            try (SseStream keeper = SseStream.connect(uri, "carol")) {
                numbers(0, 20).forEach(n -> smallRegistry.broadcast("short-memory", SseEvent.data(n)));
                List<EventStreamParser.Event> events = keeper.awaitEvents(20);
                try (SseStream late = SseStream.connect(uri, "bob", events.get(2).lastEventId())) {
                    assertEquals("{\"channel\":\"short-memory\",\"reason\":\"expired\"}", late.awaitEvents(1).get(0).data());
                }
                try (SseStream recent = SseStream.connect(uri, "bob", events.get(15).lastEventId())) {
                    assertEquals(numbers(16, 20), data(recent.awaitEvents(4)));
                }
            }
        }
    }

}
