package dev.broadcaster.internal;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The registry's timers, and the close of every stream when the server stops.
 * <ul>
 *   <li>Heartbeat, every {@code broadcaster.heartbeat-interval} for each connection: a comment to a connection
 *       that has been quiet for half an interval (proxies keep the stream open; a client that went away is noticed
 *       by the failed write), their drains handed to the pool a chunk at a time ({@link DrainStarts}); eviction of a
 *       connection with a write in progress that completed no write for two intervals, or the replay timeout if
 *       that is longer ({@link Connection#checkProgress}). The timer ticks {@link #SLICES} times an interval and
 *       each tick visits the connections of one slice (by a hash of their random id): a heartbeat's writes, and the
 *       failed writes of a mass disconnect (about four times a live write's CPU each in Grizzly), are spread over
 *       the interval instead of landing on the live channels' fan-outs all at once ({@code benchmarks/PROFILE.md}).
 *       Channels whose linger is over are removed once an interval.</li>
 *   <li>Write watchdog, every quarter of the send timeout (5 to 25 ms): evicts connections whose write has been
 *       seen in progress for longer than the send timeout ({@link Connection#checkWriteTimeout}). It looks only at
 *       the connections writing at that moment ({@link Workers#writing}), not at every connection: a walk of all
 *       of them 40 times a second was 5-8% of the server's CPU at 10 events/s ({@code benchmarks/PROFILE.md}).</li>
 *   <li>A thread more for each call stuck longer than {@link Workers#STUCK_AFTER}, in whichever of the two pools
 *       it is stuck ({@link Workers#replaceStuckThreads}).</li>
 * </ul>
 *
 * <p>Threads: every timer task runs on the one scheduler thread of {@link Workers} and never throws (that would
 * end the timer). {@link #closeAll} runs on the thread that stops the registry, or on {@code broadcaster-stop}
 * when the executor stops taking tasks; it never writes on that thread.
 */
final class Housekeeping {

    private static final System.Logger LOG = System.getLogger(Housekeeping.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Heartbeat ticks per interval, each visiting one slice of the connections. */
    static final int SLICES = 16;

    /** For {@link #tick}: every connection at once, a whole interval's heartbeat in one pass. */
    static final int ALL_SLICES = -1;

    private final BroadcasterSettings settings;
    private final Workers workers;
    private final Channels channels;
    private final Supplier<List<Connection>> adminConnections;
    private final Runnable forgetAdmins;
    private final long noProgressNanos;
    private final long watchTickNanos;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>(); // written by start and stop only
    private int nextSlice; // the slice the next heartbeat tick visits; the timer thread's only

    /**
     * @param adminConnections the admin pages' connections (not in {@code channels})
     * @param forgetAdmins removes every admin page's connection from the admin feed
     */
    Housekeeping(BroadcasterSettings settings, Workers workers, Channels channels,
                 Supplier<List<Connection>> adminConnections, Runnable forgetAdmins) {
        this.settings = settings;
        this.workers = workers;
        this.channels = channels;
        this.adminConnections = adminConnections;
        this.forgetAdmins = forgetAdmins;
        this.noProgressNanos = Math.max(2 * settings.heartbeatInterval().toNanos(), settings.replayTimeout().toNanos());
        this.watchTickNanos = TimeUnit.MILLISECONDS.toNanos(
                Math.max(5, Math.min(25, settings.sendTimeout().toMillis() / 4)));
    }

    void start() {
        long tick = Math.max(1, settings.heartbeatInterval().toNanos() / SLICES);
        timers.add(workers.scheduler().scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.NANOSECONDS));
        timers.add(workers.scheduler().scheduleWithFixedDelay(this::watchWrites, watchTickNanos, watchTickNanos,
                TimeUnit.NANOSECONDS));
        if (workers.ownsPool()) { // a test's executor is sized by the test
            timers.add(workers.scheduler().scheduleAtFixedRate(workers::replaceStuckThreads,
                    Workers.STUCK_AFTER.toMillis(), Workers.STUCK_AFTER.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    /** Cancels the timers. */
    void stop() {
        timers.forEach(timer -> timer.cancel(false));
    }

    private void tick() {
        try {
            int slice = nextSlice;
            nextSlice = (slice + 1) % SLICES;
            tick(slice, System.nanoTime());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Heartbeat failed", e);
        }
    }

    /**
     * One heartbeat tick at {@code nowNanos}: the connections of {@code slice}, or of every slice if it is
     * {@link #ALL_SLICES} (tests call it with a time of their own).
     */
    void tick(int slice, long nowNanos) {
        beat(channels.connections(), slice, nowNanos);
        beat(adminConnections.get(), slice, nowNanos);
        if (slice == 0 || slice == ALL_SLICES) {
            channels.removeExpired(nowNanos);
        }
    }

    /** The heartbeat slice of {@code connection}: its random id spreads the connections evenly over the slices. */
    static int slice(Connection connection) {
        return Math.floorMod(connection.id().hashCode(), SLICES);
    }

    private void beat(Collection<Connection> connections, int slice, long now) {
        long interval = settings.heartbeatInterval().toNanos();
        // the drains the comments start, several to a task as a fan-out's: on a quiet server nearly every
        // connection gets one, and after a mass disconnect every client gone is found by this write
        DrainStarts starts = new DrainStarts();
        for (Connection connection : connections) {
            if (slice != ALL_SLICES && slice(connection) != slice) {
                continue;
            }
            connection.checkProgress(now, noProgressNanos);
            // half an interval of slack: the timer and the last write are never exactly aligned
            if (now - connection.lastQueuedNanos() >= interval / 2) {
                connection.deliver(ControlEvents.heartbeat(), starts);
            }
        }
        starts.start();
    }

    private void watchWrites() {
        try {
            long now = System.nanoTime();
            if (workers.seesEveryWrite()) { // only the connections writing now: none, most ticks at a low rate
                workers.writing(connection -> connection.checkWriteTimeout(now, watchTickNanos));
                return;
            }
            for (Connection connection : channels.connections()) {
                connection.checkWriteTimeout(now, watchTickNanos);
            }
            for (Connection connection : adminConnections.get()) {
                connection.checkWriteTimeout(now, watchTickNanos);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Write watchdog failed", e);
        }
    }

    /**
     * Sends every stream (admin pages' too) its last {@code closing} event with a jittered {@code retry:} and
     * closes it; waits until {@code deadlineNanos} at most for those writes, then closes the sinks still open
     * without writing (on the library's abort threads: a close may block as a write does). Never writes on the
     * calling thread.
     */
    void closeAll(long deadlineNanos) {
        List<Connection> admins = adminConnections.get();
        List<Connection> closing = new ArrayList<>(channels.connections());
        closing.addAll(admins);
        closing.forEach(connection -> connection.closeAfter(ControlEvents.closing("server stopping",
                1000 + RANDOM.nextInt(4000))));
        forgetAdmins.run();
        channels.clear();
        List<Connection> open = closing;
        while (!open.isEmpty() && System.nanoTime() < deadlineNanos) {
            open = open.stream().filter(connection -> !connection.sinkClosed()).toList();
            if (!open.isEmpty()) {
                LockSupport.parkNanos(Math.min(5_000_000L, Math.max(0, deadlineNanos - System.nanoTime())));
            }
        }
        List<Connection> left = open.stream().filter(connection -> !connection.sinkClosed()).toList();
        if (!left.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, () -> left.size() + " streams did not take their last event within "
                    + Workers.FINAL_WRITES.toMillis() + " ms: closed without it");
            left.forEach(connection -> workers.abortLater(connection::abort));
        }
    }
}
