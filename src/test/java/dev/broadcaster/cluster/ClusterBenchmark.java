package dev.broadcaster.cluster;

import dev.broadcaster.support.HttpCalls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster's figures, measured with real processes on this machine (not a test: run by hand).
 * <ul>
 *   <li>Delivery latency, from just before the publishing HTTP request to the client reading the event, for
 *       clients on the publishing node and on the two other nodes of a 3-node Redis cluster, against a
 *       single node without a cluster engine started in the same run.</li>
 *   <li>Events per second through the backplane: every node fires {@link #BURST} {@code Broadcast} events at
 *       once, and every event is counted at one client per node.</li>
 * </ul>
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt
 * java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) dev.broadcaster.cluster.ClusterBenchmark
 * </pre>
 */
public final class ClusterBenchmark {

    private static final int EVENTS = 2000;
    private static final int RATE = 200;
    private static final int CLIENTS_PER_NODE = 20;
    private static final int BURST = 20_000;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ClusterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        // queues long enough for a burst: this measures the backplane, not the eviction of slow readers
        Map<String, String> quiet = Map.of("broadcaster.heartbeat-interval", "15s", "broadcaster.history-size", "50",
                "broadcaster.queue-size", "1000000", "broadcaster.queue-bytes", "256MiB");
        try (NodeProcess single = NodeProcess.start("bench-single", Map.of("broadcaster.heartbeat-interval", "15s"));
             Cluster cluster = Cluster.start("bench", 3, quiet)) {
            System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores; Redis, 4 node JVMs"
                    + " and this client on the same machine, loopback");
            latency("single node (no engine)", single, List.of(single), "warm-single");
            latency("3-node cluster", cluster.node(0), cluster.nodes, "warm-cluster");
            Map<String, List<Long>> singleRun = latency("single node (no engine)", single, List.of(single), "lat-single");
            Map<String, List<Long>> clusterRun = latency("3-node cluster", cluster.node(0), cluster.nodes, "lat-cluster");
            System.out.println();
            System.out.println("| clients | p50 (ms) | p99 (ms) |");
            System.out.println("|---|---|---|");
            print("single node, same node as the publisher", singleRun.get(single.name()));
            print("cluster, on the publishing node", clusterRun.get(cluster.node(0).name()));
            List<Long> other = new ArrayList<>(clusterRun.get(cluster.node(1).name()));
            other.addAll(clusterRun.get(cluster.node(2).name()));
            print("cluster, on the two other nodes", other);
            throughput(cluster);
        }
    }

    /** Publishes {@link #EVENTS} at {@link #RATE}/s on {@code publisher}; latencies per node name, in ns. */
    private static Map<String, List<Long>> latency(String label, NodeProcess publisher, List<NodeProcess> nodes,
                                                   String channel) throws Exception {
        Map<String, List<Long>> byNode = new LinkedHashMap<>();
        List<Reader> readers = new ArrayList<>();
        for (NodeProcess node : nodes) {
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            byNode.put(node.name(), latencies);
            for (int i = 0; i < CLIENTS_PER_NODE; i++) {
                readers.add(Reader.open(node.uri("sse/channels/" + channel), EVENTS, latencies));
            }
        }
        awaitRegistered(nodes.get(0), channel, nodes.size() * CLIENTS_PER_NODE);
        long start = System.nanoTime();
        for (int n = 0; n < EVENTS; n++) {
            long due = start + n * (1_000_000_000L / RATE);
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            post(publisher.uri("control/broadcast/" + channel), "t=" + System.nanoTime());
        }
        for (Reader reader : readers) {
            if (!reader.done.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(label + ": a client got " + reader.received + " of " + EVENTS);
            }
            reader.close();
        }
        return byNode;
    }

    private static void throughput(Cluster cluster) throws Exception {
        String channel = "throughput";
        List<AtomicLong> counts = new ArrayList<>();
        List<Reader> readers = new ArrayList<>();
        for (NodeProcess node : cluster.nodes) {
            AtomicLong count = new AtomicLong();
            counts.add(count);
            readers.add(Reader.counting(node.uri("sse/channels/" + channel), count));
        }
        awaitRegistered(cluster.node(0), channel, cluster.nodes.size());
        long started = System.nanoTime();
        List<Thread> publishers = new ArrayList<>();
        for (NodeProcess node : cluster.nodes) {
            Thread publisher = new Thread(() -> post(node.uri("control/burst/" + channel + "/" + BURST), node.name()));
            publishers.add(publisher);
            publisher.start();
        }
        for (Thread publisher : publishers) {
            publisher.join();
        }
        long total = (long) BURST * cluster.nodes.size();
        for (AtomicLong count : counts) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (count.get() < total && System.nanoTime() < deadline) {
                Thread.sleep(5); // polling interval while the last events drain
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.println();
        System.out.printf("throughput, 3 nodes each firing %d Broadcast events at once: %d events in %.2f s;"
                + " delivered per node: %s; %.0f events/s through the backplane%n", BURST, total, seconds, counts,
                total / seconds);
        readers.forEach(Reader::close);
    }

    private static void awaitRegistered(NodeProcess node, String channel, int connections) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String listing = HttpCalls.get(node.uri("sse/channels/" + channel + "/users"), "alice").body();
            if (listing.split("\"bob\"", -1).length - 1 >= connections + 1) { // once per connection, once as a distinct user
                return;
            }
            Thread.sleep(20); // polling interval of a deadline-bound wait
        }
        throw new IllegalStateException("connections not registered in time");
    }

    private static void post(URI uri, String body) {
        HttpResponse<String> response = HttpCalls.postJson(uri, "alice", body);
        if (response.statusCode() != 204) {
            throw new IllegalStateException("publish answered " + response.statusCode());
        }
    }

    private static void print(String label, List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        System.out.printf("| %s | %.2f | %.2f |%n", label, sorted.get(sorted.size() / 2) / 1e6,
                sorted.get((int) (sorted.size() * 0.99)) / 1e6);
    }

    /** One SSE client on its own thread, reading data lines. */
    private static final class Reader implements AutoCloseable {
        final CountDownLatch done = new CountDownLatch(1);
        volatile int received;
        private final Thread thread;
        private volatile java.io.InputStream body;

        private Reader(URI uri, int expected, List<Long> latencies, AtomicLong count) {
            CountDownLatch open = new CountDownLatch(1);
            thread = new Thread(() -> {
                try {
                    HttpRequest request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
                            .header("Authorization", HttpCalls.basic("bob", "bob-pw")).GET().build();
                    body = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream()).body();
                    open.countDown();
                    BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (!line.startsWith("data: ")) {
                            continue;
                        }
                        long now = System.nanoTime();
                        if (latencies != null && line.startsWith("data: t=")) {
                            latencies.add(now - Long.parseLong(line.substring(8)));
                        }
                        if (count != null) {
                            count.incrementAndGet();
                        }
                        if (++received == expected) {
                            done.countDown();
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    // closed
                } finally {
                    open.countDown();
                }
            });
            thread.setDaemon(true);
            thread.start();
            try {
                open.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        static Reader open(URI uri, int expected, List<Long> latencies) {
            return new Reader(uri, expected, latencies, null);
        }

        static Reader counting(URI uri, AtomicLong count) {
            return new Reader(uri, -1, null, count);
        }

        @Override
        public void close() {
            try {
                if (body != null) {
                    body.close();
                }
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
