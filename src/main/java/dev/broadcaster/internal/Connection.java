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
 * executor, so a publisher never waits for this connection's socket. When the stream ends for any reason
 * other than a deliberate close, {@link Listener#gone} is called exactly once.
 *
 * <p>Falling behind has two causes, told apart here. A connection is <em>slow</em> when its own write does
 * not complete: a write in progress for longer than the send timeout (the replay timeout for the greeting and
 * replay), or a backlog over {@code queue-size}/{@code queue-bytes} while a write of its own has been in
 * progress for half the send timeout (as the watchdog saw it). A slow connection is evicted. A connection whose writes complete
 * but which waits for the server (the executor is behind a burst) is <em>lagging</em>: it keeps queueing
 * (frames are shared between connections, so a backlog costs references), and once its oldest waiting event
 * is older than {@code max-lag}, or its backlog exceeds {@code queue-bytes}, what it waits for is dropped and
 * one {@code resync} event (reason {@code lagging}) takes its place; it is never closed for lagging.
 *
 * <p>Locks: the connection's monitor guards the backlog and its counters; writes happen outside it. The
 * watchdog fields are read and written by the one watchdog thread.
 */
final class Connection {

    /** Told when a connection ended by itself: the client left, or it was evicted. */
    interface Listener {
        void gone(Connection connection, boolean evicted);
    }

    /**
     * Limits of one connection's backlog.
     *
     * @param replayTimeoutNanos how long one greeting or replay write may be seen in progress
     * @param slowAfterNanos how long the watchdog must have seen a write of its own in progress for a full backlog
     *                       to evict
     * @param maxLagNanos the age of its oldest waiting event past which a lagging connection gets {@code resync}
     * @param lagResynced told each time a lagging connection's backlog is replaced by {@code resync}
     */
    record Limits(int maxEvents, long maxBytes, long sendTimeoutNanos, Frame evictionHint, long replayTimeoutNanos,
                  long slowAfterNanos, long maxLagNanos, Runnable lagResynced) {

        Limits(int maxEvents, long maxBytes, long sendTimeoutNanos, Frame evictionHint) {
            this(maxEvents, maxBytes, sendTimeoutNanos, evictionHint, sendTimeoutNanos, sendTimeoutNanos / 2,
                    Long.MAX_VALUE, () -> { });
        }
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
    private final ArrayDeque<Object> backlog = new ArrayDeque<>(); // guarded by this
    private final QueuedTimes queuedAt = new QueuedTimes(); // when each live event waiting was queued; guarded by this
    private long backlogBytes; // of live frames only; guarded by this
    private int backlogEvents; // live events (not comments such as heartbeats), what queue-size bounds; guarded by this
    private int exemptAtHead; // frames queued by deliverAll before any live one, not counted in the limits; guarded by this
    private boolean draining = true; // held until start(), so nothing is written before registration; guarded by this
    private boolean closing; // guarded by this
    private boolean ended; // guarded by this
    private volatile boolean sinkClosed; // written by the thread that closes the sink
    private volatile long writeStartedNanos; // written by the draining thread, read by the watchdog
    // the greeting and replay are written with the longer replay timeout: the first write on a cold server can
    // take longer than a short send timeout, and a connection that was just accepted has not fallen behind
    private volatile long writeDeadlineNanos;
    private volatile long lastWriteDoneNanos = System.nanoTime();
    private volatile long lastQueuedNanos = System.nanoTime();
    private Frame queuedResync; // the lag resync waiting in the backlog, if any; guarded by this
    private long skipUpTo; // clustered events at or before this position were replayed already (guarded by this)
    // written by the watchdog thread only; read by deliver to tell a slow connection from a lagging one
    private volatile long watchedWrite; // start of the write the watchdog saw last
    private volatile long watchedNanos; // how long the watchdog has seen that write in progress

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
     * Queues a live frame; false if the connection is closing. A frame that finds the backlog full evicts a
     * slow connection; a lagging one keeps queueing, or gets {@code resync} instead of what it waits for.
     */
    boolean deliver(Frame frame) {
        synchronized (this) {
            if (closing) {
                return false;
            }
            if (frame.position() != 0 && frame.position() <= skipUpTo) {
                return true; // in the replay this connection started with
            }
            long now = System.nanoTime();
            boolean overEvents = frame.event() != null && backlogEvents >= limits.maxEvents();
            boolean overBytes = backlogBytes + frame.size() > limits.maxBytes();
            if ((overEvents || overBytes) && slowLocked(now)) {
                evictLocked();
            } else {
                if (overBytes || (queuedAt.size() > 0 && now - queuedAt.oldest() > limits.maxLagNanos())) {
                    resyncLaggingLocked(now);
                }
                enqueueLocked(frame, now);
                return true;
            }
        }
        evicted("backlog full");
        return false;
    }

    /**
     * Whether the write watchdog has seen a write of this connection's own in progress for at least
     * {@code slowAfterNanos} (half the send timeout): time it observed while running, so a thread of the server that
     * was merely not scheduled (a loaded CPU, a GC) does not make a reading client look slow.
     */
    private boolean slowLocked(long now) {
        long started = writeStartedNanos;
        return started != 0 && started == watchedWrite && watchedNanos >= limits.slowAfterNanos();
    }

    /**
     * The connection waits for the server, not for its client, and has fallen too far behind: drops the live
     * frames it waits for (not a replay still being written) and queues one {@code resync} event instead, with
     * the id of the last event dropped, so a reconnect resumes after it.
     */
    private void resyncLaggingLocked(long now) {
        String lastId = null;
        int keep = exemptAtHead;
        int index = 0;
        ArrayDeque<Object> kept = new ArrayDeque<>();
        for (Object item : backlog) {
            if (index++ < keep) {
                kept.add(item);
            } else if (item instanceof Frame frame && frame.event() != null && frame.event().id() != null) {
                lastId = frame.event().id();
            }
        }
        backlog.clear();
        backlog.addAll(kept);
        backlogBytes = 0;
        backlogEvents = 0;
        queuedAt.clear();
        boolean replacesOne = queuedResync != null; // one resync still waiting: this one takes its place
        queuedResync = ControlEvents.resync(info.channel(), lastId, ControlEvents.Reason.LAGGING);
        enqueueLocked(queuedResync, now);
        if (!replacesOne) {
            limits.lagResynced().run();
        }
    }

    /**
     * How long its oldest waiting live event has waited (0: none waits): more than the send timeout means
     * the connection is lagging behind the server.
     */
    synchronized long lagNanos(long now) {
        return queuedAt.size() == 0 ? 0 : now - queuedAt.oldest();
    }

    /** Whether its oldest waiting event has waited longer than the send timeout. */
    boolean lagging(long now) {
        return lagNanos(now) > limits.sendTimeoutNanos();
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
            enqueueLocked(lastFrame, System.nanoTime());
        }
        closing = true;
        enqueueLocked(CLOSE, System.nanoTime());
    }

    /** Whether its sink was closed (by the library, after its last frame, or because the client left). */
    boolean sinkClosed() {
        return sinkClosed;
    }

    /**
     * Ends the stream now without writing what is still queued (a stop whose budget for last writes is over):
     * the sink is closed on the calling thread, which may block as long as a write to this client does.
     */
    void abort() {
        synchronized (this) {
            closing = true;
            dropBacklogLocked();
        }
        closeSink();
    }

    /**
     * Called by the write watchdog every {@code tickNanos}: evicts the connection once its current write has
     * been seen in progress for longer than its deadline (the send timeout; the replay timeout for the
     * greeting and replay). Only time the watchdog itself observed counts, at most one tick per call, so a
     * pause of the whole server (a GC, a starved CPU) that delays the watchdog as much as the write is not
     * blamed on the client. Called from one thread only.
     */
    void checkWriteTimeout(long now, long tickNanos) {
        long started = writeStartedNanos;
        if (started == 0) {
            watchedWrite = 0;
            return;
        }
        if (started != watchedWrite) {
            watchedWrite = started;
            watchedNanos = Math.min(now - started, tickNanos);
        } else {
            watchedNanos += tickNanos;
        }
        boolean replay = writeDeadlineNanos != limits.sendTimeoutNanos();
        if (watchedNanos <= writeDeadlineNanos) {
            return;
        }
        synchronized (this) {
            if (closing) {
                return;
            }
            evictLocked();
        }
        evicted(replay ? "greeting or replay write not completed within the replay timeout"
                : "write not completed within the send timeout");
    }

    /**
     * Called by the heartbeat timer: evicts the connection if a write of its own is in progress and no write
     * has completed for {@code limitNanos} (two heartbeat intervals, at least the replay timeout), whatever the
     * watchdog saw. A connection
     * with no write in progress waits for the server, not for its client, and is left alone.
     */
    void checkProgress(long now, long limitNanos) {
        synchronized (this) {
            if (closing || writeStartedNanos == 0 || now - lastWriteDoneNanos <= limitNanos) {
                return;
            }
            evictLocked();
        }
        evicted("no write progress for two heartbeat intervals");
    }

    private void enqueueLocked(Object item, long now) {
        backlog.add(item);
        if (item instanceof Frame frame) {
            backlogBytes += frame.size();
            if (frame.event() != null) {
                backlogEvents++;
                queuedAt.add(now);
            }
        }
        lastQueuedNanos = now;
        if (!draining) {
            draining = true;
            workers.execute(drainTask);
        }
    }

    /** Drops the backlog; writes the eviction hint if no write is stuck, otherwise closes at once. */
    private void evictLocked() {
        closing = true;
        dropBacklogLocked();
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
            boolean exempt;
            synchronized (this) {
                item = backlog.poll();
                if (item == null) {
                    draining = false;
                    return;
                }
                exempt = exemptAtHead > 0;
                if (exempt) {
                    exemptAtHead--;
                } else if (item instanceof Frame frame) {
                    backlogBytes -= frame.size();
                    if (frame.event() != null) {
                        backlogEvents--;
                        queuedAt.poll();
                    }
                    if (frame == queuedResync) {
                        queuedResync = null;
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
                writeDeadlineNanos = exempt ? limits.replayTimeoutNanos() : limits.sendTimeoutNanos();
                writeStartedNanos = System.nanoTime();
                written = toFuture(workers.send(sink, containerView.apply((Frame) item)));
            } catch (RuntimeException e) {
                writeStartedNanos = 0;
                lost();
                return;
            }
            if (!written.isDone()) {
                written.whenComplete((ignored, failure) -> {
                    lastWriteDoneNanos = System.nanoTime();
                    writeStartedNanos = 0;
                    if (failure != null) {
                        lost();
                    } else {
                        workers.execute(drainTask);
                    }
                });
                return;
            }
            lastWriteDoneNanos = System.nanoTime();
            writeStartedNanos = 0;
            if (written.isCompletedExceptionally()) {
                lost();
                return;
            }
        }
    }

    /** Forgets everything queued and its accounting (the connection is ending). Called holding this. */
    private void dropBacklogLocked() {
        backlog.clear();
        backlogBytes = 0;
        backlogEvents = 0;
        exemptAtHead = 0;
        queuedAt.clear();
    }

    /** A write failed: the client went away (or the connection was evicted meanwhile). */
    private void lost() {
        synchronized (this) {
            closing = true;
            dropBacklogLocked();
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
        sinkClosed = true;
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

    /** When each live event of the backlog was queued, oldest first: a ring of {@code long}s (guarded by the connection). */
    private static final class QueuedTimes {
        private long[] times = new long[16];
        private int head;
        private int size;

        int size() {
            return size;
        }

        long oldest() {
            return times[head];
        }

        void add(long nanos) {
            if (size == times.length) {
                long[] grown = new long[times.length * 2];
                for (int i = 0; i < size; i++) {
                    grown[i] = times[(head + i) % times.length];
                }
                times = grown;
                head = 0;
            }
            times[(head + size) % times.length] = nanos;
            size++;
        }

        void poll() {
            if (size > 0) {
                head = (head + 1) % times.length;
                size--;
            }
        }

        void clear() {
            head = 0;
            size = 0;
            if (times.length > 64) {
                times = new long[16];
            }
        }
    }
}
