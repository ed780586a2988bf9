package dev.broadcaster.cluster;

import dev.broadcaster.support.HttpCalls;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import redis.clients.jedis.Jedis;

/**
 * What publishes to channels nobody is on cost Redis, measured with real processes (not a test: run by hand, about
 * three minutes): one node on a fresh Redis publishes one 60 KB event to each of 1,000 channel names no node has a
 * connection on, and the stream keys, their time to live and Redis's {@code used_memory} are read right after the
 * last one was written, and again once the idle retention passed; with the defaults, then with
 * {@code broadcaster.cluster.max-idle-streams=100}.
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt
 * java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) dev.broadcaster.cluster.StreamGrowthMeasurement
 * </pre>
 */
public final class StreamGrowthMeasurement {

    private static final int CHANNELS = 1000;
    private static final int SIZE = 60_000;

    private StreamGrowthMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("| settings | stream keys after the publishes | longest TTL | used_memory before -> after"
                + " | stream keys after the retention | used_memory then |");
        System.out.println("|---|---|---|---|---|---|");
        measure("defaults (idle retention 60 s, at most 1,000 idle streams)", Map.of());
        measure("max-idle-streams=100", Map.of("broadcaster.cluster.max-idle-streams", "100"));
    }

    private static void measure(String label, Map<String, String> settings) throws Exception {
        Map<String, String> all = new LinkedHashMap<>(Map.of("broadcaster.heartbeat-interval", "15s"));
        all.putAll(settings);
        try (Cluster cluster = Cluster.start("growth-measure", 1, all); Jedis jedis = cluster.redis.jedis()) {
            long before = usedMemory(jedis);
            String data = "x".repeat(SIZE);
            for (int n = 1; n <= CHANNELS; n++) {
                HttpResponse<String> response = HttpCalls.postJson(cluster.node(0).uri("control/broadcast/unused-" + n),
                        "alice", data);
                if (response.statusCode() != 204) {
                    throw new IllegalStateException("publish " + n + ": " + response.statusCode());
                }
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!jedis.exists("broadcaster:stream:unused-" + CHANNELS) && System.nanoTime() < deadline) {
                Thread.sleep(10); // the writer queues; wait for the last publish to reach Redis
            }
            long keys = jedis.keys("broadcaster:stream:*").size();
            long ttl = jedis.keys("broadcaster:stream:*").stream().mapToLong(jedis::pttl).max().orElse(-2);
            long after = usedMemory(jedis);
            long retentionEnd = System.nanoTime() + 120_000_000_000L;
            while (!jedis.keys("broadcaster:stream:*").isEmpty() && System.nanoTime() < retentionEnd) {
                Thread.sleep(500);
            }
            long keysLater = jedis.keys("broadcaster:stream:*").size();
            System.out.printf("| %s | %,d | %,d ms | %.1f MiB -> %.1f MiB | %,d | %.1f MiB |%n", label, keys, ttl,
                    before / 1048576.0, after / 1048576.0, keysLater, usedMemory(jedis) / 1048576.0);
        }
    }

    private static long usedMemory(Jedis jedis) {
        for (String line : jedis.info("memory").split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        throw new IllegalStateException("no used_memory");
    }
}
