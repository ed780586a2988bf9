package dev.broadcaster.cluster;

import dev.broadcaster.support.HttpCalls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * What {@link ClusterBenchmark} measures with: SSE clients, idle held connections, readings of Redis ({@code INFO},
 * {@code MEMORY USAGE}) and raw subscribers of the bus that stand for more nodes.
 */
final class BenchTools {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private BenchTools() {
    }

    /**
     * One SSE client on its own thread, reading data lines: it counts them, and records the latency of those whose
     * data is {@code t=<System.nanoTime() of the publish>}.
     */
    static final class SseClient implements AutoCloseable {
        final AtomicLong received = new AtomicLong();
        private final List<Long> latencies;
        private final Thread thread;
        private volatile InputStream body;

        private SseClient(URI uri, List<Long> latencies) {
            this.latencies = latencies;
            CountDownLatch open = new CountDownLatch(1);
            thread = new Thread(() -> read(uri, open), "bench-client");
            thread.setDaemon(true);
            thread.start();
            try {
                open.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** A client that records latencies into {@code latencies} (synchronized), or only counts if it is null. */
        static SseClient open(URI uri, List<Long> latencies) {
            return new SseClient(uri, latencies);
        }

        static SseClient counting(URI uri) {
            return new SseClient(uri, null);
        }

        private void read(URI uri, CountDownLatch open) {
            try {
                body = HTTP.send(request(uri), HttpResponse.BodyHandlers.ofInputStream()).body();
                open.countDown();
                BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null) {
                    if (!line.startsWith("data: ")) {
                        continue;
                    }
                    if (latencies != null && line.startsWith("data: t=")) {
                        latencies.add(System.nanoTime() - Long.parseLong(line.substring(8)));
                    }
                    received.incrementAndGet();
                }
            } catch (IOException | InterruptedException e) {
                // closed
            } finally {
                open.countDown();
            }
        }

        @Override
        public void close() {
            closeQuietly(body);
        }
    }

    /** Opens {@code count} streams of {@code uri} that read nothing (idle connections, for memory); returns their bodies. */
    static List<InputStream> hold(URI uri, int count) {
        List<CompletableFuture<HttpResponse<InputStream>>> opening = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            opening.add(HTTP.sendAsync(request(uri), HttpResponse.BodyHandlers.ofInputStream()));
        }
        List<InputStream> bodies = new ArrayList<>();
        for (CompletableFuture<HttpResponse<InputStream>> response : opening) {
            HttpResponse<InputStream> opened = response.orTimeout(60, TimeUnit.SECONDS).join();
            if (opened.statusCode() != 200) {
                throw new IllegalStateException("stream answered " + opened.statusCode());
            }
            bodies.add(opened.body());
        }
        return bodies;
    }

    private static HttpRequest request(URI uri) {
        return HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
                .header("Authorization", HttpCalls.basic("bob", "bob-pw")).GET().build();
    }

    /** Counters of a Redis server at one moment, as {@code INFO} gives them. */
    record RedisReading(long nanos, double cpuSeconds, long netIn, long netOut, long usedMemory) {
    }

    /** A connection to the benchmark's Redis that reads its counters. */
    static final class RedisMeter implements AutoCloseable {
        private final Jedis jedis;

        RedisMeter(RedisProcess redis) {
            jedis = new Jedis("127.0.0.1", redis.port());
        }

        /** used_cpu_user + used_cpu_sys, total_net_input/output_bytes, used_memory. */
        RedisReading read() {
            String cpu = jedis.info("cpu");
            String stats = jedis.info("stats");
            String memory = jedis.info("memory");
            return new RedisReading(System.nanoTime(), number(cpu, "used_cpu_user") + number(cpu, "used_cpu_sys"),
                    (long) number(stats, "total_net_input_bytes"), (long) number(stats, "total_net_output_bytes"),
                    (long) number(memory, "used_memory"));
        }

        /** {@code MEMORY USAGE key SAMPLES 0}: every element counted. */
        long memoryUsage(String key) {
            Long bytes = jedis.memoryUsage(key, 0);
            if (bytes == null) {
                throw new IllegalStateException("no key " + key);
            }
            return bytes;
        }

