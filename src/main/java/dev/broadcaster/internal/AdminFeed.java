package dev.broadcaster.internal;

import dev.broadcaster.SseEvent;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The live feed of the admin pages: the reserved channel {@value #CHANNEL}, whose subscribers get the
 * event {@value #EVENT} with the registry's whole state as JSON.
 *
 * <p>A new subscriber gets the current snapshot at once. After that, every change the registry reports
 * through {@link #changed()} asks for a snapshot, and requests are coalesced: at most one snapshot is
 * built per {@code minInterval}, on the library's executor, and a change reported after a snapshot was
 * started always leads to a later one, so the last snapshot shows the final state. Nothing is built while
 * no admin page is open. Snapshots are published on this channel only, which is kept out of the
 * registry's channel map, listings and counters, so they never report a change themselves.
 */
final class AdminFeed {

    /** The reserved channel of the admin pages. */
    static final String CHANNEL = ChannelNames.RESERVED_PREFIX + "admin";
    /** The name of the snapshot event. */
    static final String EVENT = "snapshot";

    private static final System.Logger LOG = System.getLogger(AdminFeed.class.getName());

    private final Channel channel;
    private final Supplier<String> snapshot;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final long minIntervalNanos;
    private final Set<String> viewers = ConcurrentHashMap.newKeySet(); // connection ids; read without locking
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile long lastStartedNanos;

    /**
     * @param channel the reserved channel, not in the registry's channel map
     * @param snapshot builds the JSON document of the registry's state, capped well under what a connection may
     *                 queue ({@link AdminSnapshot}), so it is always sent
     */
    AdminFeed(Channel channel, Supplier<String> snapshot, Executor executor, ScheduledExecutorService scheduler,
              Duration minInterval) {
        this.channel = channel;
        this.snapshot = snapshot;
        this.executor = executor;
        this.scheduler = scheduler;
        this.minIntervalNanos = minInterval.toNanos();
        this.lastStartedNanos = System.nanoTime() - minIntervalNanos;
    }

    /**
     * Adds an admin page's connection (not yet started): the current snapshot is queued to it first,
     * under the same lock as every later snapshot, so it never receives an older state after a newer one.
     * It counts as a viewer before that snapshot is built, so a change made meanwhile leads to a later one.
     */
    synchronized void join(Connection connection) {
        viewers.add(connection.id());
        connection.deliverAll(List.of(SseEncoder.encode(SseEvent.named(EVENT, snapshot.get()))));
        channel.add(connection, null, 0, false);
    }

    /** Removes an admin page's connection. Idempotent. */
    void leave(Connection connection) {
        if (viewers.remove(connection.id())) {
            channel.remove(connection);
        }
    }

    /** The admin pages' open connections (for heartbeats, the write watchdog and shutdown). */
    List<Connection> connections() {
        return channel.connections();
    }

    /** Something the snapshot shows has changed: schedules a snapshot unless one is already pending. */
    void changed() {
        if (viewers.isEmpty() || scheduled.get() || !scheduled.compareAndSet(false, true)) {
            return;
        }
        long wait = lastStartedNanos + minIntervalNanos - System.nanoTime();
        try {
            if (wait <= 0) {
                executor.execute(this::publish);
            } else {
                scheduler.schedule(() -> executor.execute(this::publish), wait, TimeUnit.NANOSECONDS);
            }
        } catch (RejectedExecutionException e) {
            scheduled.set(false); // stopping: no more snapshots
        }
    }

    private void publish() {
        lastStartedNanos = System.nanoTime();
        scheduled.set(false); // a change from now on schedules the next snapshot, minInterval after this one
        try {
            synchronized (this) {
                if (viewers.isEmpty()) {
                    return;
                }
                channel.publish(SseEvent.named(EVENT, snapshot.get()), Set.of());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Admin snapshot failed", e);
        }
    }
}
