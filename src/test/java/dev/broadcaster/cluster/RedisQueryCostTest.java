package dev.broadcaster.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisMonitor;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;

/**
 * What a node's own figures cost Redis when the cluster has thousands of channels: a readiness probe, {@code stats()}
 * and a metrics scrape each run the same few Redis commands whatever the number of channels, and a scrape reads the
 * registry once for all its gauges.
 *
 * <p>The channels are another node's. The test registers them in Redis as a node's writer does (its connection in
 * the channel's hash and in the connection index, the node's set, the channels set, and a beat far ahead so that no
 * node reaps it early), because one client may open only so many connections
 * ({@code broadcaster.max-connections-per-user}); afterwards that node "dies" (its beat set in the past) and the
 * real node reaps it, as it would a crashed node.
 *
 * <p>Redis commands are counted with {@code MONITOR}, between two markers the test sends: every command that a
 * client ran meanwhile except the engine's background work, which runs on its own clock whatever is asked (its
 * writer's scripts, {@code EVAL}/{@code EVALSHA} and the commands they run, and liveness {@code PING}s).
 */
class RedisQueryCostTest {

    private static final String PREFIX = "broadcaster";
    private static final String OTHER_NODE = "other-node";
    private static final Set<String> BACKGROUND = Set.of("eval", "evalsha", "ping");
    private static final int PROBES = 21;

