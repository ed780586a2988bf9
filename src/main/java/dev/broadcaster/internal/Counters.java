package dev.broadcaster.internal;

import dev.broadcaster.RegistryStats;
import java.util.concurrent.atomic.LongAdder;

/**
 * The registry's cumulative counters, for {@link RegistryStats}, the admin page and the metrics. Each is a
 * {@link LongAdder}: counted from any thread without a lock, read as a sum. With them, the latencies the metrics
 * listen to.
 */
final class Counters {

    /** Broadcasts taken for delivery. */
    final LongAdder eventsPublished = new LongAdder();
    /** Frames queued to connections (broadcasts times their connections, and sends to one). */
    final LongAdder framesQueued = new LongAdder();
    /** Connections evicted (too slow, or no progress). */
    final LongAdder evictions = new LongAdder();
    /** {@code resync} events sent to joining connections, or after the backplane came back. */
    final LongAdder resyncs = new LongAdder();
    /** Calls of presence renderers. */
    final LongAdder presenceRenders = new LongAdder();
    /** New channels refused at {@code broadcaster.max-channels}. */
    final LongAdder refusedChannels = new LongAdder();
    /** Presence renders not sent because they exceeded {@code broadcaster.max-message-size}. */
    final LongAdder oversizedPresence = new LongAdder();
    /** Lagging connections whose backlog was replaced by {@code resync}. */
    final LongAdder lagResyncs = new LongAdder();
    /** Publishes refused because the channel's fan-out queue was full. */
    final LongAdder publishesRefused = new LongAdder();
    /** Waiting events a newer one of a conflating channel made useless, dropped unsent. */
    final LongAdder conflatedEvents = new LongAdder();
    /** The bytes of those. */
    final LongAdder conflatedBytes = new LongAdder();

    /** How long each {@code broadcast} call took to encode and queue its event. */
    final Latencies broadcastLatency = new Latencies();
    /** Per broadcast: from when its channel took it to the last write (or drop) of it ({@link Frame#track}). */
    final Latencies deliveryLatency = new Latencies();

    /** Counts one conflated event of {@code bytes}. */
    void conflated(long bytes) {
        conflatedEvents.increment();
        conflatedBytes.add(bytes);
    }

    /** The counters with the gauges the caller measured now. */
    RegistryStats stats(int connections, int channels, long refusedConnections, int laggingConnections) {
        return new RegistryStats(connections, channels, eventsPublished.sum(), framesQueued.sum(), evictions.sum(),
                resyncs.sum(), presenceRenders.sum(), refusedConnections, refusedChannels.sum(),
                oversizedPresence.sum(), laggingConnections, lagResyncs.sum(), publishesRefused.sum(),
                conflatedEvents.sum(), conflatedBytes.sum());
    }
}
