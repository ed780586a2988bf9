package dev.broadcaster.cluster.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.SseEvent;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What one node writes on the bus is read back the same by every other, whatever the event's data holds. */
class BusMessageTest {

    @Test
    void anEventMessageCarriesEveryFieldAndDataWithNewlinesAndTabs() {
        SseEvent event = new SseEvent("chat", null, Duration.ofSeconds(3), "line one\n\tline two\n");
        String text = BusMessage.eventHead("node1", 42, "room:7", Set.of("c1")) + "1763856000000-3" + "\n"
                + BusMessage.eventBody(event);
        BusMessage message = BusMessage.parse(text);
        assertEquals('E', message.kind());
        assertEquals("node1", message.node());
        assertEquals(List.of("42", "room:7", "c1", "1763856000000-3"), message.fields());
        assertEquals(event.withId("1763856000000-3"), BusMessage.event(message.body(), "1763856000000-3"));
    }

    @Test
    void anUnnamedEventWithoutRetryComesBackUnnamedWithoutRetry() {
        SseEvent event = SseEvent.data("{\"a\":1}");
        assertEquals(event, BusMessage.event(BusMessage.eventBody(event), null));
    }

    @Test
    void aDisconnectCarriesAUserNameWithATab() {
        BusMessage message = BusMessage.parse(BusMessage.disconnect("n", "lobby", "odd\tuser"));
        assertEquals('D', message.kind());
        assertEquals("lobby", message.field(0));
        assertEquals("odd\tuser", message.body());
    }

    @Test
    void excludedConnectionsRoundTrip() {
        assertEquals(Set.of(), BusMessage.exclude(""));
        assertEquals(Set.of("a", "b"), BusMessage.exclude("a,b"));
    }

    @Test
    void streamIdsOrderAsTheirPositions() {
        assertTrue(RedisEngine.position("1763856000000-1") < RedisEngine.position("1763856000000-2"));
        assertTrue(RedisEngine.position("1763856000000-99") < RedisEngine.position("1763856000001-0"));
    }

    @Test
    void somethingElseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> BusMessage.parse("hello"));
    }
}