        /** The sum of {@link #memoryUsage} over the keys that match any of {@code patterns} (0 for none). */
        long memoryOfKeys(String... patterns) {
            long total = 0;
            for (String pattern : patterns) {
                String cursor = ScanParams.SCAN_POINTER_START;
                do {
                    ScanResult<String> page = jedis.scan(cursor, new ScanParams().match(pattern).count(1000));
                    for (String key : page.getResult()) {
                        Long bytes = jedis.memoryUsage(key, 0);
                        total += bytes == null ? 0 : bytes;
                    }
                    cursor = page.getCursor();
                } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            }
            return total;
        }

        private static double number(String info, String name) {
            return Double.parseDouble(field(info, name));
        }

        private static String field(String info, String name) {
            for (String line : info.split("\r?\n")) {
                if (line.startsWith(name + ":")) {
                    return line.substring(name.length() + 1).trim();
                }
            }
            throw new IllegalStateException("INFO has no " + name);
        }

        @Override
        public void close() {
            jedis.close();
        }
    }

    /**
     * Plain subscribers of the bus, each on its own thread, that only count what they read: to Redis they are more
     * nodes (every publish is written to each of them), at almost no CPU of the machine's.
     */
    static final class BusListeners implements AutoCloseable {
        private final List<Listener> listeners = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();

        BusListeners(RedisProcess redis, String bus, int count) {
            for (int i = 0; i < count; i++) {
                Listener listener = new Listener();
                Jedis jedis = new Jedis("127.0.0.1", redis.port());
                Thread thread = new Thread(() -> {
                    try (jedis) {
                        jedis.subscribe(listener, bus);
                    } catch (RuntimeException e) {
                        // closed
                    }
                }, "bench-bus-listener");
                thread.setDaemon(true);
                thread.start();
                listeners.add(listener);
                threads.add(thread);
            }
            await(() -> listeners.stream().allMatch(JedisPubSub::isSubscribed), "bus listeners subscribed", 30);
        }

        /** Whether every listener has read a message of the channel {@code marker} that contains {@code text}. */
        boolean allSaw(String text) {
            return listeners.stream().allMatch(listener -> listener.sawMarker(text));
        }

        @Override
        public void close() {
            listeners.forEach(JedisPubSub::unsubscribe);
            for (Thread thread : threads) {
                try {
                    thread.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private static final class Listener extends JedisPubSub {
            private final List<String> markers = Collections.synchronizedList(new ArrayList<>());

            @Override
            public void onMessage(String channel, String message) {
                if (message.contains("\tmarker\t")) {
                    markers.add(message);
                }
            }

            boolean sawMarker(String text) {
                synchronized (markers) {
                    return markers.stream().anyMatch(message -> message.contains(text));
                }
            }
        }
    }

    static void awaitReceived(List<SseClient> clients, long count) {
        await(() -> clients.stream().allMatch(client -> client.received.get() >= count),
                "every client got " + count + " events", 120);
    }

    static void awaitRegistered(NodeProcess node, String channel, int connections) {
        await(() -> {
            String listing = HttpCalls.get(node.uri("sse/channels/" + channel + "/users"), "alice").body();
            // once per connection, once as a distinct user
            return listing.split("\"bob\"", -1).length - 1 >= connections + 1;
        }, connections + " connections registered on " + channel, 60);
    }

    static void post(URI uri, String body) {
        HttpResponse<String> response = HttpCalls.postJson(uri, "alice", body);
        if (response.statusCode() != 204) {
            throw new IllegalStateException("publish answered " + response.statusCode());
        }
    }

    /** Waits for {@code condition}, polling every 5 ms, at most {@code seconds}. */
    static void await(BooleanSupplier condition, String what, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not in " + seconds + " s: " + what);
            }
            pause(5);
        }
    }

    /** A pause of a measurement (a quiet window, the polling of a deadline-bound wait): never a synchronisation. */
    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static double percentile(List<Long> values, double fraction) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * fraction)));
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    static void closeQuietly(InputStream in) {
        try {
            if (in != null) {
                in.close();
            }
        } catch (IOException e) {
            // already closed
        }
    }
}
