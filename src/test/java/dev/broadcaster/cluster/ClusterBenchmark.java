package dev.broadcaster.cluster;

import dev.broadcaster.cluster.BenchTools.BusListeners;
import dev.broadcaster.cluster.BenchTools.RedisMeter;
import dev.broadcaster.cluster.BenchTools.RedisReading;
import dev.broadcaster.cluster.BenchTools.SseClient;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The cluster's figures and the inputs of its capacity model, measured with real processes on this machine (not a
 * test: run by hand). Each run starts Redis, {@code N} nodes and a single node without a cluster engine (the same-run
 * baseline), each in its own JVM, and measures:
 * <ul>
 *   <li>delivery latency, from just before the publishing HTTP request to the client reading the event, at
 *       {@value #RATE} events/s, for {@value #CLIENTS_PER_NODE} clients on the publishing node, on the other nodes
 *       and on the single node;</li>
 *   <li>events per second through the backplane: every node fires a burst of {@code Broadcast} events at once,
 *       each counted at one client per node (and the single node's own burst);</li>
 *   <li>the model's inputs, on the last node while the first one publishes bursts of {@value #TYPICAL_BYTES}-byte
 *       events: its CPU per bus message of a channel it has no connection on ({@code c_foreign}), and per event of
 *       a channel it has 1 and {@value #COST_CLIENTS} connections on; Redis's CPU and bytes per publish, and per
 *       extra subscriber of the bus (plain subscribers that stand for more nodes); Redis's memory per connection
 *       and per channel stream. CPU is the JVM's (user + system, all threads) less its idle rate over a quiet
 *       window, and Redis's {@code used_cpu_user + used_cpu_sys}.</li>
 * </ul>
 * Runs go round the node counts ({@code 2 3 4 2 3 4 ...}) so that a change in the machine's load falls on all of
 * them; before each run it waits (at most {@code --load-wait} seconds) for the 1-minute load to fall below
 * {@code --max-load}, and reports the load it ran at. The report gives medians of the runs, with their range.
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt
 * java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) dev.broadcaster.cluster.ClusterBenchmark \
 *     --nodes 2,3,4 --runs 3 [--max-load 3] [--load-wait 300] [--quick]
 * </pre>
 */
public final class ClusterBenchmark {

    private static final int RATE = 200;
    private static final int CLIENTS_PER_NODE = 20;
    private static final int COST_CLIENTS = 20;
    private static final int EXTRA_SUBSCRIBERS = 16;
    private static final int TYPICAL_BYTES = 200;
    private static final int LARGE_BYTES = 1000;
    private static final long IDLE_MILLIS = 3000;
    /** The first 15 characters of the Redis engine's thread names: the subscriber's, the writer's, the pinger's. */
    private static final String ENGINE_THREADS = "broadcaster-redis";
    // queues long enough for a burst: this measures the backplane, not the eviction of slow readers; every client
    // is the one user bob
    private static final Map<String, String> QUIET = Map.of("broadcaster.heartbeat-interval", "15s",
            "broadcaster.history-size", "50", "broadcaster.queue-size", "1000000", "broadcaster.queue-bytes", "256MiB",
            "broadcaster.max-connections-per-user", "1000");

    private final int events;
    private final int burst;
    private final int costEvents;
    private final int heldPerNode;
    private RedisMeter redis;
    private int markers;

    private ClusterBenchmark(boolean quick) {
        events = quick ? 400 : 2000;
        burst = quick ? 4000 : 20_000;
        costEvents = quick ? 4000 : 20_000;
        heldPerNode = quick ? 20 : 150;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        List<Integer> nodeCounts = Arrays.stream(options.getOrDefault("nodes", "2,3,4").split(","))
                .map(Integer::parseInt).toList();
        int runs = Integer.parseInt(options.getOrDefault("runs", "3"));
        double maxLoad = Double.parseDouble(options.getOrDefault("max-load", "3"));
        int loadWait = Integer.parseInt(options.getOrDefault("load-wait", "300"));
        boolean quick = options.containsKey("quick");
        System.out.println(BenchReport.machine());
        Map<Integer, List<Map<String, Double>>> results = new TreeMap<>();
        for (int run = 1; run <= runs; run++) {
            for (int nodes : nodeCounts) {
                double load = BenchReport.awaitLoad(maxLoad, loadWait);
                System.out.printf("run %d, %d nodes, 1-minute load %.2f%n", run, nodes, load);
                Map<String, Double> figures;
                try {
                    figures = new ClusterBenchmark(quick).run(nodes);
                } catch (RuntimeException e) {
                    System.out.println("  run failed, left out of the medians: " + e);
                    e.printStackTrace(System.out);
                    continue;
                }
                figures.put("load", load);
                System.out.println("  " + figures);
                results.computeIfAbsent(nodes, n -> new ArrayList<>()).add(figures);
            }
        }
        System.out.println(BenchReport.report(results));
    }

    private Map<String, Double> run(int n) throws Exception {
        Map<String, Double> f = new LinkedHashMap<>();
        try (NodeProcess single = NodeProcess.start("bench-single", QUIET);
             Cluster cluster = Cluster.start("bench", n, QUIET);
             RedisMeter meter = new RedisMeter(cluster.redis)) {
            redis = meter;
            latency(single, List.of(single), "warm-single");
            latency(cluster.node(0), cluster.nodes, "warm-cluster");
            Latency singleRun = latency(single, List.of(single), "lat-single");
            Latency clusterRun = latency(cluster.node(0), cluster.nodes, "lat-cluster");
            List<Long> other = new ArrayList<>();
            cluster.nodes.subList(1, n).forEach(node -> other.addAll(clusterRun.byNode.get(node.name())));
            putLatency(f, "lat.single", singleRun.byNode.get(single.name()));
            putLatency(f, "lat.publisher", clusterRun.byNode.get(cluster.node(0).name()));
            putLatency(f, "lat.other", other);
            throughput(f, cluster.nodes, "tput.cluster");
            throughput(f, List.of(single), "tput.single");
            f.put("tput.ratio", f.get("tput.cluster") / f.get("tput.single"));
            costs(f, cluster, single, clusterRun, singleRun);
            memory(f, cluster);
        }
        return f;
    }

    /** Latencies per node name (ns), Redis before and after, and the CPU seconds the last node used meanwhile. */
    private record Latency(Map<String, List<Long>> byNode, RedisReading before, RedisReading after, double lastNodeCpu) {
        double seconds() {
            return (after.nanos() - before.nanos()) / 1e9;
        }
    }

    /** Publishes {@link #events} at {@link #RATE}/s on {@code publisher}; latencies per node name, in ns. */
    private Latency latency(NodeProcess publisher, List<NodeProcess> nodes, String channel) {
        Map<String, List<Long>> byNode = new LinkedHashMap<>();
        List<SseClient> clients = new ArrayList<>();
        for (NodeProcess node : nodes) {
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            byNode.put(node.name(), latencies);
            for (int i = 0; i < CLIENTS_PER_NODE; i++) {
                clients.add(SseClient.open(node.uri("sse/channels/" + channel), latencies));
            }
        }
        BenchTools.awaitRegistered(nodes.get(0), channel, nodes.size() * CLIENTS_PER_NODE);
        NodeProcess last = nodes.get(nodes.size() - 1);
        double cpuBefore = last.cpu().toNanos() / 1e9;
        RedisReading before = redis.read();
        long start = System.nanoTime();
        for (int i = 0; i < events; i++) {
            long due = start + i * (1_000_000_000L / RATE);
            // sleeps until 0.2 ms before the event is due, then spins: on two cores a thread spinning for the whole
            // 5 ms would take a core from the nodes and Redis
            for (long left = due - System.nanoTime(); left > 200_000; left = due - System.nanoTime()) {
                LockSupport.parkNanos(left - 200_000);
            }
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            BenchTools.post(publisher.uri("control/broadcast/" + channel), "t=" + System.nanoTime());
        }
        BenchTools.awaitReceived(clients, events);
        RedisReading after = redis.read();
        double lastNodeCpu = last.cpu().toNanos() / 1e9 - cpuBefore;
        clients.forEach(SseClient::close);
        return new Latency(byNode, before, after, lastNodeCpu);
    }

    /** Every node fires {@link #burst} events at once; each is counted at one client per node. */
    private void throughput(Map<String, Double> f, List<NodeProcess> nodes, String key) throws Exception {
        String channel = "throughput";
        List<SseClient> clients = new ArrayList<>();
        for (NodeProcess node : nodes) {
            clients.add(SseClient.counting(node.uri("sse/channels/" + channel)));
        }
        BenchTools.awaitRegistered(nodes.get(0), channel, nodes.size());
        long total = (long) burst * nodes.size();
        double cpuBefore = cpuSeconds(nodes);
        RedisReading before = redis.read();
        List<Thread> publishers = new ArrayList<>();
        for (NodeProcess node : nodes) {
            Thread publisher = new Thread(() -> BenchTools.post(node.uri("control/burst/" + channel + "/" + burst), node.name()));
            publishers.add(publisher);
            publisher.start();
        }
        for (Thread publisher : publishers) {
            publisher.join();
        }
        BenchTools.awaitReceived(clients, total);
        RedisReading after = redis.read();
        double seconds = (after.nanos() - before.nanos()) / 1e9;
        f.put(key, total / seconds);
        f.put(key + ".nodeCpuUs", (cpuSeconds(nodes) - cpuBefore) / nodes.size() / total * 1e6);
        if (nodes.size() > 1) {
            f.put("redis.burst.cpuUs", (after.cpuSeconds() - before.cpuSeconds()) / total * 1e6);
            f.put("redis.burst.outBytes", (double) (after.netOut() - before.netOut()) / total);
            f.put("redis.burst.inBytes", (double) (after.netIn() - before.netIn()) / total);
        }
        clients.forEach(SseClient::close);
    }

    /** What a measured burst cost: the observer node's CPU (less idle), Redis's CPU and bytes. */
    private record Window(double seconds, double nodeCpu, double engineCpu, double redisCpu, long redisOut,
                          long redisIn) {
    }

    /**
     * The model's inputs: the last node (the observer) while the first one publishes bursts of typical events on
     * channels the observer has 0, 1 and {@link #COST_CLIENTS} connections on; the same on the single node.
     */
    private void costs(Map<String, Double> f, Cluster cluster, NodeProcess single, Latency paced, Latency singlePaced) {
        NodeProcess publisher = cluster.node(0);
        NodeProcess observer = cluster.node(cluster.nodes.size() - 1);
        String data = "m".repeat(TYPICAL_BYTES - 6); // with " <n>" about TYPICAL_BYTES of data
        try (SseClient marker = SseClient.counting(observer.uri("sse/channels/marker"))) {
            BenchTools.awaitRegistered(observer, "marker", 1);
            burst(publisher, "cost-0", data, observer, () -> marked(publisher, marker).seen()); // warm-up
            // idle rates: the observer's and the single node's JVM, and Redis, doing nothing for a while
            settle(observer, single);
            double observerIdle = observer.cpu().toNanos() / 1e9;
            double singleIdle = single.cpu().toNanos() / 1e9;
            RedisReading idleStart = redis.read();
            BenchTools.pause(IDLE_MILLIS);
            RedisReading idleEnd = redis.read();
            double idleSeconds = (idleEnd.nanos() - idleStart.nanos()) / 1e9;
            double observerIdleRate = (observer.cpu().toNanos() / 1e9 - observerIdle) / idleSeconds;
            double singleIdleRate = (single.cpu().toNanos() / 1e9 - singleIdle) / idleSeconds;
            double redisIdleRate = (idleEnd.cpuSeconds() - idleStart.cpuSeconds()) / idleSeconds;
            f.put("idle.nodeCpuPct", observerIdleRate * 100);
            f.put("idle.redisCpuPct", redisIdleRate * 100);
            f.put("redis.paced.cpuUs", perEvent(paced.after().cpuSeconds() - paced.before().cpuSeconds(),
                    redisIdleRate, paced.seconds(), events));
            f.put("c.paced20Us", perEvent(paced.lastNodeCpu(), observerIdleRate, paced.seconds(), events));
            f.put("single.paced20Us", perEvent(singlePaced.lastNodeCpu(), singleIdleRate, singlePaced.seconds(), events));

            Window foreign = burst(publisher, "cost-0", data, observer, () -> marked(publisher, marker).seen());
            f.put("c.foreignUs", perEvent(foreign.nodeCpu(), observerIdleRate, foreign.seconds(), costEvents));
            f.put("c.foreignThreadUs", foreign.engineCpu() / costEvents * 1e6);
            f.put("redis.single.cpuUs", perEvent(foreign.redisCpu(), redisIdleRate, foreign.seconds(), costEvents));
            f.put("redis.single.outBytes", (double) foreign.redisOut() / costEvents);
            Window extra;
            try (BusListeners listeners = new BusListeners(cluster.redis, "broadcaster:bus", EXTRA_SUBSCRIBERS)) {
                extra = burst(publisher, "cost-0", data, observer, () -> {
                    Marker mark = marked(publisher, marker);
                    return () -> mark.seen().getAsBoolean() && listeners.allSaw(mark.text());
                });
            }
            f.put("redis.perSubscriberCpuUs", (perEvent(extra.redisCpu(), redisIdleRate, extra.seconds(), costEvents)
                    - f.get("redis.single.cpuUs")) / EXTRA_SUBSCRIBERS);
            f.put("redis.perSubscriberBytes", ((double) extra.redisOut() / costEvents - f.get("redis.single.outBytes"))
                    / EXTRA_SUBSCRIBERS);

            Window one = delivering(publisher, observer, "cost-1", 1, data);
            f.put("c.deliver1Us", perEvent(one.nodeCpu(), observerIdleRate, one.seconds(), costEvents));
            Window twenty = delivering(publisher, observer, "cost-20", COST_CLIENTS, data);
            f.put("c.deliver20Us", perEvent(twenty.nodeCpu(), observerIdleRate, twenty.seconds(), costEvents));
            f.put("c.deliver20ThreadUs", twenty.engineCpu() / costEvents * 1e6);
            f.put("c.perConnUs", (f.get("c.deliver20Us") - f.get("c.deliver1Us")) / (COST_CLIENTS - 1));
            f.put("c.perEventUs", f.get("c.deliver1Us") - f.get("c.perConnUs") - f.get("c.foreignUs"));
            Window singleOne = delivering(single, single, "cost-1", 1, data);
            f.put("single.deliver1Us", perEvent(singleOne.nodeCpu(), singleIdleRate, singleOne.seconds(), costEvents));
            Window singleTwenty = delivering(single, single, "cost-20", COST_CLIENTS, data);
            f.put("single.deliver20Us", perEvent(singleTwenty.nodeCpu(), singleIdleRate, singleTwenty.seconds(),
                    costEvents));
        }
    }

    /** A marker published after a burst: the observer's marker client reads it once it has read the whole burst. */
    private record Marker(String text, BooleanSupplier seen) {
    }

    private Marker marked(NodeProcess publisher, SseClient markerClient) {
        int number = ++markers;
        String text = "marker-step-" + number;
        BenchTools.post(publisher.uri("control/broadcast/marker"), text);
        return new Marker(text, () -> markerClient.received.get() >= number);
    }

    /** Fires {@link #costEvents} on {@code publisher}, then waits for what {@code done} gives (it may publish a marker). */
    private Window burst(NodeProcess publisher, String channel, String data, NodeProcess observer,
                         Supplier<BooleanSupplier> done) {
        double cpuBefore = observer.cpu().toNanos() / 1e9;
        double engineBefore = observer.threadCpu(ENGINE_THREADS).toNanos() / 1e9;
        RedisReading before = redis.read();
        BenchTools.post(publisher.uri("control/burst/" + channel + "/" + costEvents), data);
        BenchTools.await(done.get(), "the burst on " + channel + " delivered", 120);
        RedisReading after = redis.read();
        return new Window((after.nanos() - before.nanos()) / 1e9, observer.cpu().toNanos() / 1e9 - cpuBefore,
                observer.threadCpu(ENGINE_THREADS).toNanos() / 1e9 - engineBefore, after.cpuSeconds() - before.cpuSeconds(), after.netOut() - before.netOut(),
                after.netIn() - before.netIn());
    }

    /** The observer's CPU per event (µs, less idle) of a burst on a channel it has {@code clients} connections on. */
    private Window delivering(NodeProcess publisher, NodeProcess observer, String channel, int clients, String data) {
        List<SseClient> readers = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            readers.add(SseClient.counting(observer.uri("sse/channels/" + channel)));
        }
        BenchTools.awaitRegistered(observer, channel, clients);
        Window window = burst(publisher, channel, data, observer, () -> () -> readers.stream()
                .allMatch(reader -> reader.received.get() >= costEvents));
        readers.forEach(SseClient::close);
        return window;
    }

    /**
     * Waits (at most 30 s) until each of {@code nodes} has used less than 2 % of a core over a second: the
     * compilation and collection that follow a burst are over, and an idle window measures idle.
     */
    private static void settle(NodeProcess... nodes) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean quiet = false;
        while (!quiet && System.nanoTime() < deadline) {
            double[] before = Arrays.stream(nodes).mapToDouble(node -> node.cpu().toNanos() / 1e9).toArray();
            BenchTools.pause(1000);
            quiet = true;
            for (int i = 0; i < nodes.length; i++) {
                quiet &= nodes[i].cpu().toNanos() / 1e9 - before[i] < 0.02;
            }
        }
    }

    private static double perEvent(double cpuSeconds, double idleRate, double seconds, long count) {
        return (cpuSeconds - idleRate * seconds) / count * 1e6;
    }

    /** Redis's memory per connection (held idle streams on every node) and per channel stream of 50 events. */
    private void memory(Map<String, Double> f, Cluster cluster) {
        f.put("mem.stream50x" + TYPICAL_BYTES, (double) redis.memoryUsage("broadcaster:stream:cost-20"));
        NodeProcess node = cluster.node(0);
        try (SseClient reader = SseClient.counting(node.uri("sse/channels/large"))) {
            BenchTools.awaitRegistered(node, "large", 1);
            BenchTools.post(node.uri("control/burst/large/50"), "l".repeat(LARGE_BYTES - 3));
            BenchTools.await(() -> reader.received.get() >= 50, "50 large events", 60);
        }
        f.put("mem.stream50x" + LARGE_BYTES, (double) redis.memoryUsage("broadcaster:stream:large"));
        BenchTools.pause(1000); // quiet: client buffers of the bursts drained
        String[] registrations = {"broadcaster:ch:*", "broadcaster:conn", "broadcaster:node:*", "broadcaster:channels"};
        long keysBefore = redis.memoryOfKeys(registrations);
        RedisReading before = redis.read();
        List<InputStream> held = new ArrayList<>();
        for (NodeProcess each : cluster.nodes) {
            held.addAll(BenchTools.hold(each.uri("sse/channels/mem"), heldPerNode));
        }
        BenchTools.awaitRegistered(node, "mem", held.size());
        BenchTools.pause(1000); // quiet: the joins' presence messages drained
        RedisReading after = redis.read();
        f.put("mem.perConnBytes", (double) (redis.memoryOfKeys(registrations) - keysBefore) / held.size());
        f.put("mem.perConnUsedBytes", (double) (after.usedMemory() - before.usedMemory()) / held.size());
        held.forEach(BenchTools::closeQuietly);
    }

    private static void putLatency(Map<String, Double> f, String key, List<Long> nanos) {
        f.put(key + ".p50", BenchTools.percentile(nanos, 0.5) / 1e6);
        f.put(key + ".p99", BenchTools.percentile(nanos, 0.99) / 1e6);
    }

    private static double cpuSeconds(List<NodeProcess> nodes) {
        return nodes.stream().mapToDouble(node -> node.cpu().toNanos() / 1e9).sum();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String name = args[i].substring(2);
            boolean flag = i + 1 == args.length || args[i + 1].startsWith("--");
            options.put(name, flag ? "" : args[++i]);
        }
        return options;
    }
}
