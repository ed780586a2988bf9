package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.broadcaster.SseEvent;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.Map;
import org.glassfish.jersey.media.sse.OutboundEvent;
import org.junit.jupiter.api.Test;

/** How a broadcaster view turns a JAX-RS event into the library's: what it keeps, what it refuses. */
class ChannelSseBroadcasterTest {

    @Test
    void nameReconnectDelayAndStringDataAreKeptTheIdIsLeftToTheChannel() {
        SseEvent event = ChannelSseBroadcaster.toEvent(new OutboundEvent.Builder().name("chat").id("app-7")
                .reconnectDelay(2500).data("two\nlines").build());
        assertEquals(new SseEvent("chat", null, Duration.ofMillis(2500), "two\nlines"), event);
    }

    @Test
    void dataOfAJsonMediaTypeIsSerialisedWithJsonB() {
        SseEvent event = ChannelSseBroadcaster.toEvent(new OutboundEvent.Builder()
                .mediaType(MediaType.APPLICATION_JSON_TYPE).data(Map.class, Map.of("count", 42)).build());
        assertEquals("{\"count\":42}", event.data());
    }

    @Test
    void commentsEventsWithoutDataAndOtherDataAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ChannelSseBroadcaster.toEvent(
                new OutboundEvent.Builder().comment("ping").build()));
        assertThrows(IllegalArgumentException.class, () -> ChannelSseBroadcaster.toEvent(
                new OutboundEvent.Builder().comment("note").data("text").build()));
        assertThrows(IllegalArgumentException.class, () -> ChannelSseBroadcaster.toEvent(
                new OutboundEvent.Builder().name("empty").data("").build()));
        assertThrows(IllegalArgumentException.class, () -> ChannelSseBroadcaster.toEvent(
                new OutboundEvent.Builder().mediaType(MediaType.TEXT_PLAIN_TYPE).data(Integer.class, 42).build()));
    }
}
