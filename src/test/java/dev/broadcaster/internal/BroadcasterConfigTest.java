package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BroadcasterConfigTest {

    static BroadcasterSettings read(Map<String, String> values) {
        return BroadcasterConfig.read(new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(values, "test", 500)).build());
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertEquals(new BroadcasterSettings(Duration.ofSeconds(15), 100, 1024 * 1024, 50, Duration.ofMillis(100),
                "/sse", false, true, Duration.ofSeconds(30), 64 * 1024, ClusterSettings.none(Duration.ofSeconds(15)),
                java.util.List.of(), 100, 50_000, 10_000, Duration.ofSeconds(2), Duration.ofSeconds(5), 4L * 1024 * 1024,
                1024L * 1024, Duration.ofSeconds(30), 10_000),
                read(Map.of()));
    }

    @Test
    void theRedisEngineNeedsAUriAndTheNodeTimeoutFollowsTheHeartbeat() {
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> read(Map.of("broadcaster.cluster.engine", "redis")));
        assertTrue(missing.getMessage().contains("broadcaster.cluster.redis.uri"), missing.getMessage());
        ClusterSettings cluster = read(Map.of("broadcaster.cluster.engine", "redis", "broadcaster.cluster.redis.uri",
                "redis://127.0.0.1:6390", "broadcaster.heartbeat-interval", "2s")).cluster();
        assertEquals(new ClusterSettings("redis", java.net.URI.create("redis://127.0.0.1:6390"), "broadcaster",
                Duration.ofSeconds(2)), cluster);
        IllegalStateException wrongEngine = assertThrows(IllegalStateException.class,
                () -> read(Map.of("broadcaster.cluster.engine", "kafka")));
        assertTrue(wrongEngine.getMessage().contains("broadcaster.cluster.engine"), wrongEngine.getMessage());
        for (String wrong : new String[] {"http://example.org:6379", "redis://example.org", "redis://example.org:6379/x"}) {
            assertThrows(IllegalStateException.class, () -> read(Map.of("broadcaster.cluster.engine", "redis",
                    "broadcaster.cluster.redis.uri", wrong)), wrong);
        }
        assertEquals(java.net.URI.create("redis://:pw@example.org:6379/2"), read(Map.of("broadcaster.cluster.engine",
                "redis", "broadcaster.cluster.redis.uri", "redis://:pw@example.org:6379/2")).cluster().redisUri());
    }

    @Test
    void durationsAcceptShortFormsAndIso8601() {
        assertEquals(Duration.ofSeconds(15), read(Map.of("broadcaster.heartbeat-interval", "15s")).heartbeatInterval());
        assertEquals(Duration.ofMillis(250), read(Map.of("broadcaster.send-timeout", "250ms")).sendTimeout());
        assertEquals(Duration.ofSeconds(20), read(Map.of("broadcaster.heartbeat-interval", "PT20S")).heartbeatInterval());
        assertEquals(Duration.ofMinutes(2), read(Map.of("broadcaster.heartbeat-interval", "2m")).heartbeatInterval());
    }

    @Test
    void sizesAcceptBytesAndBinaryUnits() {
        assertEquals(65536, read(Map.of("broadcaster.max-message-size", "64KiB")).maxMessageSize());
        assertEquals(2 * 1024 * 1024, read(Map.of("broadcaster.queue-bytes", "2MiB")).queueBytes());
        assertEquals(1000, read(Map.of("broadcaster.queue-bytes", "1000")).queueBytes());
    }

    @Test
    void pathLosesItsTrailingSlash() {
        assertEquals("/api/sse", read(Map.of("broadcaster.path", "/api/sse/")).path());
    }

    @Test
    void allowedOriginsAreNormalisedAsBrowsersSendThem() {
        assertEquals(java.util.List.of("https://app.example.org", "http://localhost:9080"),
                read(Map.of("broadcaster.allowed-origins", " HTTPS://App.Example.org:443 , http://localhost:9080")).allowedOrigins());
        for (String wrong : new String[] {"app.example.org", "https://app.example.org/path", "ftp://x.org", "null",
                "https://user@app.example.org"}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> read(Map.of("broadcaster.allowed-origins", wrong)), wrong);
            assertTrue(e.getMessage().contains("broadcaster.allowed-origins"), e.getMessage());
        }
    }

    @Test
    void theReplayTimeoutIsNeverShorterThanTheSendTimeout() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> read(Map.of(
                "broadcaster.send-timeout", "2s", "broadcaster.replay-timeout", "1s")));
        assertTrue(e.getMessage().contains("broadcaster.replay-timeout"), e.getMessage());
    }
}
