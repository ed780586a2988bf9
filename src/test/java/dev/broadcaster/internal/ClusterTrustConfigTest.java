package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cluster's secret and its limits on idle streams, as configured. */
class ClusterTrustConfigTest {

    private static final Map<String, String> REDIS = Map.of("broadcaster.cluster.engine", "redis",
            "broadcaster.cluster.redis.uri", "rediss://:pw@redis.internal:6380");

    private static ClusterSettings read(Map<String, String> more) {
        Map<String, String> all = new java.util.HashMap<>(REDIS);
        all.putAll(more);
        return BroadcasterConfigTest.read(all).cluster();
    }

    @Test
    void byDefaultNothingIsSignedAndIdleStreamsAreKeptAMinuteAThousandAtMost() {
        ClusterSettings cluster = read(Map.of());
        assertNull(cluster.secret());
        assertNull(cluster.acceptedSecret());
        assertEquals(Duration.ofSeconds(60), cluster.idleStreamRetention());
        assertEquals(1000, cluster.maxIdleStreams());
    }

    @Test
    void theSecretsAndLimitsAreRead() {
        ClusterSettings cluster = read(Map.of("broadcaster.cluster.secret", "0123456789abcdef",
                "broadcaster.cluster.accepted-secret", "fedcba9876543210", "broadcaster.cluster.idle-stream-retention",
                "5m", "broadcaster.cluster.max-idle-streams", "50"));
        assertEquals("0123456789abcdef", cluster.secret());
        assertEquals("fedcba9876543210", cluster.acceptedSecret());
        assertEquals(Duration.ofMinutes(5), cluster.idleStreamRetention());
        assertEquals(50, cluster.maxIdleStreams());
    }

    @Test
    void aShortSecretStopsTheStartWithoutShowingIt() {
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> read(Map.of("broadcaster.cluster.secret", "hunter2")));
        assertTrue(error.getMessage().contains("broadcaster.cluster.secret"), error.getMessage());
        assertTrue(error.getMessage().contains("16 characters"), error.getMessage());
        assertFalse(error.getMessage().contains("hunter2"), error.getMessage());
    }

    @Test
    void anAcceptedSecretNeedsASecretToSignWith() {
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> read(Map.of("broadcaster.cluster.accepted-secret", "fedcba9876543210")));
        assertTrue(error.getMessage().contains("broadcaster.cluster.secret"), error.getMessage());
    }

    @Test
    void idleStreamLimitsMustBePositive() {
        assertThrows(IllegalStateException.class, () -> read(Map.of("broadcaster.cluster.idle-stream-retention", "0s")));
        assertThrows(IllegalStateException.class, () -> read(Map.of("broadcaster.cluster.max-idle-streams", "0")));
    }

    @Test
    void theSettingsNeverShowTheSecretsNorTheRedisPassword() {
        String shown = BroadcasterConfigTest.read(Map.of("broadcaster.cluster.engine", "redis",
                "broadcaster.cluster.redis.uri", "rediss://:redis-password@redis.internal:6380",
                "broadcaster.cluster.secret", "0123456789abcdef", "broadcaster.cluster.accepted-secret",
                "fedcba9876543210")).toString();
        assertFalse(shown.contains("0123456789abcdef") || shown.contains("fedcba9876543210"), shown);
        assertFalse(shown.contains("redis-password"), shown);
        assertTrue(shown.contains("rediss://redis.internal:6380"), shown);
    }
}
