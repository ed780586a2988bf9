package dev.broadcaster.internal;

import dev.broadcaster.ConnectionEvictedException;
import dev.broadcaster.ConnectionInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.LongConsumer;

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
 * <p>A stream of several channels ({@code GET /sse/stream?channel=a&channel=b}) is one connection that is a member of
 * each: its frames are tagged with their channel's index in the stream, and each event's {@code id:} is replaced,
 * as it is written, by the stream's id ({@link StreamIds}): every channel's last event written so far, so one
 * {@code Last-Event-ID} resumes them all. It starts with an {@code id:}-only frame of every channel's position at
 * its join, so a reconnect before its first event misses nothing either. Leaving one of its channels (a kill or
 * disconnect of that channel) keeps it open on the others.
 *
 * <p>Locks: the connection's monitor guards the backlog and its counters; writes happen outside it. The
 * watchdog fields are read and written by the one watchdog thread. {@code tokens} (a multi-channel stream's
 * position per channel) is set while the connection is set up, before {@link #start}, then only by the draining
 * task (one at a time, handed over under the monitor).
 */
final class Connection {

    /** Told when a connection ended by itself: the client left, or it was evicted. */
    interface Listener {
        void gone(Connection connection, boolean evicted);
    }

    /**
     * Told once when the connection's sink is closed, for any reason, on the thread that closed it: {@code error}
     * is the failure of the write that ended it, a {@link ConnectionEvictedException} if it was evicted, or null
     * (closed by the library, e.g. a kill, or the stream ended cleanly).
     */
    interface Ending {
        Ending NONE = error -> { };

        void ended(Throwable error);
    }

    /**
     * Limits of one connection's backlog.
     *
     * @param replayTimeoutNanos how long one greeting or replay write may be seen in progress
     * @param slowAfterNanos how long the watchdog must have seen a write of its own in progress for a full backlog
     *                       to evict
     * @param maxLagNanos the age of its oldest waiting event past which a lagging connection gets {@code resync}
     * @param lagResynced told each time a lagging connection's backlog is replaced by {@code resync}
     * @param conflated told the size of each waiting event a newer one of a conflating channel made useless
     */
    record Limits(int maxEvents, long maxBytes, long sendTimeoutNanos, Frame evictionHint, long replayTimeoutNanos,
                  long slowAfterNanos, long maxLagNanos, Runnable lagResynced, LongConsumer conflated) {

        Limits(int maxEvents, long maxBytes, long sendTimeoutNanos, Frame evictionHint) {
            this(maxEvents, maxBytes, sendTimeoutNanos, evictionHint, sendTimeoutNanos, sendTimeoutNanos / 2,
                    Long.MAX_VALUE, () -> { });
        }

        /** Limits that count no conflation. */
        Limits(int maxEvents, long maxBytes, long sendTimeoutNanos, Frame evictionHint, long replayTimeoutNanos,
               long slowAfterNanos, long maxLagNanos, Runnable lagResynced) {
            this(maxEvents, maxBytes, sendTimeoutNanos, evictionHint, replayTimeoutNanos, slowAfterNanos, maxLagNanos,
                    lagResynced, bytes -> { });
        }
    }

    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    private static final Object CLOSE = new Object();
    /** At most this many bytes of frames waiting one after another are written together (one flush). */
    static final int MAX_JOINED_BYTES = 32 * 1024;
    /** A write that takes longer than this (10 ms; healthy ones take microseconds) marks its connection as blocking. */
    static final long BLOCKED_WRITE = Workers.STUCK_AFTER.toNanos() / 2;
    /** Written as an {@code id:}-only frame of the stream's position (multi-channel streams). */
    private static final Object STREAM_POSITION = new Object();

    /**
     * A frame in the backlog with its channel's index in the stream (-1: none) and whether it is exempt from the
     * limits (greeting, catch-up, presence on join: queued while the connection is set up). Live frames of a
     * single-channel stream are queued bare.
     */
    private record Tagged(Object item, int channel, boolean exempt) {
    }

    /** Which frames waiting one after another a sink's container can take as one event ({@link #drain}). */
    private enum Joins { ANY, LEADING_FIELD, NONE }

    private final ConnectionInfo info;
    private final SseEventSink sink;
    private final Function<Frame, OutboundSseEvent> containerView; // what this sink's container writes fastest
    private final Joins joins; // which frames this sink's container can take together as one event
    private final Workers workers;
    private final Runnable drainTask = this::drain;
    private final Limits limits;
    private final Listener listener;
    private final ArrayDeque<Object> backlog = new ArrayDeque<>(4); // grows as needed; guarded by this
    private final List<String> channels; // the stream's channels, in its order
    private final boolean multi; // a stream of several channels (GET /sse/stream): its ids are stream ids
    private final String[] tokens; // multi: each channel's position written so far (see the class comment); else null
    private final boolean[] left; // per channel: it is no longer a member of it; guarded by this
    private final long[] skipUpTo; // per channel: clustered events at or before it were replayed already; guarded by this
    private final Frame[] queuedResync; // per channel: the lag resync waiting in the backlog, if any; guarded by this
    private volatile int tabs = 1; // browser tabs this stream serves (client.js shares one stream between tabs)
    private final QueuedTimes queuedAt = new QueuedTimes(); // when each live event waiting was queued; guarded by this
    private long backlogBytes; // of live frames only; guarded by this
    private int backlogEvents; // live events (not comments such as heartbeats), what queue-size bounds; guarded by this
    private boolean draining = true; // held until start(), so nothing is written before registration; guarded by this
    private boolean closing; // guarded by this
    private boolean ended; // guarded by this
    private volatile boolean sinkClosed; // written by the thread that closes the sink
    private volatile Ending ending = Ending.NONE; // set before start()
    private volatile Throwable writeFailure; // the failure of the write that ended it, if one did
    private volatile String evictedBecause; // why it was evicted, if it was
    private boolean endingTold; // guarded by this
    private volatile long writeStartedNanos; // written by the draining thread, read by the watchdog
    // the greeting and replay are written with the longer replay timeout: the first write on a cold server can
    // take longer than a short send timeout, and a connection that was just accepted has not fallen behind
    private volatile long writeDeadlineNanos;
    private volatile long lastWriteDoneNanos = System.nanoTime();
    private volatile boolean blockedOnce; // a write of its took longer than BLOCKED_WRITE: drained alone, aside, since
    private volatile long lastQueuedNanos = System.nanoTime();
    // written by the watchdog thread only; read by deliver to tell a slow connection from a lagging one
    private volatile long watchedWrite; // start of the write the watchdog saw last
    private volatile long watchedNanos; // how long the watchdog has seen that write in progress

    Connection(ConnectionInfo info, SseEventSink sink, Workers workers, Limits limits, Listener listener) {
        this(info, List.of(info.channel()), false, sink, workers, limits, listener);
    }

    /**
     * A connection to {@code channels}; {@code multi}: a stream of several channels (even if it names one), whose
     * ids are stream ids.
     */
    Connection(ConnectionInfo info, List<String> channels, boolean multi, SseEventSink sink, Workers workers,
               Limits limits, Listener listener) {
        this.info = info;
        this.channels = List.copyOf(channels);
        this.multi = multi;
        this.tokens = multi ? new String[channels.size()] : null;
        if (multi) {
            Arrays.fill(tokens, "");
        }
        this.left = new boolean[channels.size()];
        this.skipUpTo = new long[channels.size()];
        this.queuedResync = new Frame[channels.size()];
        this.sink = sink;
        boolean jersey = JerseyFrame.isJerseySink(sink);
        boolean resteasy = !jersey && ResteasyFrame.isResteasySink(sink);
        this.containerView = jersey ? Frame::forJersey : resteasy ? Frame::forResteasy : frame -> frame;
        this.joins = jersey ? Joins.ANY : resteasy ? Joins.LEADING_FIELD : Joins.NONE;
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

    /** The stream's channels, in its order. */
    List<String> channels() {
        return channels;
    }

    /** Whether it is a stream of several channels, with stream ids. */
    boolean multi() {
        return multi;
    }

    /** The browser tabs it serves (1 unless a shared stream reported more). */
    int tabs() {
        return tabs;
    }

    void tabs(int count) {
        tabs = count;
    }

    /** This connection's info as a member of {@code channel}. */
    ConnectionInfo infoOn(String channel) {
        return channel.equals(info.channel()) ? info
                : new ConnectionInfo(info.id(), channel, info.user(), info.connectedAt());
    }

    /** The channels it is still a member of, in its order. */
    synchronized List<String> memberships() {
        List<String> still = new ArrayList<>(channels.size());
        for (int i = 0; i < left.length; i++) {
            if (!left[i]) {
                still.add(channels.get(i));
            }
        }
        return still;
    }

    /** It is no longer a member of {@code channel}; true if it is a member of none now. */
    synchronized boolean leave(String channel) {
        int index = channels.indexOf(channel);
        if (index >= 0) {
            left[index] = true;
        }
        for (boolean gone : left) {
            if (!gone) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sets where this multi-channel stream starts on {@code channel}: the id of the channel's last event before its
     * live events reach it (null: none). Called while the connection is set up, before {@link #start}.
     */
    synchronized void startsAt(String channel, String channelId) {
        int index = channels.indexOf(channel);
        if (multi && index >= 0 && channelId != null) {
            tokens[index] = StreamIds.token(channelId);
        }
    }

    /** Queues the stream's position as an {@code id:}-only frame (multi-channel streams, while set up). */
    synchronized void deliverPosition() {
        if (multi && !closing) {
            backlog.add(new Tagged(STREAM_POSITION, -1, true));
        }
    }

    private int indexOf(String channel) {
        List<String> names = channels;
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i) == channel) {
                return i;
            }
        }
        return names.indexOf(channel);
    }

    /** Tells {@code watcher} when the connection's sink is closed (set before {@link #start}). */
    void endingTo(Ending watcher) {
        ending = watcher;
    }

    /** Starts writing the frames queued so far and any later ones. */
    void start() {
        workers.execute(drainTask);
    }

    /** Whether nothing is queued or being written (started, and its drain task has ended). */
    synchronized boolean idle() {
        return !draining && backlog.isEmpty();
    }

    /**
     * Queues a live frame; false if the connection is closing. A frame that finds the backlog full evicts a
     * slow connection; a lagging one keeps queueing, or gets {@code resync} instead of what it waits for.
     */
    boolean deliver(Frame frame) {
        return deliver(-1, frame);
    }

    /**
     * As {@link #deliver(Frame)}; if this starts the connection's drain, the drain task is added to {@code starts}
     * (a heartbeat's, handed to the executor several to a task) instead of being handed to the executor alone.
     */
    boolean deliver(Frame frame, DrainStarts starts) {
        return deliver(-1, frame, false, starts);
    }

    /** As {@link #deliver(Frame)}, for a frame of {@code channel} (a member channel of this connection). */
    boolean deliver(String channel, Frame frame) {
        return deliver(channel, frame, false);
    }

    /**
     * As {@link #deliver(String, Frame)}; with {@code conflate} (the channel conflates), first drops the frames of
     * that channel still waiting that {@code frame} supersedes ({@link Conflation}).
     */
    boolean deliver(String channel, Frame frame, boolean conflate) {
        return deliver(multi ? indexOf(channel) : 0, frame, conflate, null);
    }

    /**
     * As {@link #deliver(String, Frame, boolean)}, for a fan-out: if this starts the connection's drain, the drain
     * task is added to {@code starts} (which the fan-out hands to the executor, several to a task) instead of being
     * handed to the executor alone.
     */
    boolean deliver(String channel, Frame frame, boolean conflate, DrainStarts starts) {
        return deliver(multi ? indexOf(channel) : 0, frame, conflate, starts);
    }

    private boolean deliver(int channel, Frame frame) {
        return deliver(channel, frame, false, null);
    }

    private boolean deliver(int channel, Frame frame, boolean conflate, DrainStarts starts) {
        synchronized (this) {
            if (closing) {
                return false;
            }
            if (channel >= 0 && frame.position() != 0 && frame.position() <= skipUpTo[channel]) {
                return true; // in the replay this connection started with
            }
            if (conflate && backlogEvents > 0 && frame.conflation() != Conflation.NONE) {
                dropSupersededLocked(channel, frame.conflation());
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
                enqueueLocked(live(channel, frame), frame, now, starts);
                return true;
            }
        }
        evicted("backlog full");
        return false;
    }

    /**
     * Drops the live frames of {@code channel} waiting in the backlog that {@code newer} supersedes (not those being
     * replayed, and not a lag resync), with their place in the counts and in {@link #queuedAt}.
     */
    private void dropSupersededLocked(int channel, Conflation newer) {
        int live = 0; // index among the live events waiting, as queuedAt holds their times
        for (Iterator<Object> items = backlog.iterator(); items.hasNext(); ) {
            Object item = items.next();
            boolean exempt = item instanceof Tagged tagged && tagged.exempt();
            int itemChannel = item instanceof Tagged tagged ? tagged.channel() : multi ? -1 : 0;
            Object waiting = item instanceof Tagged tagged ? tagged.item() : item;
            if (exempt || !(waiting instanceof Frame queued) || queued.event() == null) {
                continue;
            }
            if (itemChannel == channel && queued != queuedResync[channel] && newer.supersedes(queued.conflation())) {
                items.remove();
                backlogBytes -= queued.size();
                backlogEvents--;
                queuedAt.remove(live);
                limits.conflated().accept(queued.size());
                queued.finished(); // delivery latency
            } else {
                live++;
            }
        }
    }

    /** How a live frame of {@code channel} (-1: none) waits in the backlog: bare unless a multi stream's. */
    private Object live(int channel, Frame frame) {
        return multi && channel >= 0 ? new Tagged(frame, channel, false) : frame;
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
        String[] lastIds = new String[channels.size()];
        boolean[] dropped = new boolean[channels.size()];
        ArrayDeque<Object> kept = new ArrayDeque<>();
        for (Object item : backlog) {
            if (item instanceof Tagged tagged && tagged.exempt()) {
                kept.add(item);
                continue;
            }
            int channel = item instanceof Tagged tagged ? tagged.channel() : multi ? -1 : 0;
            if (channel < 0) {
                continue; // a heartbeat
            }
            Object dropping = item instanceof Tagged tagged ? tagged.item() : item;
            Frame.finish(dropping); // delivery latency
            if (dropping instanceof Frame frame && frame.event() != null) {
                dropped[channel] = true;
                if (frame.event().id() != null) {
                    lastIds[channel] = frame.event().id();
                }
            }
        }
        backlog.clear();
        backlog.addAll(kept);
        backlogBytes = 0;
        backlogEvents = 0;
        queuedAt.clear();
        if (!multi) {
            dropped[0] = true; // a single channel's stream gets its resync whatever was dropped
        }
        for (int channel = 0; channel < channels.size(); channel++) {
            if (!dropped[channel] && queuedResync[channel] == null) {
                continue;
            }
            boolean replacesOne = queuedResync[channel] != null; // one resync still waiting: this one takes its place
            Frame resync = ControlEvents.resync(channels.get(channel), lastIds[channel], ControlEvents.Reason.LAGGING);
            queuedResync[channel] = resync;
            enqueueLocked(live(channel, resync), resync, now);
            if (!replacesOne) {
                limits.lagResynced().run();
            }
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
        deliverAll(-1, frames);
    }

    /** As {@link #deliverAll(List)}, frames of {@code channel} (its catch-up, its presence). */
    synchronized void deliverAll(String channel, List<Frame> frames) {
        deliverAll(multi ? indexOf(channel) : 0, frames);
    }

    private void deliverAll(int channel, List<Frame> frames) {
        if (!closing) {
            frames.forEach(frame -> backlog.add(new Tagged(frame, channel, true)));
            lastQueuedNanos = System.nanoTime();
        }
    }

    /**
     * Clustered events of {@code channel} up to {@code position} were in this connection's replay: live copies of
     * them are skipped.
     */
    synchronized void skipUpTo(String channel, long position) {
        int index = multi ? indexOf(channel) : 0;
        if (index >= 0) {
            skipUpTo[index] = position;
        }
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
            enqueueLocked(lastFrame, lastFrame, System.nanoTime());
        }
        closing = true;
        enqueueLocked(CLOSE, null, System.nanoTime());
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

    /** Queues {@code item} (bare or {@link Tagged}), counting {@code frame} (null: none) in the limits. */
    private void enqueueLocked(Object item, Frame frame, long now) {
        enqueueLocked(item, frame, now, null);
    }

    /** As {@link #enqueueLocked(Object, Frame, long)}; a drain it starts goes to {@code starts} if not null. */
    private void enqueueLocked(Object item, Frame frame, long now, DrainStarts starts) {
        backlog.add(item);
        if (frame != null) {
            frame.queued(); // delivery latency
            backlogBytes += frame.size();
            if (frame.event() != null) {
                backlogEvents++;
                queuedAt.add(now);
            }
        }
        lastQueuedNanos = now;
        if (!draining) {
            draining = true;
            if (starts != null && !blockedOnce) { // one that blocked runs alone: its chunk-mates never wait on it
                starts.add(drainTask, workers);
            } else {
                startDrain();
            }
        }
    }

    /** Drops the backlog; writes the eviction hint if no write is stuck, otherwise closes at once. */
    private void evictLocked() {
        closing = true;
        evictedBecause = "too slow a reader: its backlog or a write exceeded its limits";
        dropBacklogLocked();
        if (writeStartedNanos == 0) {
            backlog.add(limits.evictionHint());
            backlog.add(CLOSE);
            if (!draining) {
                draining = true;
                startDrain();
            }
        } else {
            workers.executeAside(this::closeSink); // as stuck as the write, maybe
        }
    }

    /**
     * Runs the drain task: on the pool kept for connections whose write once blocked if this one's did, so that a
     * client that stopped reading holds none of the threads the others are written on ({@link Workers#executeAside}).
     */
    private void startDrain() {
        if (blockedOnce) {
            workers.executeAside(drainTask);
        } else {
            workers.execute(drainTask);
        }
    }

    /**
     * Writes the backlog, one write at a time, until it is empty. Frames waiting one after another are written
     * together, as one event to the container (one flush, one system call), up to {@link #MAX_JOINED_BYTES}: a
     * connection that fell behind catches up in a few writes, not one per event. Only one task drains at a time
     * (handed over under the monitor with {@code draining}).
     */
    private void drain() {
        while (true) {
            Object item;
            boolean exempt = false;
            int channel = multi ? -1 : 0;
            List<Object> joined = null; // the backlog items written with the first one, as queued
            synchronized (this) {
                item = backlog.poll();
                if (item == null) {
                    draining = false;
                    return;
                }
                if (item instanceof Tagged tagged) {
                    exempt = tagged.exempt();
                    channel = tagged.channel();
                    item = tagged.item();
                }
                countTakenLocked(item, exempt, channel);
                if (item != CLOSE && backlog.peek() != null && leadsJoinedWrite(item)) {
                    joined = takeJoinableLocked(exempt, item instanceof Frame first ? first.size() : 64);
                }
            }
            if (item == CLOSE) {
                closeSink();
                return;
            }
            Frame frame = asWritten(item, channel); // before the frames joined to it: stream ids advance in order
            // delivery latency: the live frames of this write as queued (before a stream id is added)
            Object counted = exempt ? null : item;
            if (joined != null) {
                List<Frame> all = new ArrayList<>(joined.size() + 1);
                all.add(frame);
                List<Object> queued = new ArrayList<>(joined.size() + 1);
                queued.add(item);
                for (Object next : joined) {
                    Object nextItem = next instanceof Tagged tagged ? tagged.item() : next;
                    all.add(asWritten(nextItem, next instanceof Tagged tagged ? tagged.channel() : multi ? -1 : 0));
                    queued.add(nextItem);
                }
                frame = SseEncoder.joined(all);
                counted = exempt ? null : queued;
            }
            CompletableFuture<?> written;
            try {
                if (sink.isClosed()) {
                    finish(counted); // delivery latency
                    lost();
                    return;
                }
                writeDeadlineNanos = exempt ? limits.replayTimeoutNanos() : limits.sendTimeoutNanos();
                writeStartedNanos = System.nanoTime();
                written = toFuture(workers.send(this, sink, containerView.apply(frame)));
            } catch (RuntimeException e) {
                finish(counted); // delivery latency
                writeStartedNanos = 0;
                writeFailure = e;
                lost();
                return;
            }
            if (!written.isDone()) {
                workers.completingLater(this, true);
                Object countedLater = counted;
                written.whenComplete((ignored, failure) -> {
                    finish(countedLater); // delivery latency
                    noteWriteDone(System.nanoTime());
                    writeStartedNanos = 0;
                    workers.completingLater(this, false);
                    if (failure != null) {
                        writeFailure = failure;
                        lost();
                    } else {
                        startDrain();
                    }
                });
                return;
            }
            boolean blockedBefore = blockedOnce;
            finish(counted); // delivery latency
            noteWriteDone(System.nanoTime());
            writeStartedNanos = 0;
            if (written.isCompletedExceptionally()) {
                writeFailure = written.handle((ignored, failure) -> failure).join();
                lost();
                return;
            }
            if (blockedOnce && !blockedBefore) {
                // this write blocked: the rest is written aside, not on a thread a fan-out's chunk waits for
                workers.executeAside(drainTask);
                return;
            }
        }
    }

    /**
     * A write ended at {@code now}: remembers it, and whether it took longer than {@link #BLOCKED_WRITE} (the client
     * stopped reading, or the container held the call), after which this connection's drains run alone rather than
     * in a fan-out's chunk ({@link DrainStarts}). Called by the thread that saw the write end.
     */
    private void noteWriteDone(long now) {
        long started = writeStartedNanos;
        if (started != 0 && now - started > BLOCKED_WRITE) {
            blockedOnce = true;
        }
        lastWriteDoneNanos = now;
    }

    /** Takes {@code item} (unwrapped) out of the backlog's accounting. Called by the draining task, holding this. */
    private void countTakenLocked(Object item, boolean exempt, int channel) {
        if (!exempt && item instanceof Frame frame) {
            backlogBytes -= frame.size();
            if (frame.event() != null) {
                backlogEvents--;
                queuedAt.poll();
            }
            if (channel >= 0 && frame == queuedResync[channel]) {
                queuedResync[channel] = null;
            }
        }
    }

    /**
     * Takes the backlog items waiting right after the one just taken that can be written with it: frames (not the
     * close) as exempt from the limits as it is, while their bytes stay within {@link #MAX_JOINED_BYTES}. Null if
     * there is none. Called by the draining task, holding this.
     */
    private List<Object> takeJoinableLocked(boolean exempt, int firstSize) {
        List<Object> taken = null;
        int bytes = firstSize;
        while (true) {
            Object next = backlog.peek();
            boolean nextExempt = next instanceof Tagged tagged && tagged.exempt();
            int channel = next instanceof Tagged tagged ? tagged.channel() : multi ? -1 : 0;
            Object nextItem = next instanceof Tagged tagged ? tagged.item() : next;
            int size = nextItem instanceof Frame frame ? frame.size() : nextItem == STREAM_POSITION ? 64 : -1;
            if (next == null || size < 0 || nextExempt != exempt || bytes + size > MAX_JOINED_BYTES) {
                return taken;
            }
            backlog.poll();
            countTakenLocked(nextItem, exempt, channel);
            if (taken == null) {
                taken = new ArrayList<>();
            }
            taken.add(next);
            bytes += size;
        }
    }

    /** The delivery latency's count-down of each live frame a write took ({@link Frame#finish}). */
    private static void finish(Object counted) {
        if (counted instanceof List<?> frames) {
            frames.forEach(Frame::finish);
        } else {
            Frame.finish(counted);
        }
    }

    /** A backlog item as written: a multi-channel stream's frames carry stream ids. Called by the draining task. */
    private Frame asWritten(Object item, int channel) {
        if (!multi) {
            return (Frame) item;
        }
        return item == STREAM_POSITION ? SseEncoder.idOnly(StreamIds.join(tokens)) : withStreamId((Frame) item, channel);
    }

    /**
     * Whether this sink's container can take {@code item} (a backlog item, as queued) and the frames after it as
     * one event: Jersey any frames ({@link FrameWriter} writes the bytes), RESTEasy those whose first line is
     * their {@code event:} or {@code id:} field ({@link ResteasyFrame}), other containers none.
     */
    private boolean leadsJoinedWrite(Object item) {
        return switch (joins) {
            case ANY -> item instanceof Frame || item == STREAM_POSITION;
            case LEADING_FIELD -> item == STREAM_POSITION || item instanceof Frame frame && ResteasyFrame.leadsWithField(frame);
            case NONE -> false;
        };
    }

    /**
     * A multi-channel stream's frame as written: an event of one of its channels with an id advances that channel's
     * position and carries the stream's id instead of the channel's. Called by the draining task only.
     */
    private Frame withStreamId(Frame frame, int channel) {
        if (channel < 0 || frame.event() == null || frame.event().id() == null) {
            return frame;
        }
        tokens[channel] = StreamIds.token(frame.event().id());
        return SseEncoder.withId(frame, StreamIds.join(tokens));
    }

    /** Forgets everything queued and its accounting (the connection is ending). Called holding this. */
    private void dropBacklogLocked() {
        for (Object item : backlog) { // delivery latency: the live frames waiting are dropped
            Frame.finish(item instanceof Tagged tagged ? (tagged.exempt() ? null : tagged.item()) : item);
        }
        backlog.clear();
        backlogBytes = 0;
        backlogEvents = 0;
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
        synchronized (this) {
            if (endingTold) {
                return;
            }
            endingTold = true;
        }
        Throwable failure = writeFailure;
        String evicted = evictedBecause;
        try {
            ending.ended(evicted != null ? new ConnectionEvictedException(info.id(), evicted) : failure);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "A listener of connection " + id() + "'s end failed", e);
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
        private static final long[] NONE = new long[0];
        private long[] times = NONE; // allocated with the first event waiting: most connections have none waiting
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
                long[] grown = new long[Math.max(16, times.length * 2)];
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

        /** Removes the {@code index}-th time (0: the oldest), keeping the others in order. */
        void remove(int index) {
            if (index < 0 || index >= size) {
                return;
            }
            for (int i = index; i < size - 1; i++) {
                times[(head + i) % times.length] = times[(head + i + 1) % times.length];
            }
            size--;
        }

        void clear() {
            head = 0;
            size = 0;
            if (times.length > 64) {
                times = NONE;
            }
        }
    }
}
