package dev.broadcaster.internal;

import dev.broadcaster.SseEvent;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

/** The encoder's JAX-RS form of one event, for {@link SseEvent#toOutbound}. */
public final class Outbound {

    private Outbound() {
    }

    /** The JAX-RS event for {@code event}; {@code sse} is not needed, the frame is its own event. */
    public static OutboundSseEvent of(SseEvent event, Sse sse) {
        return SseEncoder.encode(event);
    }
}
