package dev.broadcaster.internal;

import dev.broadcaster.ConnectionInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One SSE stream. Frames are queued and written in order, one write at a time, on the library's
 * executor, so a publisher never waits for this connection's socket. The queue is bounded (events
 * and bytes); a connection that overflows it, or whose write does not complete in time, is evicted.
 * When the stream ends for any reason other than a deliberate close, {@link Listener#gone} is called
 * exactly once.
 */
final class Connection {

    /** Told when a connection ended by itself: the client left, or it was evicted. */
    interface Listener {
        void gone(Connection connection, boolean evicted);
    }

    /** Limits of one connection's backlog. */
    record Limits(int maxEvents, long maxBytes, long sendTimeoutNanos, Frame evictionHint) {
    }

    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    private static final Object CLOSE = new Object();

    private final ConnectionInfo info;
    private final SseEventSink sink;
    private final Function<Frame, OutboundSseEvent> containerView; // what this sink's container writes fastest
    private final Workers workers;
    private final Runnable drainTask = this::drain;
    private final Limits limits;
    private final Listener listener;
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    private long backlogBytes; // of live frames only
    private int backlogEvents; // live events (not comments such as heartbeats): what queue-size bounds
    private int exemptAtHead; // frames queued by deliverAll before any live frame: not counted against the limits
    private boolean draining = true; // held until start(): nothing is written before the connection is registered
    private boolean closing;
    private boolean ended;
    private volatile long writeStartedNanos;
    // the greeting and replay are written without a deadline: the first write on a cold server can take
    // longer than a short send timeout, and a connection that was just accepted has not fallen behind
    private volatile boolean writeHasDeadline;
    private volatile long lastQueuedNanos = System.nanoTime();
    private long skipUpTo; // clustered events at or before this position were replayed already (guarded by this)
    private long watchedWrite; // start of the write the watchdog saw last (watchdog thread only)
    private long watchedNanos; // how long the watchdog has seen that write in progress

    Connection(ConnectionInfo info, SseEventSink sink, Workers workers, Limits limits, Listener listener) {
        this.info = info;
        this.sink = sink;
        this.containerView = JerseyFrame.isJerseySink(sink) ? Frame::forJersey
                : ResteasyFrame.isResteasySink(sink) ? Frame::forResteasy : frame -> frame;
        this.workers = workers;
        this.limits = limits;
        this.listener = listener;
    }

    ConnectionInfo info() {
        return info;
    }

    String id() {
        return info.id();
    }

    String user() {
        return info.user();
    }

    long lastQueuedNanos() {
        return lastQueuedNanos;
    }

    /** Starts writing the frames queued so far and any later ones. */
    void start() {
        workers.execute(drainTask);
    }

    /**
     * Queues a live frame; false if the connection is closing. A frame that would overflow the
     * backlog evicts the connection instead.
     */
    boolean deliver(Frame frame) {
        synchronized (this) {
            if (closing) {
                return false;
            }
            if (frame.position() != 0 && frame.position() <= skipUpTo) {
                return true; // in the replay this connection started with
            }
            if ((frame.event() != null && backlogEvents >= limits.maxEvents()) || backlogBytes + frame.size() > limits.maxBytes()) {
                evictLocked();
            } else {
                enqueueLocked(frame);
                return true;
            }
        }
        evicted("backlog full");
        return false;
    }

    /**
     * Queues frames that must all be written (greeting, replay, resync), whatever the backlog limits.
     * Called only while the connection is being set up, before any live frame.
     */
    synchronized void deliverAll(List<Frame> frames) {
        if (!closing) {
            frames.forEach(frame -> {
                backlog.add(frame);
                exemptAtHead++;
            });
            lastQueuedNanos = System.nanoTime();
        }
    }

    /** Clustered events up to {@code position} were in this connection's replay: live copies of them are skipped. */
    synchronized void skipUpTo(long position) {
        skipUpTo = position;
    }

    /** Closes the stream after the frames already queued have been written (kill, disconnect). */
    synchronized void close() {
        closeAfter(null);
    }

    /** Writes {@code lastFrame} (e.g. a retry hint) after the queued frames, then closes. */
    synchronized void closeAfter(Frame lastFrame) {
        if (closing) {
            return;
        }
        if (lastFrame != null) {
            enqueueLocked(lastFrame);
        }
        closing = true;
        enqueueLocked(CLOSE);
    }

    /**
     * Called by the write watchdog every {@code tickNanos}: evicts the connection once its current write has
     * been seen in progress for longer than the send timeout. Only time the watchdog itself observed counts,
     * at most one tick per call, so a pause of the whole server (a GC, a starved CPU) that delays the
     * watchdog as much as the write is not blamed on the client. Called from one thread only.
     */
    void checkWriteTimeout(long now, long tickNanos) {
        long started = writeStartedNanos;
        if (started == 0 || !writeHasDeadline) {
            watchedWrite = 0;
            return;
        }
        if (started != watchedWrite) {
            watchedWrite = started;
            watchedNanos = Math.min(now - started, tickNanos);
        } else {
            watchedNanos += tickNanos;
        }
        if (watchedNanos <= limits.sendTimeoutNanos()) {
            return;
        }
        synchronized (this) {
            if (closing) {
                return;
            }
            evictLocked();
        }
        evicted("write not completed within the send timeout");
    }

    private void enqueueLocked(Object item) {
        backlog.add(item);
        if (item instanceof Frame frame) {
            backlogBytes += frame.size();
            if (frame.event() != null) {
                backlogEvents++;
            }
        }
        lastQueuedNanos = System.nanoTime();
        if (!draining) {
            draining = true;
            workers.execute(drainTask);
        }
    }

    /** Drops the backlog; writes the eviction hint if no write is stuck, otherwise closes at once. */
    private void evictLocked() {
        closing = true;
        backlog.clear();
        backlogBytes = 0;
        backlogEvents = 0;
        exemptAtHead = 0;
        if (writeStartedNanos == 0) {
            backlog.add(limits.evictionHint());
            backlog.add(CLOSE);
            if (!draining) {
                draining = true;
                workers.execute(drainTask);
            }
        } else {
            workers.execute(this::closeSink);
        }
    }

    private void drain() {
        while (true) {
            Object item;
            boolean deadline;
            synchronized (this) {
                item = backlog.poll();
                if (item == null) {
                    draining = false;
                    return;
                }
                deadline = exemptAtHead == 0;
                if (exemptAtHead > 0) {
                    exemptAtHead--;
                } else if (item instanceof Frame frame) {
                    backlogBytes -= frame.size();
                    if (frame.event() != null) {
                        backlogEvents--;
                    }
                }
            }
            if (item == CLOSE) {
                closeSink();
                return;
            }
            CompletableFuture<?> written;
            try {
                if (sink.isClosed()) {
                    lost();
                    return;
                }
                writeHasDeadline = deadline;
                writeStartedNanos = System.nanoTime();
                written = toFuture(workers.send(sink, containerView.apply((Frame) item)));
            } catch (RuntimeException e) {
                writeStartedNanos = 0;
                lost();
                return;
            }
            if (!written.isDone()) {
                written.whenComplete((ignored, failure) -> {
                    writeStartedNanos = 0;
                    if (failure != null) {
                        lost();
                    } else {
                        workers.execute(drainTask);
                    }
                });
                return;
            }
            writeStartedNanos = 0;
            if (written.isCompletedExceptionally()) {
                lost();
                return;
            }
        }
    }

    /** A write failed: the client went away (or the connection was evicted meanwhile). */
    private void lost() {
        synchronized (this) {
            closing = true;
            backlog.clear();
            backlogBytes = 0;
            exemptAtHead = 0;
            draining = false;
        }
        closeSink();
        reportGone(false);
    }

    /** Reports an eviction (once: {@link #evictLocked} runs at most once, as it marks the connection closing). */
    private void evicted(String reason) {
        LOG.log(System.Logger.Level.INFO, () -> "Evicted connection " + id() + " of user '" + user() + "' on channel '"
                + info.channel() + "': " + reason);
        reportGone(true);
    }

    private void reportGone(boolean evicted) {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
        }
        listener.gone(this, evicted);
    }

    private void closeSink() {
        try {
            workers.close(sink);
        } catch (RuntimeException e) {
            // already closed by the client or the container
        }
    }

    private static CompletableFuture<?> toFuture(CompletionStage<?> stage) {
        try {
            return stage.toCompletableFuture();
        } catch (UnsupportedOperationException e) {
            CompletableFuture<Object> future = new CompletableFuture<>();
            stage.whenComplete((value, failure) -> {
                if (failure != null) {
                    future.completeExceptionally(failure);
                } else {
                    future.complete(value);
                }
            });
            return future;
        }
    }
}
