package dev.broadcaster.internal;

import dev.broadcaster.SseEvent;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Type;

/**
 * One encoded SSE frame (an event or a comment), shared by every connection it is sent to. Built
 * only by {@link SseEncoder}. It is its own JAX-RS event: a container writes it from the
 * {@link OutboundSseEvent} getters, which yield the same bytes. On Jersey and RESTEasy a view is sent
 * instead ({@link #forJersey()}, {@link #forResteasy()}) that has the container write the pre-encoded
 * bytes rather than serialise the event again for every connection.
 */
final class Frame implements OutboundSseEvent {

    private final SseEvent event;
    private final String comment;
    private final byte[] wireBytes;
    private final long position; // place in its channel's cluster-wide order; 0 when not a clustered event
    private final int idLineStart; // where its "id:" line starts in wireBytes, -1 if it has none
    private final int idLineEnd; // just after that line's LF
    private volatile JerseyFrame forJersey;
    private volatile OutboundSseEvent forResteasy;
    private volatile Conflation conflation; // computed on first use, the same by any thread

    Frame(SseEvent event, String comment, byte[] wireBytes) {
        this(event, comment, wireBytes, 0, -1, -1);
    }

    Frame(SseEvent event, byte[] wireBytes, int idLineStart, int idLineEnd) {
        this(event, null, wireBytes, 0, idLineStart, idLineEnd);
    }

    private Frame(SseEvent event, String comment, byte[] wireBytes, long position, int idLineStart, int idLineEnd) {
        this.event = event;
        this.comment = comment;
        this.wireBytes = wireBytes;
        this.position = position;
        this.idLineStart = idLineStart;
        this.idLineEnd = idLineEnd;
    }

    /** The same frame at {@code position} in its channel's cluster-wide order. */
    Frame at(long newPosition) {
        return new Frame(event, comment, wireBytes, newPosition, idLineStart, idLineEnd);
    }

    /** What this frame supersedes in the backlog of a conflating channel's connection ({@link Conflation}). */
    Conflation conflation() {
        Conflation known = conflation;
        if (known == null) {
            known = Conflation.of(event);
            conflation = known;
        }
        return known;
    }

    /** Where its {@code id:} line starts in its bytes, -1 if it has none (for {@link SseEncoder#withId}). */
    int idLineStart() {
        return idLineStart;
    }

    /** Just after its {@code id:} line's LF. */
    int idLineEnd() {
        return idLineEnd;
    }

    long position() {
        return position;
    }

    SseEvent event() {
        return event;
    }

    /** The bytes an EventSource reads for this frame, ending with the blank line. */
    byte[] wireBytes() {
        return wireBytes.clone();
    }

    /** The same frame for Jersey's sink, created once and shared by every connection. */
    JerseyFrame forJersey() {
        JerseyFrame view = forJersey;
        if (view == null) {
            view = new JerseyFrame(this);
            forJersey = view;
        }
        return view;
    }

    /** The same frame for RESTEasy's sink ({@link ResteasyFrame}), created once and shared. */
    OutboundSseEvent forResteasy() {
        OutboundSseEvent view = forResteasy;
        if (view == null) {
            view = ResteasyFrame.of(this);
            forResteasy = view;
        }
        return view;
    }

    /** The frame's bytes themselves, for the container views of this package: never to be modified. */
    byte[] wireBytesUnsafe() {
        return wireBytes;
    }

    /** Writes the frame's bytes but its final LF: Jersey's sink writes that itself after every event. */
    void writeUnterminatedTo(OutputStream out) throws IOException {
        out.write(wireBytes, 0, wireBytes.length - 1);
    }

    int size() {
        return wireBytes.length;
    }

    @Override
    public String getName() {
        return event == null ? null : event.name();
    }

    @Override
    public String getId() {
        if (event == null && comment == null) { // an id:-only frame (SseEncoder.idOnly): "id: <id>\n\n"
            return new String(wireBytes, 4, wireBytes.length - 6, java.nio.charset.StandardCharsets.UTF_8);
        }
        return event == null ? null : event.id();
    }

    @Override
    public String getComment() {
        return comment;
    }

    @Override
    public long getReconnectDelay() {
        return event == null || event.retry() == null ? RECONNECT_NOT_SET : event.retry().toMillis();
    }

    @Override
    public boolean isReconnectDelaySet() {
        return getReconnectDelay() != RECONNECT_NOT_SET;
    }

    @Override
    public Class<?> getType() {
        return event == null ? null : String.class;
    }

    @Override
    public Type getGenericType() {
        return getType();
    }

    @Override
    public MediaType getMediaType() {
        return MediaType.TEXT_PLAIN_TYPE;
    }

    /** The data as one string, lines joined by LF (no CR: the container splits it again on LF). */
    @Override
    public Object getData() {
        return event == null ? null : event.data();
    }
}
