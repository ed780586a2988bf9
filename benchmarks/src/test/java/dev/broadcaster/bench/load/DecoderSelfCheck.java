package dev.broadcaster.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Self-check of {@link SseStreamDecoder}, {@link Histogram} and {@link Publisher#writePrefix} (run by
 * {@code SseStreamDecoderTest} in the module's build, or by hand: {@code java -cp
 * target/classes:target/test-classes dev.broadcaster.bench.load.DecoderSelfCheck}); it prints OK or throws. Every stream is fed whole, split at every position, and byte by byte.
 */
public final class DecoderSelfCheck {
    private DecoderSelfCheck() {
    }

    public static void main(String[] args) {
        String events = ": connected abc\n\n"
                + "id: 1\ndata: seq=0 t=123 s=120 xxxx\n\n"
                + "event: closing\r\ndata: bye\r\n\r\n"
                + "data: seq=1 t=-5 s=7\r\r"
                + ": heartbeat\n\n"
                + "data: seq=2 t=9 s=9 x\ndata: second line\n\n"
                + "event: message\ndata: seq=3 t=10 s=11 " + "x".repeat(400) + "\n\n"
                + "data: seq=4 t=1x s=2\n\n"
                + "event: resync\n\n";
        String expected = "head 200|comment|event 0 123 120|other closing|event 1 -5 7|comment|other message"
                + "|event 3 10 11|other message|other resync|";

        String plain = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + events;
        check("close-delimited", plain, expected);

        StringBuilder chunked = new StringBuilder(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\ntransfer-encoding: Chunked\r\n\r\n");
        int[] sizes = {5, 1, 17, 40, 3, 1000};
        int p = 0;
        for (int i = 0; p < events.length(); i++) {
            int n = Math.min(sizes[i % sizes.length], events.length() - p);
            chunked.append(Integer.toHexString(n).toUpperCase()).append(i % 2 == 0 ? "\r\n" : ";ext=1\r\n")
                    .append(events, p, p + n).append("\r\n");
            p += n;
        }
        chunked.append("0\r\n\r\n");
        check("chunked", chunked.toString(), expected + "end null|");

        check("status", "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", "head 503|");

        Histogram h = new Histogram();
        for (long v = 1; v <= 1_000_000; v++) {
            h.record(v * 1000);
        }
        assertNear(h.quantile(0.5), 500_000_000L, "p50");
        assertNear(h.quantile(0.99), 990_000_000L, "p99");
        if (h.max() != 1_000_000_000L || h.count() != 1_000_000) {
            throw new AssertionError("max/count " + h.max() + " " + h.count());
        }
        for (long v : new long[] {0, 1, 127, 128, 129, 255, 256, 1000, 123_456_789, Long.MAX_VALUE / 2}) {
            long mid = Histogram.middleOf(Histogram.indexOf(v));
            if (Math.abs(mid - v) > Math.max(1, v / 128)) {
                throw new AssertionError("bucket of " + v + " is around " + mid);
            }
        }

        byte[] body = new byte[80];
        int n = Publisher.writePrefix(body, 42, 1234567890123L, -7);
        String prefix = new String(body, 0, n, StandardCharsets.US_ASCII);
        if (!prefix.equals("seq=42 t=1234567890123 s=-7 ")) {
            throw new AssertionError(prefix);
        }
        System.out.println("OK");
    }

    private static void check(String name, String stream, String expected) {
        byte[] b = stream.getBytes(StandardCharsets.US_ASCII);
        List<int[]> splits = new ArrayList<>();
        splits.add(new int[] {b.length});
        for (int i = 1; i < b.length; i++) {
            splits.add(new int[] {i, b.length - i});
        }
        int[] single = new int[b.length];
        java.util.Arrays.fill(single, 1);
        splits.add(single);
        for (int[] parts : splits) {
            Recorder r = new Recorder();
            SseStreamDecoder d = new SseStreamDecoder(r);
            int off = 0;
            for (int len : parts) {
                d.feed(b, off, len);
                off += len;
            }
            if (!r.log.toString().equals(expected)) {
                throw new AssertionError(name + " split " + java.util.Arrays.toString(parts).substring(0,
                        Math.min(40, java.util.Arrays.toString(parts).length())) + ":\n got " + r.log
                        + "\nwant " + expected);
            }
        }
    }

    private static void assertNear(long actual, long expected, String what) {
        if (Math.abs(actual - expected) > expected / 100) {
            throw new AssertionError(what + " " + actual + " vs " + expected);
        }
    }

    private static final class Recorder implements SseStreamDecoder.Listener {
        final StringBuilder log = new StringBuilder();

        @Override
        public void onHead(int status) {
            log.append("head ").append(status).append('|');
        }

        @Override
        public void onComment() {
            log.append("comment|");
        }

        @Override
        public void onEvent(long seq, long sendNanos, long scheduledNanos) {
            log.append("event ").append(seq).append(' ').append(sendNanos).append(' ').append(scheduledNanos)
                    .append('|');
        }

        @Override
        public void onOtherEvent(String name) {
            log.append("other ").append(name).append('|');
        }

        @Override
        public void onEnd(String problem) {
            log.append("end ").append(problem).append('|');
        }
    }
}
