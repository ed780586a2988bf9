package dev.broadcaster.internal;

import dev.broadcaster.SseEvent;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

/** The encoder's JAX-RS form of one event, for {@link SseEvent#toOutbound}. */
public final class Outbound {

    private Outbound() {
    }

    /** The JAX-RS event for {@code event}. */
    public static OutboundSseEvent of(SseEvent event, Sse sse) {
        return SseEncoder.toOutbound(SseEncoder.encode(event), sse);
    }
}
