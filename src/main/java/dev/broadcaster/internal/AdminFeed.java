package dev.broadcaster.internal;

import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
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
    private final Workers workers;
    private final Connection.Limits limits;
    private final Runnable evicted;
    private final long minIntervalNanos;
    private final Set<String> viewers = ConcurrentHashMap.newKeySet(); // connection ids; read without locking
    private final AtomicBoolean scheduled = new AtomicBoolean(); // a snapshot is scheduled and not started yet
    private volatile long lastStartedNanos; // written by the snapshot task, read by changed()

    /**
     * @param snapshot builds the JSON document of the registry's state, capped well under what a connection may
     *                 queue ({@link AdminSnapshot}), so it is always sent
     * @param limits the limits of each admin page's connection
     * @param evicted told when an admin page's connection is evicted
     */
    AdminFeed(Supplier<String> snapshot, Workers workers, Connection.Limits limits, Runnable evicted,
              Duration minInterval) {
        // the admin feed's channel is not in the channel map: never listed, counted, killed or expired
        this.channel = new Channel(CHANNEL, null, true, new LocalLog(0, Integer.MAX_VALUE),
                new Channel.Context(workers::execute, ch -> new PresenceUpdater(ch, PresenceUpdater.THIS_NODE,
                        workers::execute, () -> { }, () -> { }, () -> { }), () -> { }, Integer.MAX_VALUE,
                        Long.MAX_VALUE, Integer.MAX_VALUE));
        this.snapshot = snapshot;
        this.workers = workers;
        this.limits = limits;
        this.evicted = evicted;
        this.minIntervalNanos = minInterval.toNanos();
        this.lastStartedNanos = System.nanoTime() - minIntervalNanos;
    }

    /**
     * Opens the stream of an admin page of {@code user} (the caller has checked the admin role): it gets the current
     * snapshot at once, then the later ones. Admin pages are in no listing or count of the registry.
     */
    ConnectionInfo open(String user, SseEventSink sink, String connectionId) {
        ConnectionInfo info = new ConnectionInfo(connectionId, CHANNEL, user, Instant.now());
        Connection connection = new Connection(info, sink, workers, limits, this::gone);
        connection.deliverAll(List.of(ControlEvents.connected(info.id())));
        join(connection);
        connection.start();
        return info;
    }

    /** An admin page left or was evicted. Not reported to the feed: its own connections never cause a snapshot. */
    private void gone(Connection connection, boolean wasEvicted) {
        if (wasEvicted) {
            evicted.run();
            // as for any connection: the eviction may have been noticed under the channel's lock
            workers.execute(() -> leave(connection));
        } else {
            leave(connection);
        }
    }

    /**
     * Adds an admin page's connection (not yet started): the current snapshot is queued to it first,
     * under the same lock as every later snapshot, so it never receives an older state after a newer one.
     * It counts as a viewer before that snapshot is built, so a change made meanwhile leads to a later one.
     */
    private synchronized void join(Connection connection) {
        viewers.add(connection.id());
        connection.deliverAll(List.of(SseEncoder.encode(SseEvent.named(EVENT, snapshot.get()))));
        channel.add(connection, null, 0, null, false);
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

    /** Forgets every admin page (the server stops: the caller closes their streams). */
    void leaveAll() {
        connections().forEach(this::leave);
    }

    /** Something the snapshot shows has changed: schedules a snapshot unless one is already pending. */
    void changed() {
        if (viewers.isEmpty() || scheduled.get() || !scheduled.compareAndSet(false, true)) {
            return;
        }
        long wait = lastStartedNanos + minIntervalNanos - System.nanoTime();
        try {
            if (wait <= 0) {
                workers.execute(this::publish);
            } else {
                workers.runLater(this::publish, wait);
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
                channel.publish(ChannelLog.Publication.of(SseEvent.named(EVENT, snapshot.get()), -1), Set.of());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Admin snapshot failed", e);
        }
    }
}
