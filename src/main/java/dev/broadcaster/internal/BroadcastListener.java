package dev.broadcaster.internal;

/**
 * Told how long each broadcast took, so optional monitoring (MicroProfile Metrics) can time broadcasts
 * without the registry depending on it. See {@link DefaultChannelRegistry#broadcastListener}.
 */
@FunctionalInterface
public interface BroadcastListener {

    /**
     * A broadcast to an existing channel was encoded and queued to its connections in {@code nanos}.
     * Called on the publishing thread: must be quick and must not throw.
     */
    void broadcastQueued(long nanos);
}
