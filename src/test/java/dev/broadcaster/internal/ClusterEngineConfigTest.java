package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.ChannelInfo;
import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import dev.broadcaster.cluster.ClusterEngine;
import dev.broadcaster.cluster.ClusterNode;
import dev.broadcaster.cluster.memory.InMemoryClusterEngine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code broadcaster.cluster.engine} names an application's own engine by its class. */
class ClusterEngineConfigTest {

    @Test
    void anEngineNamedByItsClassIsCreatedWithThePrefixNodeTimeoutAndHistorySize() {
        BroadcasterSettings settings = BroadcasterConfigTest.read(Map.of(
                "broadcaster.cluster.engine", InMemoryClusterEngine.class.getName(),
                "broadcaster.cluster.prefix", "room-cluster",
                "broadcaster.cluster.node-timeout", "3s",
                "broadcaster.history-size", "7"));
        ClusterSettings cluster = settings.cluster();
        assertTrue(cluster.enabled());
        assertEquals(InMemoryClusterEngine.class.getName(), cluster.engine());
        assertEquals("room-cluster", cluster.prefix());
        assertEquals(Duration.ofSeconds(3), cluster.nodeTimeout());
        assertInstanceOf(InMemoryClusterEngine.class, ClusterEngines.create(cluster, settings.historySize()));
        assertEquals("engine " + InMemoryClusterEngine.class.getName() + ", prefix 'room-cluster'",
                ClusterEngines.describe(cluster));
    }

    @Test
    void noneAndRedisAreStillNamesWhateverTheirCase() {
        assertEquals("none", BroadcasterConfigTest.read(Map.of("broadcaster.cluster.engine", "NONE")).cluster().engine());
        assertEquals("redis", BroadcasterConfigTest.read(Map.of("broadcaster.cluster.engine", "Redis",
                "broadcaster.cluster.redis.uri", "redis://127.0.0.1:6379")).cluster().engine());
    }

    @Test
    void aClassThatCannotBeLoadedStopsStartupNamingTheKeyAndTheClass() {
        String message = refusal("com.example.NoSuchEngine");
        assertTrue(message.contains("no class com.example.NoSuchEngine"), message);
        assertTrue(refusal("kafka").contains("expected none, redis or the fully qualified name"), refusal("kafka"));
    }

    @Test
    void aClassThatIsNotAClusterEngineStopsStartupNamingTheKey() {
        String message = refusal("java.lang.String");
        assertTrue(message.contains("java.lang.String is not a concrete class implementing "
                + ClusterEngine.class.getName()), message);
    }

    @Test
    void anEngineWithoutTheConstructorStopsStartupSayingWhichOneItNeeds() {
        String message = refusal(WithoutTheConstructor.class.getName());
        assertTrue(message.contains("has no public constructor (String prefix, Duration nodeTimeout, int historySize)"),
                message);
    }

    /** The refusal of {@code engine}, which must be a start-up error naming the key. */
    private static String refusal(String engine) {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> BroadcasterConfigTest.read(Map.of("broadcaster.cluster.engine", engine)));
        assertTrue(refused.getMessage().contains("broadcaster.cluster.engine"), refused.getMessage());
        assertTrue(refused.getMessage().contains("'" + engine + "'"), refused.getMessage());
        return refused.getMessage();
    }

    /** An engine with a no-argument constructor only. */
    public static final class WithoutTheConstructor implements ClusterEngine {
        @Override public void start(ClusterNode node) { }
        @Override public boolean ready() { return false; }
        @Override public boolean publish(String channel, SseEvent event, Set<String> exclude, long opId) { return false; }
        @Override public void send(String connectionId, SseEvent event) { }
        @Override public void kill(String channel) { }
        @Override public void disconnect(String channel, String user) { }
        @Override public void joined(ConnectionInfo connection) { }
        @Override public void left(ConnectionInfo connection) { }
        @Override public Optional<Replay> replay(String channel, String lastEventId) { return Optional.empty(); }
        @Override public Replay latest(String channel, int count) { return new Replay(0, List.of()); }
        @Override public List<ConnectionInfo> connections(String channel) { return List.of(); }
        @Override public List<ChannelInfo> channels() { return List.of(); }
        @Override public Optional<ConnectionInfo> connection(String connectionId) { return Optional.empty(); }
        @Override public void close() { }
    }
}
