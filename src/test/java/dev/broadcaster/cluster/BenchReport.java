package dev.broadcaster.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The machine {@link ClusterBenchmark} runs on (and the wait for its load to fall), and the table it prints: every
 * figure, medians of the runs.
 */
final class BenchReport {

    /** A row of the table: its label and how it is computed from one run's figures, and its decimals. */
    private record Row(String label, ToDoubleFunction<Map<String, Double>> value, int decimals) {
    }

    private static final List<Row> ROWS = List.of(
            row("1-minute load before the run", "load", 1),
            row("latency p50, clients on the publishing node (ms)", "lat.publisher.p50", 2),
            row("latency p99, clients on the publishing node (ms)", "lat.publisher.p99", 1),
            row("latency p50, clients on the other nodes (ms)", "lat.other.p50", 2),
            row("latency p99, clients on the other nodes (ms)", "lat.other.p99", 1),
            row("latency p50, single node without engine (ms)", "lat.single.p50", 2),
            row("latency p99, single node without engine (ms)", "lat.single.p99", 1),
            new Row("latency p50, other nodes / single node", f -> f.get("lat.other.p50") / f.get("lat.single.p50"), 2),
            new Row("latency p99, other nodes / single node", f -> f.get("lat.other.p99") / f.get("lat.single.p99"), 2),
            row("throughput through the backplane (events/s)", "tput.cluster", 0),
            row("throughput of the single node (events/s)", "tput.single", 0),
            row("throughput, cluster / single node", "tput.ratio", 2),
            row("node CPU per event in the throughput run, per node (µs)", "tput.cluster.nodeCpuUs", 1),
            row("node CPU per event in the single node's throughput run (µs)", "tput.single.nodeCpuUs", 1),
            row("c_foreign: node CPU per bus message of a channel without local connections (µs)", "c.foreignUs", 1),
            row("of which the engine's threads (subscriber; µs)", "c.foreignThreadUs", 1),
            row("node CPU per event, channel with 1 local connection (µs)", "c.deliver1Us", 1),
            row("node CPU per event, channel with 20 local connections (µs)", "c.deliver20Us", 1),
            row("of which the engine's threads (subscriber; µs)", "c.deliver20ThreadUs", 1),
            row("c_conn: node CPU per event per local connection (µs)", "c.perConnUs", 2),
            row("node CPU per event, 20 local connections, one at a time at 200/s (µs)", "c.paced20Us", 1),
            row("single node, publish + deliver, 20 connections, one at a time at 200/s (µs)", "single.paced20Us", 1),
            row("c_event: node CPU per event of a local channel, beyond c_foreign and c_conn (µs)", "c.perEventUs", 1),
            row("single node, publish + deliver, 1 connection (µs per event)", "single.deliver1Us", 1),
            row("single node, publish + deliver, 20 connections (µs per event)", "single.deliver20Us", 1),
            row("idle node JVM (% of a core)", "idle.nodeCpuPct", 2),
            row("Redis CPU per publish, bursts from one node (µs)", "redis.single.cpuUs", 1),
            row("Redis CPU per publish, bursts from every node (µs)", "redis.burst.cpuUs", 1),
            row("Redis CPU per publish, one at a time at 200/s (µs)", "redis.paced.cpuUs", 1),
            row("Redis CPU per publish per extra bus subscriber (µs)", "redis.perSubscriberCpuUs", 2),
            row("Redis bytes out per publish, 200-byte events (B)", "redis.single.outBytes", 0),
            row("Redis bytes out per publish per extra bus subscriber (B)", "redis.perSubscriberBytes", 0),
            row("Redis bytes in per publish, small events (B)", "redis.burst.inBytes", 0),
            row("Redis bytes out per publish, small events (B)", "redis.burst.outBytes", 0),
            row("Redis idle (% of a core)", "idle.redisCpuPct", 2),
            row("Redis memory per connection, its registration keys (B)", "mem.perConnBytes", 0),
            row("Redis memory per connection, used_memory (B)", "mem.perConnUsedBytes", 0),
            row("Redis memory of a channel stream, 50 events of 200 B (B)", "mem.stream50x200", 0),
            row("Redis memory of a channel stream, 50 events of 1000 B (B)", "mem.stream50x1000", 0));

    private BenchReport() {
    }

    private static Row row(String label, String key, int decimals) {
        return new Row(label, f -> f.getOrDefault(key, Double.NaN), decimals);
    }

    /** Medians over the runs of each node count, and their range: {@code median (min-max)}. */
    static String report(Map<Integer, List<Map<String, Double>>> results) {
        StringBuilder out = new StringBuilder("\n| figure |");
        StringBuilder rule = new StringBuilder("|---|");
        results.forEach((nodes, runs) -> {
            out.append(' ').append(nodes).append(" nodes (").append(runs.size()).append(" runs) |");
            rule.append("---:|");
        });
        out.append('\n').append(rule).append('\n');
        for (Row row : ROWS) {
            out.append("| ").append(row.label()).append(" |");
            for (List<Map<String, Double>> runs : results.values()) {
                List<Double> values = new ArrayList<>();
                runs.forEach(run -> values.add(row.value().applyAsDouble(run)));
                out.append(' ').append(cell(values, row.decimals())).append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String cell(List<Double> values, int decimals) {
        if (values.stream().anyMatch(value -> value.isNaN())) {
            return "–";
        }
        String format = "%,." + decimals + "f";
        if (values.size() == 1) {
            return String.format(format, values.get(0));
        }
        return String.format(format + " (" + format + "–" + format + ")", BenchTools.median(values),
                Collections.min(values), Collections.max(values));
    }

    /** Waits until the 1-minute load is at most {@code max} (at most {@code waitSeconds}); returns the load. */
    static double awaitLoad(double max, int waitSeconds) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        double load = load();
        while (load > max && System.nanoTime() < deadline) {
            System.out.printf("1-minute load %.2f above %.1f: waiting%n", load, max);
            BenchTools.pause(10_000);
            load = load();
        }
        return load;
    }

    static double load() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    /** Cores, CPU model, memory, Java and Redis versions. */
    static String machine() {
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        machine.put("cpu", firstValue(Path.of("/proc/cpuinfo"), "model name"));
        machine.put("memory", firstValue(Path.of("/proc/meminfo"), "MemTotal"));
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("redis", redisVersion());
        return "machine: " + machine + "; Redis, every node JVM and this client on it, over loopback";
    }

    private static String firstValue(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(name)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "unknown";
    }

    private static String redisVersion() {
        try {
            Process process = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            process.waitFor();
            return text;
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
