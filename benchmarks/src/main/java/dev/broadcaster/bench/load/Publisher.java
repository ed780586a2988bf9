package dev.broadcaster.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * The publisher thread: POSTs events {@code seq=<n> t=<sendNanos> s=<scheduledNanos> } padded with {@code x}
 * to exactly {@code --payload-bytes}, on one keep-alive connection.
 *
 * <ul>
 *   <li>Mode {@code rate}: event {@code n} is due at {@code start + n * 1e9 / R} and sent when due, or at once
 *       when the publisher is behind (nothing is skipped: the latency from the schedule shows it); events due
 *       before {@code start + duration} are sent.</li>
 *   <li>Mode {@code max}: events are sent back to back while fewer than {@code --window} are in flight (waiting
 *       on the {@link DeliveryTracker}), until {@code duration} passed. If the window does not open within
 *       {@value #WINDOW_TIMEOUT_S} s, publishing stops early ({@link #windowTimedOut()}).</li>
 * </ul>
 *
 * <p>A response other than 200, 202 or 204, or an I/O error, ends publishing with {@link #failure()} set.
 * Results are valid once the thread running {@link #run()} ended.
 */
final class Publisher implements Runnable {
    static final int WINDOW_TIMEOUT_S = 15;
    private static final byte[] SEQ = "seq=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] T = " t=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] S = " s=".getBytes(StandardCharsets.US_ASCII);

    private final LoadOptions options;
    private final DeliveryTracker tracker;
    private final long startNanos;

    final Histogram roundTrip = new Histogram();
    final Histogram serverPublish = new Histogram();
    final Histogram serverPublishCpu = new Histogram();
    private long endNanos;
    private boolean windowTimedOut;
    private String failure;

    /** A publisher whose schedule (and duration) starts at {@code startNanos}. */
    Publisher(LoadOptions options, DeliveryTracker tracker, long startNanos) {
        this.options = options;
        this.tracker = tracker;
        this.startNanos = startNanos;
    }

    @Override
    public void run() {
        byte[] body = new byte[options.payloadBytes()];
        Arrays.fill(body, (byte) 'x');
        long durationNanos = (long) (options.durationS() * 1e9);
        long stopNanos = startNanos + durationNanos;
        long windowTimeoutNanos = WINDOW_TIMEOUT_S * 1_000_000_000L;
        int previousPrefix = 0;
        try (HttpPostClient client = new HttpPostClient(options.publishUrl(), body.length)) {
            for (long n = 0; ; n++) {
                long due;
                if (options.maxMode()) {
                    if (System.nanoTime() >= stopNanos) {
                        break;
                    }
                    if (!tracker.awaitInFlightBelow(options.window(), System.nanoTime() + windowTimeoutNanos)) {
                        windowTimedOut = true;
                        break;
                    }
                    due = -1;
                } else {
                    due = startNanos + (long) (n * 1e9 / options.rate());
                    if (due >= stopNanos) {
                        break;
                    }
                    waitUntil(due);
                }
                long seq = tracker.nextSeq();
                long sendNanos = System.nanoTime();
                long scheduledNanos = due < 0 ? sendNanos : due;
                int prefix = writePrefix(body, seq, sendNanos, scheduledNanos);
                if (prefix < previousPrefix) {
                    Arrays.fill(body, prefix, previousPrefix, (byte) 'x');
                }
                previousPrefix = prefix;
                int status = client.post(body);
                roundTrip.record(System.nanoTime() - sendNanos);
                if (status != 200 && status != 202 && status != 204) {
                    failure = "publish answered HTTP " + status + " for seq " + seq;
                    break;
                }
                if (client.publishNanos() >= 0) {
                    serverPublish.record(client.publishNanos());
                }
                if (client.publishCpuNanos() >= 0) {
                    serverPublishCpu.record(client.publishCpuNanos());
                }
            }
        } catch (Exception e) {
            failure = "publish failed: " + e;
        } finally {
            endNanos = System.nanoTime();
        }
    }

    /** When the last POST finished (valid after the thread ended). */
    long endNanos() {
        return endNanos;
    }

    /** True if mode max stopped early because the window did not open in time. */
    boolean windowTimedOut() {
        return windowTimedOut;
    }

    /** Why publishing failed, or null. */
    String failure() {
        return failure;
    }

    /** Waiting for a point in time, the one thing a publisher at a fixed rate must do. */
    private static void waitUntil(long nanos) {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    /** Writes {@code seq=<seq> t=<send> s=<scheduled> } at the start of {@code body}; returns its length. */
    static int writePrefix(byte[] body, long seq, long send, long scheduled) {
        int p = put(body, 0, SEQ);
        p = putLong(body, p, seq);
        p = put(body, p, T);
        p = putLong(body, p, send);
        p = put(body, p, S);
        p = putLong(body, p, scheduled);
        body[p++] = ' ';
        return p;
    }

    private static int put(byte[] b, int p, byte[] literal) {
        System.arraycopy(literal, 0, b, p, literal.length);
        return p + literal.length;
    }

    private static int putLong(byte[] b, int p, long v) {
        if (v < 0) {
            b[p++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long x = v; x >= 10; x /= 10) {
            digits++;
        }
        for (int i = p + digits - 1; i >= p; i--) {
            b[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        return p + digits;
    }
}
