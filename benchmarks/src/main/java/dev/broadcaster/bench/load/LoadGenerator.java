package dev.broadcaster.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;

/**
 * The load generator of the benchmark: opens {@code --connections} SSE connections to {@code --subscribe-url}
 * (one reader thread, see {@link SseClients}), publishes events to {@code --publish-url} for
 * {@code --duration} seconds (see {@link Publisher}), measures deliveries, fan-out, and the server's CPU,
 * GCs, threads and heap (see {@link ServerProbe}), and appends ONE flat JSON object to {@code --out} (also
 * printing a one-line summary).
 *
 * <p>Sequence: with {@code --settle}, wait until the server has closed the connections earlier runs' clients
 * closed ({@link ClosedClients}), at most that long; server threads and heap (after a forced GC) with 0
 * connections; connect and wait until all are subscribed (at most 60 s + N/100 s); threads and heap again; GC
 * counters and CPU time; publish;
 * wait until every healthy connection received every event (at most 15 s after the last POST); CPU time
 * (the measured window ends here), thread maximum and GC counters; drain the stalled readers (at most 10 s)
 * to count those the server closed; close everything.
 *
 * <p>Exit status: 0 when a result was written (even if {@code ok} is false: the report shows it), 1 on a
 * harness failure (could not connect or subscribe, a publish answered an error, a reader failure), 2 on bad
 * flags. Flags: see {@link LoadOptions}.
 */
public final class LoadGenerator {
    private static final long SECOND = 1_000_000_000L;
    private static final long DELIVERY_WAIT_NANOS = 15 * SECOND;
    private static final long DRAIN_NANOS = 10 * SECOND;

    /** A failure of the harness itself: no result is written. */
    static final class HarnessFailure extends Exception {
        HarnessFailure(String message) {
            super(message);
        }
    }

    private final LoadOptions options;

    LoadGenerator(LoadOptions options) {
        this.options = options;
    }

