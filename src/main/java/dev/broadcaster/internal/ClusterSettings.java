package dev.broadcaster.internal;

import java.net.URI;
import java.time.Duration;

/**
 * Clustering, read by {@link BroadcasterConfig}.
 *
 * @param engine {@code none} (one node, the default), {@code redis}, or the fully qualified name of an
 *               application's {@link dev.broadcaster.cluster.ClusterEngine} class
 * @param redisUri the Redis to use with the {@code redis} engine, {@code redis://host:port[/database]}
 * @param prefix the start of every Redis key and channel the engine uses (an engine named by class gets it too)
 * @param nodeTimeout how long after its last sign of life a node's connections leave the cluster's presence
 * @param maxQueued how many operations the Redis engine queues for Redis at most; beyond (Redis slow), the node is
 *                  down until the queue is drained, as if Redis were unreachable
 */
public record ClusterSettings(String engine, URI redisUri, String prefix, Duration nodeTimeout, int maxQueued) {

    public static final String NONE = "none";
    public static final String REDIS = "redis";

    /** One node: no backplane. */
    public static ClusterSettings none(Duration nodeTimeout) {
        return new ClusterSettings(NONE, null, "broadcaster", nodeTimeout, 100_000);
    }

    public boolean enabled() {
        return !NONE.equals(engine);
    }
}
