package dev.broadcaster.bench.load;

import java.net.URI;
import java.nio.file.Path;

/**
 * The command-line flags of {@link LoadGenerator} (see the benchmark contract).
 *
 * @param target         the name of the server under test, copied into the result
 * @param subscribeUrl   the SSE URL every connection GETs
 * @param publishUrl     the URL the publisher POSTs events to
 * @param pid            the server's process id, or -1 to skip the server-side figures (CPU, GC, threads, heap)
 * @param connections    how many SSE connections to open (stalled ones included)
 * @param mode           {@code max} or {@code rate}
 * @param rate           events per second in mode {@code rate}
 * @param durationS      how long to publish, in seconds
 * @param payloadBytes   the exact size of each event's data (ASCII)
 * @param stalledPercent the share of connections that stop reading once subscribed, 0 to 100
 * @param window         at most this many events in flight in mode {@code max}
 * @param run            the run's number, copied into the result
 * @param out            the JSONL file the result is appended to
 * @param trace          a text file every event's fan-out is appended to, or null ({@link DeliveryTracker#writeTrace})
 * @param settleS        before connecting, wait at most this long for the server to close the connections earlier
 *                       runs' clients closed ({@link ClosedClients}), so their departures fall outside this run; 0
 *                       not to wait
 */
public record LoadOptions(String target, URI subscribeUrl, URI publishUrl, long pid, int connections, String mode,
                          double rate, double durationS, int payloadBytes, double stalledPercent, int window,
                          int run, Path out, Path trace, double settleS) {

    static final String USAGE = "usage: LoadGenerator --target NAME --subscribe-url URL --publish-url URL"
            + " [--pid PID] --connections N --mode max|rate [--rate R] --duration S [--payload-bytes 500]"
            + " [--stalled-percent 0] [--window 8] [--run 1] --out results.jsonl [--trace events.txt]"
            + " [--settle 0]";

    /** The smallest payload that still holds {@code seq=<n> t=<nanos> s=<nanos> }. */
    static final int MIN_PAYLOAD_BYTES = 64;

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException with a message naming the bad or missing flag
     */
    public static LoadOptions parse(String[] args) {
        String target = null;
        URI subscribe = null;
        URI publish = null;
        long pid = -1;
        int connections = -1;
        String mode = null;
        double rate = 0;
        double duration = -1;
        int payload = 500;
        double stalled = 0;
        int window = 8;
        int run = 1;
        Path out = null;
        Path trace = null;
        double settle = 0;
        for (int i = 0; i < args.length; i += 2) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value; " + USAGE);
            }
            String v = args[i + 1];
            switch (flag) {
                case "--target" -> target = v;
                case "--subscribe-url" -> subscribe = URI.create(v);
                case "--publish-url" -> publish = URI.create(v);
                case "--pid" -> pid = Long.parseLong(v);
                case "--connections" -> connections = Integer.parseInt(v);
                case "--mode" -> mode = v;
                case "--rate" -> rate = Double.parseDouble(v);
                case "--duration" -> duration = Double.parseDouble(v);
                case "--payload-bytes" -> payload = Integer.parseInt(v);
                case "--stalled-percent" -> stalled = Double.parseDouble(v);
                case "--window" -> window = Integer.parseInt(v);
                case "--run" -> run = Integer.parseInt(v);
                case "--out" -> out = Path.of(v);
                case "--trace" -> trace = Path.of(v);
                case "--settle" -> settle = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown flag " + flag + "; " + USAGE);
            }
        }
        require(target != null, "--target is required");
        require(subscribe != null && "http".equals(subscribe.getScheme()), "--subscribe-url must be an http URL");
        require(publish != null && "http".equals(publish.getScheme()), "--publish-url must be an http URL");
        require(isLoopback(subscribe) && isLoopback(publish), "the load generator only targets loopback addresses");
        require(connections > 0 && connections <= MAX_CONNECTIONS, "--connections must be in 1.." + MAX_CONNECTIONS);
        require(duration <= MAX_DURATION_SECONDS, "--duration must be at most " + MAX_DURATION_SECONDS + " s");
        require("max".equals(mode) || "rate".equals(mode), "--mode must be max or rate");
        require(!"rate".equals(mode) || rate > 0, "--rate must be > 0 in mode rate");
        require(duration > 0, "--duration must be > 0");
        require(payload >= MIN_PAYLOAD_BYTES, "--payload-bytes must be >= " + MIN_PAYLOAD_BYTES);
        require(stalled >= 0 && stalled <= 100, "--stalled-percent must be in 0..100");
        require(window > 0, "--window must be > 0");
        require(out != null, "--out is required");
        require(settle >= 0 && settle <= MAX_DURATION_SECONDS, "--settle must be in 0.." + MAX_DURATION_SECONDS);
        return new LoadOptions(target, subscribe, publish, pid, connections, mode, rate, duration, payload, stalled,
                window, run, out, trace, settle);
    }

    /** At most this many connections: the generator is for a benchmark on one machine. */
    static final int MAX_CONNECTIONS = 20_000;

    /** At most this long a publishing phase. */
    static final double MAX_DURATION_SECONDS = 600;

    private static boolean isLoopback(URI uri) {
        try {
            return uri.getHost() != null && java.net.InetAddress.getByName(uri.getHost()).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message + "; " + USAGE);
        }
    }

    /** True in mode {@code max}. */
    public boolean maxMode() {
        return "max".equals(mode);
    }

    /**
     * Whether connection {@code index} (0-based) is a stalled reader: every {@code round(100 / P)}-th one
     * (indexes {@code k-1, 2k-1, ...}), none when P is 0.
     */
    public boolean isStalled(int index) {
        if (stalledPercent <= 0) {
            return false;
        }
        long every = Math.max(1, Math.round(100.0 / stalledPercent));
        return (index + 1) % every == 0;
    }

    /** How many of the connections are stalled readers. */
    public int stalledCount() {
        int n = 0;
        for (int i = 0; i < connections; i++) {
            if (isStalled(i)) {
                n++;
            }
        }
        return n;
    }
}
