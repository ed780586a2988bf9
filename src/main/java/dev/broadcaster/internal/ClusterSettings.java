package dev.broadcaster.internal;

import java.net.URI;
import java.time.Duration;

/**
 * Clustering, read by {@link BroadcasterConfig}.
 *
 * @param engine {@code none} (one node, the default), {@code redis}, or the fully qualified name of an
 *               application's {@link dev.broadcaster.cluster.ClusterEngine} class
 * @param redisUri the Redis to use with the {@code redis} engine, {@code redis[s]://[user:password@]host:port[/database]}
 * @param prefix the start of every Redis key and channel the engine uses (an engine named by class gets it too)
 * @param nodeTimeout how long after its last sign of life a node's connections leave the cluster's presence
 * @param secret the shared secret every node signs its bus messages and stream entries with, and without which
 *               they are refused; null: nothing signed, nothing checked beyond the format
 * @param acceptedSecret a second secret whose signatures are accepted too, never used to sign (for changing the
 *                       secret with rolling restarts); null for none
 * @param idleStreamRetention how long Redis keeps the stream of a channel no node has a connection on
 * @param maxIdleStreams how many such streams the cluster keeps at most (the least recently published go first)
 * @param maxQueued how many operations the Redis engine queues for Redis at most; beyond (Redis slow), the node is
 *                  down until the queue is drained, as if Redis were unreachable
 */
public record ClusterSettings(String engine, URI redisUri, String prefix, Duration nodeTimeout, String secret,
                              String acceptedSecret, Duration idleStreamRetention, int maxIdleStreams, int maxQueued) {

    public static final String NONE = "none";
    public static final String REDIS = "redis";
    public static final Duration DEFAULT_IDLE_STREAM_RETENTION = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_IDLE_STREAMS = 1000;
    public static final int DEFAULT_MAX_QUEUED = 100_000;

    /** Without a secret, with the default stream limits. */
    public ClusterSettings(String engine, URI redisUri, String prefix, Duration nodeTimeout) {
        this(engine, redisUri, prefix, nodeTimeout, null, null, DEFAULT_IDLE_STREAM_RETENTION, DEFAULT_MAX_IDLE_STREAMS,
                DEFAULT_MAX_QUEUED);
    }

    /** One node: no backplane. */
    public static ClusterSettings none(Duration nodeTimeout) {
        return new ClusterSettings(NONE, null, "broadcaster", nodeTimeout);
    }

    public boolean enabled() {
        return !NONE.equals(engine);
    }

    /** Never shows the secrets, nor the password a Redis URI may hold. */
    @Override
    public String toString() {
        return "ClusterSettings[engine=" + engine + ", redisUri=" + (redisUri == null ? null
                : redisUri.getScheme() + "://" + redisUri.getHost() + ":" + redisUri.getPort() + redisUri.getPath())
                + ", prefix=" + prefix + ", nodeTimeout=" + nodeTimeout + ", secret=" + (secret == null ? "none" : "***")
                + ", acceptedSecret=" + (acceptedSecret == null ? "none" : "***") + ", idleStreamRetention="
                + idleStreamRetention + ", maxIdleStreams=" + maxIdleStreams + ", maxQueued=" + maxQueued + "]";
    }
}
