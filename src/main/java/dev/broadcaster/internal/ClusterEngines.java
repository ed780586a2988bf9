package dev.broadcaster.internal;

import dev.broadcaster.cluster.ClusterEngine;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Creates the configured {@link ClusterEngine}: the Redis engine for {@code redis}, or an application's own engine
 * named by its class (see {@link ClusterEngine} for the constructor it needs). The engine's classes are loaded
 * only when one is configured, so a single node needs no client library.
 */
final class ClusterEngines {

    private static final String REDIS_ENGINE = "dev.broadcaster.cluster.redis.RedisEngine";
    private static final Pattern CLASS_NAME = Pattern.compile("(\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*\\.)+"
            + "\\p{javaJavaIdentifierStart}[\\p{javaJavaIdentifierPart}$]*");
    /** The constructor an engine named by class has: {@code (String prefix, Duration nodeTimeout, int historySize)}. */
    private static final Class<?>[] PARAMETERS = {String.class, Duration.class, int.class};

    private ClusterEngines() {
    }

    /** The engine {@code cluster} names (not started); {@code cluster} is enabled. */
    static ClusterEngine create(ClusterSettings cluster, int historySize) {
        if (ClusterSettings.REDIS.equals(cluster.engine())) {
            return redis(cluster, historySize);
        }
        Constructor<? extends ClusterEngine> constructor = engineConstructor(cluster.engine());
        try {
            return constructor.newInstance(cluster.prefix(), cluster.nodeTimeout(), historySize);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("Could not create the cluster engine " + cluster.engine() + " ("
                    + BroadcasterConfig.CLUSTER_ENGINE + "): " + cause, cause);
        }
    }

    private static ClusterEngine redis(ClusterSettings cluster, int historySize) {
        try {
            Class<?> options = Class.forName(REDIS_ENGINE + "$Options");
            Object redisOptions = options.getConstructor(String.class, String.class, Duration.class, int.class, int.class)
                    .newInstance(cluster.secret(), cluster.acceptedSecret(), cluster.idleStreamRetention(),
                            cluster.maxIdleStreams(), cluster.maxQueued());
            Constructor<?> constructor = Class.forName(REDIS_ENGINE).getConstructor(java.net.URI.class, String.class,
                    Duration.class, int.class, options);
            return (ClusterEngine) constructor.newInstance(cluster.redisUri(), cluster.prefix(), cluster.nodeTimeout(),
                    historySize, redisOptions);
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            throw new IllegalStateException(BroadcasterConfig.CLUSTER_ENGINE + "=redis needs the Redis client on the"
                    + " application's class path: add the dependency redis.clients:jedis", e);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("Could not create the Redis engine: " + cause, cause);
        }
    }

    /**
     * The public {@code (String, Duration, int)} constructor of the public, concrete {@link ClusterEngine}
     * class {@code className}, loaded by the application's class loader; an {@link IllegalArgumentException}
     * saying what is wrong otherwise (read at start-up, so a wrong name stops deployment).
     */
    static Constructor<? extends ClusterEngine> engineConstructor(String className) {
        if (!CLASS_NAME.matcher(className).matches()) {
            throw new IllegalArgumentException("expected none, redis or the fully qualified name of a class"
                    + " implementing " + ClusterEngine.class.getName());
        }
        Class<?> type;
        try {
            type = Class.forName(className, false, classLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("no class " + className + " on the application's class path (expected"
                    + " none, redis or the name of a class implementing " + ClusterEngine.class.getName() + ")");
        }
        if (!ClusterEngine.class.isAssignableFrom(type) || type.isInterface()
                || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException(className + " is not a concrete class implementing "
                    + ClusterEngine.class.getName());
        }
        try {
            return type.asSubclass(ClusterEngine.class).getConstructor(PARAMETERS);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(className + " has no public constructor (String prefix, Duration"
                    + " nodeTimeout, int historySize)");
        }
    }

    /** The application's class loader (the thread's, on an application server), else the library's. */
    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : ClusterEngines.class.getClassLoader();
    }

    /** How the engine {@code cluster} names is described in the start-up log. */
    static String describe(ClusterSettings cluster) {
        if (!ClusterSettings.REDIS.equals(cluster.engine())) {
            return "engine " + cluster.engine() + ", prefix '" + cluster.prefix() + "'";
        }
        return "Redis engine at " + cluster.redisUri().getScheme() + "://" + cluster.redisUri().getHost() + ":"
                + cluster.redisUri().getPort() + ", key prefix '" + cluster.prefix() + "', "
                + (cluster.secret() == null ? "messages not signed" : "messages signed") + ", idle streams kept "
                + cluster.idleStreamRetention().toMillis() + " ms, at most " + cluster.maxIdleStreams();
    }
}
