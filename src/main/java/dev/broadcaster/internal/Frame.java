package dev.broadcaster.internal;

import dev.broadcaster.SseEvent;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

/**
 * One encoded SSE frame (an event or a comment), shared by every connection it is sent to.
 * Built only by {@link SseEncoder}; its JAX-RS form is created once and reused.
 */
final class Frame {

    private final SseEvent event;
    private final String comment;
    private final byte[] wireBytes;
    private volatile OutboundSseEvent outbound;

    Frame(SseEvent event, String comment, byte[] wireBytes) {
        this.event = event;
        this.comment = comment;
        this.wireBytes = wireBytes;
    }

    SseEvent event() {
        return event;
    }

    String comment() {
        return comment;
    }


    /** The bytes an EventSource reads for this frame, ending with the blank line. */
    byte[] wireBytes() {
        return wireBytes.clone();
    }

    int size() {
        return wireBytes.length;
    }

    /** The JAX-RS event for this frame, created on first use with {@code sse}. */
    OutboundSseEvent outbound(Sse sse) {
        OutboundSseEvent result = outbound;
        if (result == null) {
            result = SseEncoder.toOutbound(this, sse);
            outbound = result;
        }
        return result;
    }
}
