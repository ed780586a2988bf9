package dev.broadcaster.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import dev.broadcaster.cluster.redis.RedisEngine;
import dev.broadcaster.support.ChaosProxy;
import dev.broadcaster.support.Eventually;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Undeploying must not leave the engine's threads (and with them the application's class loader) behind. */
class RedisEngineShutdownTest {

    /** A node with nothing on it. */
    static final class EmptyNode implements ClusterNode {
        @Override public String id() { return "shutdown-test"; }
        @Override public void deliver(String channel, ClusterEngine.IdentifiedEvent event, Set<String> exclude,
                                      String origin, long opId) { }
        @Override public void deliverTo(String connectionId, SseEvent event) { }
        @Override public void kill(String channel) { }
        @Override public void disconnect(String channel, String user) { }
        @Override public void presenceChanged(String channel) { }
        @Override public void undelivered(String channel, SseEvent event, Set<String> exclude, long opId) { }
        @Override public void missed(String channel) { }
        @Override public void backplaneLost() { }
        @Override public void backplaneRecovered() { }
        @Override public Collection<ConnectionInfo> localConnections() { return List.of(); }
    }

    static long engineThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("broadcaster-redis-")).count();
    }

    @Test
    void closingAnEngineWhoseRedisWentSilentEndsItsThreads() {
        try (RedisProcess redis = RedisProcess.start();
             ChaosProxy proxy = ChaosProxy.start("127.0.0.1", redis.port())) {
            RedisEngine engine = new RedisEngine(URI.create("redis://127.0.0.1:" + proxy.port()), "shutdown",
                    Duration.ofSeconds(30), 10);
            engine.start(new EmptyNode());
            Eventually.equalTo(true, engine::ready, "engine up");
            // the network drops every packet from now on, without closing anything: the subscriber waits in
            // its read, the writer in its wait for the next beat (due in 10 s)
            proxy.blackholeAll();
            proxy.blackhole(link -> true);
            engine.close();
            Eventually.equalTo(0L, RedisEngineShutdownTest::engineThreads, "the engine's threads ended after close");
        }
        assertEquals(0L, engineThreads());
    }
}