    private static Cluster cluster;
    private static NodeProcess node;
    private static Jedis redis;
    private int registered;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start("cost", 1, Map.of(ClusterNodeMain.RECORDING_METRICS, "true"));
        node = cluster.node(0);
        redis = new Jedis(URI.create(cluster.redis.uri()), DefaultJedisClientConfig.builder().build());
    }

    @AfterAll
    static void stopCluster() {
        if (redis != null) {
            redis.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * The other node dies: the node reaps its connections, as it would a crashed node's, and announces each of its
     * channels' presence change on the bus. The reaping is one script, the announcements a command each after it;
     * the next test starts when the last is out, or its count would see some of them.
     */
    @AfterEach
    void otherNodeDies() throws InterruptedException {
        Set<String> announced = ConcurrentHashMap.newKeySet();
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onMessage(String bus, String message) {
                announced.add(message.substring(message.lastIndexOf('\t') + 1)); // presence, node, channel
            }
        };
        Thread eavesdropper = new Thread(() -> {
            try (Jedis jedis = cluster.redis.jedis()) {
                jedis.subscribe(listener, PREFIX + ":bus");
            }
        }, "bus-eavesdropper");
        eavesdropper.start();
        try {
            Eventually.equalTo(true, listener::isSubscribed, "listening to the bus");
            redis.zadd(PREFIX + ":nodes", 0, OTHER_NODE);
            Eventually.equalTo(0L, () -> redis.scard(PREFIX + ":channels"), "the other node's channels reaped");
            Eventually.equalTo(true, () -> IntStream.range(0, registered)
                    .allMatch(i -> announced.contains("room-" + i)), "the reaped channels announced");
        } finally {
            listener.unsubscribe();
            eavesdropper.join();
        }
        registered = 0;
    }

    @Test
    void aReadinessProbeAndStatsRunTheSameFewRedisCommandsWith30Or3000Channels() {
        otherNodeHasChannels(30);
        assertTrue(readiness().contains("channels=30"), readiness()); // and the node's query connection is open
        long probe30 = commandsDuring(RedisQueryCostTest::readiness);
        long stats30 = commandsDuring(RedisQueryCostTest::stats);

        otherNodeHasChannels(3000);
        String ready = readiness();
        assertTrue(ready.startsWith("UP") && ready.contains("channels=3000"), ready);
        assertTrue(stats().contains("channels=3000"), stats());
        long probe3000 = commandsDuring(RedisQueryCostTest::readiness);
        long stats3000 = commandsDuring(RedisQueryCostTest::stats);
        System.out.println("Redis commands per readiness probe: " + probe30 + " with 30 channels, " + probe3000
                + " with 3000; per stats(): " + stats30 + " and " + stats3000 + "; median time with 3000 channels: "
                + medianMillis(RedisQueryCostTest::readiness) + " ms per readiness probe (over HTTP), "
                + Cluster.text(node, "control/stats/time/" + PROBES) + " µs per stats() (in the node; " + PROBES
                + " calls each)");

        assertEquals(probe30, probe3000, "Redis commands per readiness probe with 30, then 3000 channels");
        assertEquals(stats30, stats3000, "Redis commands per stats() with 30, then 3000 channels");
        assertTrue(probe3000 <= 2, "Redis commands per readiness probe: " + probe3000);
    }

    @Test
    void allGaugesOfOneMetricsScrapeShareOneReading() {
        otherNodeHasChannels(3000);
        long oneReading = commandsDuring(RedisQueryCostTest::stats);
        Map<String, String> scraped = new HashMap<>();
        long[] took = new long[1];
        long scrape = commandsDuring(() -> {
            long start = System.nanoTime();
            String text = Cluster.text(node, "control/scrape");
            took[0] = System.nanoTime() - start;
            for (String line : text.split("\n")) {
                scraped.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        });
        System.out.println("Redis commands per metrics scrape (" + scraped.size() + " gauges) with 3000 channels: "
                + scrape + "; per stats(): " + oneReading + "; the scrape took " + took[0] / 1_000_000 + " ms (over"
                + " HTTP, Redis MONITORed)");

        assertEquals("3000", scraped.get("broadcaster.channels"), scraped.toString());
        assertTrue(scraped.size() > 10, "the gauges scraped: " + scraped.keySet());
        assertEquals(oneReading, scrape, "Redis commands per scrape of " + scraped.size() + " gauges");
    }

    @Test
    void anAdminPageSnapshotRunsOneRedisCommandWith3000Channels() {
        otherNodeHasChannels(3000);
        long snapshot = commandsDuring(() -> {
            try (SseStream admin = SseStream.connect(node.uri("sse/admin/events"), "alice")) {
                admin.awaitEvent(event -> "snapshot".equals(event.type()), "the admin page's first snapshot");
            }
        });
        System.out.println("Redis commands per admin page snapshot with 3000 channels: " + snapshot);
        assertEquals(1, snapshot, "Redis commands per admin page snapshot");
    }

    @Test
    void theChannelCountIsTheClustersChannelsAndThisNodesCreatedOnesEachOnce() {
        otherNodeHasChannels(30);
        // created here and nobody joined yet: room-0 is the other node's too, only-here is this node's alone
        HttpCalls.postJson(node.uri("control/presence/room-0"), "alice", "");
        HttpCalls.postJson(node.uri("control/presence/only-here"), "alice", "");
        assertTrue(stats().contains("channels=31"), stats());
        try (SseStream bob = SseStream.connect(Cluster.stream(node, "only-here"), "bob");
             SseStream carol = SseStream.connect(Cluster.stream(node, "also-here"), "carol")) {
            Eventually.equalTo(true, () -> redis.sismember(PREFIX + ":channels", "also-here"), "carol's join in Redis");
            assertTrue(stats().contains("channels=32"), stats());
            assertTrue(readiness().contains("channels=32"), readiness());
        }
    }

    // ---- the other node's channels, as its writer registers them ----

    /** The other node has one connection on each of {@code room-0} ... {@code room-<count - 1>}. */
    private void otherNodeHasChannels(int count) {
        Pipeline pipeline = redis.pipelined();
        pipeline.zadd(PREFIX + ":nodes", Long.MAX_VALUE / 2, OTHER_NODE);
        for (int i = registered; i < count; i++) {
            String channel = "room-" + i;
            String connection = "conn-" + i;
            pipeline.hset(PREFIX + ":ch:" + channel, connection, OTHER_NODE + "\t" + System.currentTimeMillis()
                    + "\tuser-" + i);
            pipeline.hset(PREFIX + ":conn", connection, channel);
            pipeline.sadd(PREFIX + ":node:" + OTHER_NODE, channel + "\t" + connection);
            pipeline.sadd(PREFIX + ":channels", channel);
        }
        pipeline.sync();
        registered = Math.max(registered, count);
    }

    // ---- probes and their cost ----

    private static String readiness() {
        return Cluster.text(node, "control/ready");
    }

    private static String stats() {
        return Cluster.text(node, "control/stats");
    }

    /**
     * The Redis commands the node ran while {@code action} ran, but for its background work (see the class): a
     * {@code MONITOR} connection, opened for this count only (it slows Redis down), sees every command between two
     * markers the test sends.
     */
    private static long commandsDuring(Runnable action) {
        List<String> lines = new ArrayList<>(); // guarded by itself
        Jedis monitor = new Jedis(URI.create(cluster.redis.uri()), DefaultJedisClientConfig.builder().build());
        Thread thread = new Thread(() -> {
            try {
                monitor.monitor(new JedisMonitor() {
                    @Override
                    public void onCommand(String command) {
                        synchronized (lines) {
                            lines.add(command);
                        }
                    }
                });
            } catch (RuntimeException e) {
                // disconnected below
            }
        }, "redis-monitor");
        thread.setDaemon(true);
        thread.start();
        try {
            Eventually.equalTo(true, () -> {
                redis.echo("start");
                return copy(lines).stream().anyMatch(line -> line.endsWith("\"start\""));
            }, "MONITOR listening");
            redis.echo("run");
            action.run();
            redis.echo("end");
            Eventually.equalTo(true, () -> copy(lines).stream().anyMatch(line -> line.endsWith("\"end\"")),
                    "the end seen");
        } finally {
            monitor.disconnect();
        }
        List<String> seen = copy(lines);
        long run = 0;
        boolean running = false;
        for (String line : seen) {
            if (line.endsWith("\"run\"")) {
                running = true;
            } else if (line.endsWith("\"end\"")) {
                break;
            } else if (running && !line.contains(" lua] ") && !BACKGROUND.contains(command(line))) {
                run++;
            }
        }
        return run;
    }

    private static List<String> copy(List<String> lines) {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The command of a MONITOR line: {@code 1700000000.123456 [0 127.0.0.1:4242] "HGETALL" "key"}. */
    private static String command(String line) {
        int open = line.indexOf('"', line.indexOf(']'));
        return line.substring(open + 1, line.indexOf('"', open + 1)).toLowerCase(java.util.Locale.ROOT);
    }

    /** The median time of {@value #PROBES} calls, in milliseconds (measured, never asserted). */
    private static double medianMillis(Supplier<String> probe) {
        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < PROBES; i++) {
            long start = System.nanoTime();
            probe.get();
            nanos.add(System.nanoTime() - start);
        }
        nanos.sort(Long::compare);
        return Math.round(nanos.get(PROBES / 2) / 10_000.0) / 100.0;
    }
}
