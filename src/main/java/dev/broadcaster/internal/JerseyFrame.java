package dev.broadcaster.internal;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.lang.reflect.Type;

/**
 * A {@link Frame} as sent to Jersey's event sink. Jersey looks up a message body writer for every
 * event it writes and ends every event with a LF of its own, so {@link FrameWriter} writes the frame's
 * pre-encoded bytes without their last LF. Without {@link FrameWriter} registered, Jersey's own
 * writer writes it from the getters, which give the frame's fields.
 */
final class JerseyFrame implements OutboundSseEvent {

    private final Frame frame;

    JerseyFrame(Frame frame) {
        this.frame = frame;
    }

    Frame frame() {
        return frame;
    }

    /** True if {@code sink} is Jersey's, whose writes end with an event delimiter of their own. */
    static boolean isJerseySink(Object sink) {
        return sink.getClass().getName().startsWith("org.glassfish.jersey.");
    }

    @Override
    public String getName() {
        return frame.getName();
    }

    @Override
    public String getId() {
        return frame.getId();
    }

    @Override
    public String getComment() {
        return frame.getComment();
    }

    @Override
    public long getReconnectDelay() {
        return frame.getReconnectDelay();
    }

    @Override
    public boolean isReconnectDelaySet() {
        return frame.isReconnectDelaySet();
    }

    @Override
    public Class<?> getType() {
        return frame.getType();
    }

    @Override
    public Type getGenericType() {
        return frame.getGenericType();
    }

    @Override
    public MediaType getMediaType() {
        return frame.getMediaType();
    }

    @Override
    public Object getData() {
        return frame.getData();
    }
}
