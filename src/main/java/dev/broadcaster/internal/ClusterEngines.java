package dev.broadcaster.internal;

import dev.broadcaster.cluster.ClusterEngine;
import java.lang.reflect.Constructor;

/**
 * Creates the configured {@link ClusterEngine}. The engine's classes are loaded only when one is configured, so a
 * single node needs no client library.
 */
final class ClusterEngines {

    private static final String REDIS_ENGINE = "dev.broadcaster.cluster.redis.RedisEngine";

    private ClusterEngines() {
    }

    /** The engine {@code cluster} names (not started); {@code cluster} is enabled. */
    static ClusterEngine create(ClusterSettings cluster, int historySize) {
        try {
            Constructor<?> constructor = Class.forName(REDIS_ENGINE).getConstructor(java.net.URI.class, String.class,
                    java.time.Duration.class, int.class);
            return (ClusterEngine) constructor.newInstance(cluster.redisUri(), cluster.prefix(), cluster.nodeTimeout(),
                    historySize);
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            throw new IllegalStateException(BroadcasterConfig.CLUSTER_ENGINE + "=redis needs the Redis client on the"
                    + " application's class path: add the dependency redis.clients:jedis", e);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("Could not create the Redis engine: " + cause, cause);
        }
    }

    /** How the engine {@code cluster} names is described in the start-up log. */
    static String describe(ClusterSettings cluster) {
        return "Redis engine at " + cluster.redisUri().getHost() + ":" + cluster.redisUri().getPort() + ", key prefix '"
                + cluster.prefix() + "'";
    }
}
