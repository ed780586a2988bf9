package dev.broadcaster.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.SseStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Redis keeps a channel's stream for a day only while some node has a connection on it: publishes to channels
 * nobody is on keep a short stream ({@code broadcaster.cluster.idle-stream-retention}), and at most
 * {@code broadcaster.cluster.max-idle-streams} of them, the most recently published.
 */
class RedisStreamGrowthTest {

    private static final long RETENTION_MS = 3000;
    private static final int MAX_IDLE = 20;
    private static final long DAY_MS = Duration.ofHours(24).toMillis();
    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start("growth", 2, Map.of("broadcaster.cluster.idle-stream-retention", RETENTION_MS + "ms",
                "broadcaster.cluster.max-idle-streams", Integer.toString(MAX_IDLE)));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void publishesToChannelsNobodyIsOnKeepShortStreamsAndNoMoreThanTheCap() {
        String data = "x".repeat(1000);
        Set<String> newest = IntStream.rangeClosed(31, 50).mapToObj(n -> "broadcaster:stream:unused-" + n)
                .collect(Collectors.toCollection(TreeSet::new));
        for (int n = 1; n <= 50; n++) {
            Cluster.broadcast(cluster.node(0), "unused-" + n, data); // one writer: Redis sees them in this order
            Set<String> kept = streams("unused-*");
            assertTrue(kept.size() <= MAX_IDLE, "at most " + MAX_IDLE + " idle streams, after publish " + n + ": "
                    + kept.size());
        }
        String last = "broadcaster:stream:unused-50";
        Eventually.equalTo(true, () -> streams("unused-*").contains(last), "the latest stream stored");
        // the 20 most recently published are kept, unless (on a slow machine) the oldest of them already expired
        Set<String> kept = streams("unused-*");
        assertTrue(newest.containsAll(kept), "only the " + MAX_IDLE + " most recently published kept: " + kept);
        try (Jedis jedis = cluster.redis.jedis()) {
            // (the other tests' idle streams count against the same cap, so fewer than 20 may be left)
            for (String key : kept) {
                long ttl = jedis.pttl(key);
                // -2: it expired (or was evicted) since it was listed
                assertTrue(ttl == -2 || ttl > 0 && ttl <= RETENTION_MS, key + " expires within the idle retention: "
                        + ttl + " ms");
            }
        }
        Eventually.equalTo(Set.of(), () -> streams("unused-*"), "every idle stream gone after the retention");
    }

    @Test
    void aChannelsStreamIsKeptADayWhileSomeoneIsOnItAndShortOnceTheLastOneLeft() {
        String channel = "busy";
        try (SseStream bob = SseStream.connect(Cluster.stream(cluster.node(0), channel), "bob")) {
            Eventually.equalTo(1L, () -> connectionsInRedis(channel), "bob's join recorded");
            Cluster.broadcast(cluster.node(1), channel, "one");
            bob.awaitData("one");
            assertTrue(pttl(channel) > DAY_MS - 60_000, "kept a day while bob is on it: " + pttl(channel));
        }
        Eventually.equalTo(true, () -> pttl(channel) > 0 && pttl(channel) <= RETENTION_MS,
                "short once the last connection left");
        try (SseStream carol = SseStream.connect(Cluster.stream(cluster.node(1), channel), "carol")) {
            Eventually.equalTo(true, () -> pttl(channel) > DAY_MS - 60_000, "a day again once carol joined");
            Cluster.broadcast(cluster.node(0), channel, "two");
            carol.awaitData("two");
            assertTrue(pttl(channel) > DAY_MS - 60_000, "still a day after a publish: " + pttl(channel));
        }
    }

    @Test
    void aClientThatLeftResumesOnAnotherNodeWithinTheIdleRetention() {
        String channel = "brief-absence";
        String lastId;
        try (SseStream bob = SseStream.connect(Cluster.stream(cluster.node(0), channel), "bob")) {
            Cluster.broadcast(cluster.node(0), channel, "before");
            lastId = bob.awaitData("before").lastEventId();
        }
        Eventually.equalTo(0L, () -> connectionsInRedis(channel), "bob's leave recorded: nobody on the channel");
        Cluster.broadcast(cluster.node(0), channel, "while away");
        try (SseStream back = SseStream.connect(Cluster.stream(cluster.node(1), channel), "bob", lastId)) {
            back.awaitData("while away");
            assertEquals(List.of("while away"), back.events().stream().map(EventStreamParser.Event::data).toList());
        }
    }

    @Test
    void theStreamsOfADeadNodesChannelsTurnShort() {
        String channel = "orphaned";
        try (NodeProcess doomed = NodeProcess.start("growth-doomed", Map.of("broadcaster.cluster.engine", "redis",
                "broadcaster.cluster.redis.uri", cluster.redis.uri(), "broadcaster.heartbeat-interval", Cluster.HEARTBEAT,
                "broadcaster.cluster.idle-stream-retention", RETENTION_MS + "ms"))) {
            Eventually.equalTo(true, () -> Cluster.ready(doomed), "the doomed node ready");
            SseStream bob = SseStream.connect(Cluster.stream(doomed, channel), "bob");
            Eventually.equalTo(1L, () -> connectionsInRedis(channel), "bob's join recorded");
            Cluster.broadcast(cluster.node(0), channel, "one");
            bob.awaitData("one");
            assertTrue(pttl(channel) > DAY_MS - 60_000, "kept a day while bob is on it");
            doomed.kill();
            Eventually.equalTo(0L, () -> connectionsInRedis(channel), "the dead node's connections reaped");
            long ttl = pttl(channel);
            assertTrue(ttl > 0 && ttl <= RETENTION_MS, "short once the node that had bob is gone: " + ttl);
        }
    }

    private static long pttl(String channel) {
        try (Jedis jedis = cluster.redis.jedis()) {
            return jedis.pttl("broadcaster:stream:" + channel);
        }
    }

    private static long connectionsInRedis(String channel) {
        try (Jedis jedis = cluster.redis.jedis()) {
            return jedis.hlen("broadcaster:ch:" + channel);
        }
    }

    private static Set<String> streams(String pattern) {
        try (Jedis jedis = cluster.redis.jedis()) {
            return new TreeSet<>(jedis.keys("broadcaster:stream:" + pattern));
        }
    }
}
