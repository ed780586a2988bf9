package dev.broadcaster.internal;

import dev.broadcaster.SseEvent;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Type;

/**
 * One encoded SSE frame (an event or a comment), shared by every connection it is sent to. Built
 * only by {@link SseEncoder}. It is its own JAX-RS event: a container writes it from the
 * {@link OutboundSseEvent} getters, which yield the same bytes. On Jersey and RESTEasy a view is sent
 * instead ({@link #forJersey()}, {@link #forResteasy()}) that has the container write the pre-encoded
 * bytes rather than serialise the event again for every connection.
 *
 * <p><b>Delivery latency.</b> A broadcast's frame may be {@linkplain #track tracked}: it then counts the connections
 * it is queued to ({@link #queued}) and those done with it ({@link #finished}: written, or dropped unsent), and
 * tells its {@link Latencies} the time from {@code track} to the last of them. One atomic operation per queueing and
 * per finish, nothing allocated; a frame that is not tracked costs a field read.
 */
final class Frame implements OutboundSseEvent {

    private static final VarHandle PENDING;
    /** Added by each queueing: one more connection holds it (low half) and one more was reached (high half). */
    private static final long QUEUED = (1L << 32) + 1;

    static {
        try {
            PENDING = MethodHandles.lookup().findVarHandle(Frame.class, "pending", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SseEvent event;
    private final String comment;
    private final byte[] wireBytes;
    private final long position; // place in its channel's cluster-wide order; 0 when not a clustered event
    private final int idLineStart; // where its "id:" line starts in wireBytes, -1 if it has none
    private final int idLineEnd; // just after that line's LF
    private volatile JerseyFrame forJersey;
    private volatile OutboundSseEvent forResteasy;
    private volatile Conflation conflation; // computed on first use, the same by any thread
    // tracked broadcasts only: set by track before the frame is handed to any connection, read after PENDING
    private Latencies latency;
    private long trackedSinceNanos;
    @SuppressWarnings("unused") // through PENDING
    private volatile long pending; // low half: holders (connections and the fan-out); high half: connections reached

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

    /**
     * Measures this broadcast's delivery from {@code nowNanos}: {@code latency} is told when the fan-out is over
     * ({@link #fannedOut}) and every connection it was queued to has finished with it. Called once, before the
     * fan-out.
     */
    void track(Latencies latency, long nowNanos) {
        this.latency = latency;
        this.trackedSinceNanos = nowNanos;
        PENDING.setVolatile(this, 1L); // the fan-out's own hold
    }

    /** A connection queued this frame as a live event (counted only if tracked). */
    void queued() {
        if (latency != null) {
            PENDING.getAndAdd(this, QUEUED);
        }
    }

    /** A connection that {@linkplain #queued queued} it wrote it, failed to, or dropped it unsent. */
    void finished() {
        if (latency != null) {
            release();
        }
    }

    /** As {@link #finished} if {@code item} is a frame (a connection's backlog holds other items too). */
    static void finish(Object item) {
        if (item instanceof Frame frame) {
            frame.finished();
        }
    }

    /** The fan-out queued this frame to every connection it goes to. */
    void fannedOut() {
        if (latency != null) {
            release();
        }
    }

    private void release() {
        long left = (long) PENDING.getAndAdd(this, -1L) - 1;
        if ((int) left == 0 && left != 0) { // no holder left, and some connection was reached
            latency.record(System.nanoTime() - trackedSinceNanos);
        }
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