    public static void main(String[] args) {
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("LoadGenerator: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status;
        try {
            String result = new LoadGenerator(options).run();
            Path out = options.out().toAbsolutePath();
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            Files.writeString(out, result + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            status = 0;
        } catch (HarnessFailure e) {
            System.err.println("LoadGenerator FAILED (" + options.target() + ", " + options.connections()
                    + " connections, mode " + options.mode() + "): " + e.getMessage());
            status = 1;
        } catch (IOException | RuntimeException e) {
            System.err.println("LoadGenerator FAILED (" + options.target() + "): " + e);
            e.printStackTrace();
            status = 1;
        } catch (InterruptedException e) {
            System.err.println("LoadGenerator interrupted");
            status = 1;
        }
        System.exit(status);
    }

    /** Runs the whole measurement and returns the result line. */
    String run() throws HarnessFailure, IOException, InterruptedException {
        LoadOptions o = options;
        int n = o.connections();
        int healthy = n - o.stalledCount();
        ServerProbe probe = new ServerProbe(o.pid());
        ClosedClients closedClients = new ClosedClients(o.pid(), o.subscribeUrl().getPort());
        long settleStart = System.nanoTime();
        int closedAtStart = o.settleS() > 0
                ? closedClients.awaitNone(settleStart + (long) (o.settleS() * SECOND)) : closedClients.count();
        double settleWaitS = (System.nanoTime() - settleStart) / 1e9;

        int threadsIdle = probe.threads();
        long heapBaseline = probe.heapUsedAfterGcKiB();

        DeliveryTracker tracker = new DeliveryTracker(healthy);
        SseClients clients = new SseClients(o, tracker);
        boolean clientsClosed = false;
        try {
            clients.start();
            long connectTimeoutS = 60 + n / 100;
            try {
                if (!clients.awaitSubscribed(System.nanoTime() + connectTimeoutS * SECOND)) {
                    throw new HarnessFailure("only " + clients.subscribedCount() + " of " + n
                            + " connections subscribed within " + connectTimeoutS + " s");
                }
            } catch (IOException e) {
                throw new HarnessFailure(e.getMessage());
            }
            double connectMs = clients.connectMillis();
            int threadsConnected = probe.threads();
            long heapConnected = probe.heapUsedAfterGcKiB();

            ServerProbe.GcSnapshot gcStart = probe.gc();
            long cpuStart = probe.cpuTicks();
            long selfCpuStart = probe.selfCpuTicks();
            ThreadSampler sampler = new ThreadSampler(probe);
            sampler.start();

            long start = System.nanoTime();
            Instant startedAt = Instant.now();
            Publisher publisher = new Publisher(o, tracker, start);
            Thread publisherThread = new Thread(publisher, "publisher");
            publisherThread.start();
            publisherThread.join();
            if (publisher.failure() != null) {
                throw new HarnessFailure(publisher.failure());
            }
            boolean allDelivered = tracker.awaitAllDelivered(publisher.endNanos() + DELIVERY_WAIT_NANOS);
            long measureEnd = allDelivered && tracker.lastCompletionNanos() > 0
                    ? tracker.lastCompletionNanos() : System.nanoTime();
            long cpuEnd = probe.cpuTicks();
            long selfCpuEnd = probe.selfCpuTicks();
            int threadsMax = Math.max(threadsConnected, sampler.stop());
            ServerProbe.GcSnapshot gcEnd = probe.gc();

            int stalledClosed = clients.drainStalled(DRAIN_NANOS);
            clients.close();
            clientsClosed = true;

            long published = tracker.published();
            long deliveries = tracker.deliveries;
            long missing = clients.missing(published);
            long duplicates = clients.duplicates();
            double elapsedS = (measureEnd - start) / 1e9;
            double publishS = (publisher.endNanos() - start) / 1e9;
            double ticks = probe.ticksPerSecond();
            double cpuMs = cpuStart >= 0 && cpuEnd >= 0 ? (cpuEnd - cpuStart) * 1000.0 / ticks : -1;
            double selfCpuMs = selfCpuStart >= 0 && selfCpuEnd >= 0
                    ? (selfCpuEnd - selfCpuStart) * 1000.0 / ticks : -1;

            JsonLine json = new JsonLine()
                    .put("target", o.target())
                    .put("connections", n)
                    .put("mode", o.mode())
                    .put("rateRequested", o.maxMode() ? 0 : o.rate())
                    .put("durationS", o.durationS())
                    .put("payloadBytes", o.payloadBytes())
                    .put("stalledPercent", o.stalledPercent())
                    .put("window", o.window())
                    .put("run", o.run())
                    .put("startedAt", startedAt.toString())
                    .put("published", published)
                    .put("deliveries", deliveries)
                    .put("elapsedS", elapsedS)
                    .put("deliveredPerS", elapsedS > 0 ? deliveries / elapsedS : -1)
                    .put("publishedPerS", publishS > 0 ? published / publishS : -1)
                    .put("missing", missing)
                    .put("duplicates", duplicates)
                    .put("allDelivered", allDelivered)
                    .put("windowTimedOut", publisher.windowTimedOut())
                    .put("healthyClosed", clients.healthyClosed())
                    .put("settleWaitS", settleWaitS)
                    .put("closedClientsAtStart", closedAtStart);
            long otherTotal = 0;
            for (long count : clients.otherEvents().values()) {
                otherTotal += count;
            }
            json.put("otherEvents", otherTotal);
            for (Map.Entry<String, Long> e : clients.otherEvents().entrySet()) {
                json.put("otherEvents." + e.getKey().replaceAll("[^A-Za-z0-9_.-]", "_"), e.getValue());
            }
            json.put("connectMs", connectMs)
                    .put("cpuMsPublishing", cpuMs)
                    .put("cpuUsPerDelivery", cpuMs >= 0 && deliveries > 0 ? cpuMs * 1000 / deliveries : -1)
                    .put("generatorCpuMs", selfCpuMs);
            putMicros(json, "latency", tracker.latencyFromSend);
            putMicros(json, "latencyFromSchedule", tracker.latencyFromSchedule);
            putMicros(json, "fanout", tracker.fanoutFromSend);
            putMicros(json, "fanoutFromSchedule", tracker.fanoutFromSchedule);
            putMicros(json, "publishRtt", publisher.roundTrip);
            putMicros(json, "publishServer", publisher.serverPublish);
            putMicros(json, "publishServerCpu", publisher.serverPublishCpu);
            json.put("threadsIdle", threadsIdle)
                    .put("threadsConnected", threadsConnected)
                    .put("threadsMax", threadsMax);
            putKiB(json, "heapBaselineKiB", heapBaseline);
            putKiB(json, "heapConnectedKiB", heapConnected);
            if (heapBaseline >= 0 && heapConnected >= 0) {
                json.put("heapPerConnectionKiB", (heapConnected - heapBaseline) / (double) n);
            } else {
                json.putNull("heapPerConnectionKiB");
            }
            if (gcStart != null && gcEnd != null) {
                long young = gcEnd.youngGcs() - gcStart.youngGcs();
                long full = gcEnd.fullGcs() - gcStart.fullGcs();
                json.put("youngGcs", young)
                        .put("fullGcs", full)
                        .put("gcMs", (gcEnd.pauseSeconds() - gcStart.pauseSeconds()) * 1000)
                        .put("gcsPerMillionDeliveries", deliveries > 0 ? (young + full) * 1e6 / deliveries : -1);
            } else {
                json.put("youngGcs", -1).put("fullGcs", -1).put("gcMs", -1).put("gcsPerMillionDeliveries", -1);
            }
            json.put("stalled", clients.stalledTotal())
                    .put("stalledClosed", stalledClosed)
                    .put("ok", missing == 0 && duplicates == 0);
            System.out.println(summary(published, deliveries, elapsedS, cpuMs, selfCpuMs, missing, duplicates,
                    tracker, stalledClosed, clients.stalledTotal()));
            if (o.trace() != null) {
                StringBuilder trace = new StringBuilder(String.format(java.util.Locale.ROOT,
                        "# %s conns=%d mode=%s stalled=%s%% run=%d: seq, sent (ms), fan-out (us)%n", o.target(),
                        o.connections(), o.mode(), o.stalledPercent(), o.run()));
                tracker.writeTrace(trace);
                Files.writeString(o.trace(), trace, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            return json.toString();
        } finally {
            if (!clientsClosed) {
                clients.close();
            }
        }
    }

    private String summary(long published, long deliveries, double elapsedS, double cpuMs, double selfCpuMs,
                           long missing, long duplicates, DeliveryTracker tracker, int stalledClosed, int stalled) {
        LoadOptions o = options;
        return String.format(java.util.Locale.ROOT,
                "%s conns=%d mode=%s%s run=%d: published=%d delivered/s=%.0f cpu/delivery=%.2fus "
                        + "fanout p50/p99=%.0f/%.0fus latency p99=%.0fus gen-cpu=%.0f%% missing=%d dup=%d"
                        + " stalledClosed=%d/%d",
                o.target(), o.connections(), o.mode(), o.maxMode() ? "" : " rate=" + o.rate(), o.run(),
                published, elapsedS > 0 ? deliveries / elapsedS : -1,
                cpuMs >= 0 && deliveries > 0 ? cpuMs * 1000 / deliveries : -1,
                tracker.fanoutFromSend.quantile(0.5) / 1e3, tracker.fanoutFromSend.quantile(0.99) / 1e3,
                tracker.latencyFromSend.quantile(0.99) / 1e3,
                elapsedS > 0 && selfCpuMs >= 0 ? selfCpuMs / (elapsedS * 10) : -1,
                missing, duplicates, stalledClosed, stalled);
    }

    /** Adds {@code <prefix>P50Us}, {@code P99Us} and {@code MaxUs} from a histogram of nanoseconds (-1 if empty). */
    private static void putMicros(JsonLine json, String prefix, Histogram h) {
        json.put(prefix + "P50Us", micros(h.quantile(0.50)))
                .put(prefix + "P99Us", micros(h.quantile(0.99)))
                .put(prefix + "MaxUs", micros(h.max()));
    }

    private static double micros(long nanos) {
        return nanos < 0 ? -1 : Math.round(nanos / 100.0) / 10.0;
    }

    private static void putKiB(JsonLine json, String name, long kib) {
        if (kib >= 0) {
            json.put(name, kib);
        } else {
            json.putNull(name);
        }
    }
}
