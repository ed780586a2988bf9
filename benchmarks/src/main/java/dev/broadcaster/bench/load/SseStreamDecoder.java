package dev.broadcaster.bench.load;

import java.nio.charset.StandardCharsets;

/**
 * Decodes, incrementally and without allocating per line or event, the bytes a client receives on one SSE
 * connection: the HTTP/1.1 status line and headers, then the body (close-delimited, or
 * {@code Transfer-Encoding: chunked}, which it de-chunks), then the event stream.
 *
 * <p>Event-stream rules followed (WHATWG): lines end with {@code \n}, {@code \r\n} or {@code \r}; a line starting
 * with {@code :} is a comment; {@code field: value} drops one space after the colon; a blank line dispatches the
 * event. Only {@code data} and {@code event} fields matter. An event counts as ours when its name is absent
 * (or {@code message}) and it has exactly one {@code data} line starting {@code seq=<n> t=<n> s=<n>} followed by
 * a space or the end: the listener gets the three numbers. Any other event that has data or a name is reported
 * by name ({@code message} when unnamed).
 *
 * <p>Lines are kept only up to their first {@value #LINE_PREFIX} bytes, which is all the parsing needs.
 *
 * <p>Not thread-safe: fed by one thread.
 */
public final class SseStreamDecoder {

    /** Receives what the decoder finds, on the feeding thread. */
    public interface Listener {
        /** The response head is complete; {@code status} is -1 when the status line was malformed. */
        void onHead(int status);

        /** A comment line arrived (the first one means the connection is subscribed). */
        void onComment();

        /** One of our events arrived. */
        void onEvent(long seq, long sendNanos, long scheduledNanos);

        /** Some other event arrived; {@code name} is its event name ({@code message} if it had none). */
        void onOtherEvent(String name);

        /** The chunked body ended (the last chunk), or the stream is malformed ({@code problem} says how). */
        void onEnd(String problem);
    }

    static final int LINE_PREFIX = 160;
    private static final int EVENT_NAME_MAX = 64;
    private static final byte[] DATA = ascii("data");
    private static final byte[] EVENT = ascii("event");
    private static final byte[] MESSAGE = ascii("message");
    private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final byte[] CHUNKED = ascii("chunked");
    private static final byte[] HTTP = ascii("HTTP/");

    private enum State { STATUS_LINE, HEADER_LINE, BODY, CHUNK_SIZE, CHUNK_EXTENSION, CHUNK_DATA, CHUNK_DATA_END, DONE }

    private final Listener listener;
    private State state = State.STATUS_LINE;
    private int status = -1;
    private boolean chunked;
    private long chunkRemaining;
    private boolean chunkSizeDigits;

    // The current line (head or event stream): its first LINE_PREFIX bytes, and its full length.
    private final byte[] line = new byte[LINE_PREFIX];
    private int lineLength;
    private boolean afterCr;

    // The event being read.
    private int dataLines;
    private boolean ours;
    private long seq;
    private long sendNanos;
    private long scheduledNanos;
    private final byte[] eventName = new byte[EVENT_NAME_MAX];
    private int eventNameLength = -1;
    /** The last number {@link #number} parsed. */
    private long parsed;

    public SseStreamDecoder(Listener listener) {
        this.listener = listener;
    }

    /** The HTTP status, -1 until the head was read (or when it was malformed). */
    public int status() {
        return status;
    }

    /** Decodes {@code len} bytes of {@code b} from {@code off}. */
    public void feed(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            switch (state) {
                case STATUS_LINE, HEADER_LINE -> i = headBytes(b, i, end);
                case BODY -> {
                    streamBytes(b, i, end);
                    i = end;
                }
                case CHUNK_SIZE -> i = chunkSizeBytes(b, i, end);
                case CHUNK_EXTENSION -> {
                    while (i < end && b[i] != '\n') {
                        i++;
                    }
                    if (i < end) {
                        i++;
                        endOfChunkSize();
                    }
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(chunkRemaining, end - i);
                    streamBytes(b, i, i + n);
                    i += n;
                    chunkRemaining -= n;
                    if (chunkRemaining == 0) {
                        state = State.CHUNK_DATA_END;
                    }
                }
                case CHUNK_DATA_END -> {
                    byte c = b[i++];
                    if (c == '\n') {
                        state = State.CHUNK_SIZE;
                    } else if (c != '\r') {
                        fail("no CRLF after a chunk");
                    }
                }
                case DONE -> i = end;
            }
        }
    }

    private void fail(String problem) {
        state = State.DONE;
        listener.onEnd(problem);
    }

    // ---- HTTP head ----

    private int headBytes(byte[] b, int i, int end) {
        while (i < end) {
            byte c = b[i++];
            if (c == '\n') {
                int n = Math.min(lineLength, LINE_PREFIX);
                if (n > 0 && n == lineLength && line[n - 1] == '\r') {
                    n--;
                }
                lineLength = 0;
                headLine(n);
                return i;
            }
            appendToLine(c);
        }
        return i;
    }

    private void headLine(int n) {
        if (state == State.STATUS_LINE) {
            // "HTTP/1.1 200 OK"
            if (n >= 12 && startsWith(line, 0, n, HTTP) && line[8] == ' '
                    && isDigit(line[9]) && isDigit(line[10]) && isDigit(line[11])) {
                status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
            }
            state = State.HEADER_LINE;
            return;
        }
        if (n == 0) {
            state = chunked ? State.CHUNK_SIZE : State.BODY;
            listener.onHead(status);
            return;
        }
        int colon = indexOf(line, 0, n, (byte) ':');
        if (colon == TRANSFER_ENCODING.length && equalsIgnoreCase(line, 0, colon, TRANSFER_ENCODING)
                && containsIgnoreCase(line, colon + 1, n, CHUNKED)) {
            chunked = true;
        }
    }

    // ---- chunked transfer coding ----

    private int chunkSizeBytes(byte[] b, int i, int end) {
        while (i < end) {
            byte c = b[i++];
            int digit = Character.digit(c, 16);
            if (digit >= 0) {
                if (chunkRemaining > (Long.MAX_VALUE >> 4)) {
                    fail("chunk size too large");
                    return end;
                }
                chunkRemaining = (chunkRemaining << 4) | digit;
                chunkSizeDigits = true;
            } else if (c == ';' || c == ' ' || c == '\t') {
                state = State.CHUNK_EXTENSION;
                return i;
            } else if (c == '\n') {
                endOfChunkSize();
                return i;
            } else if (c != '\r') {
                fail("bad chunk size");
                return end;
            }
        }
        return i;
    }

    private void endOfChunkSize() {
        if (!chunkSizeDigits) {
            fail("empty chunk size");
            return;
        }
        chunkSizeDigits = false;
        if (chunkRemaining == 0) {
            state = State.DONE;
            listener.onEnd(null);
        } else {
            state = State.CHUNK_DATA;
        }
    }

    // ---- event stream ----

    private void streamBytes(byte[] b, int i, int end) {
        while (i < end) {
            if (afterCr) {
                afterCr = false;
                if (b[i] == '\n') {
                    i++;
                    continue;
                }
            }
            int j = i;
            while (j < end && b[j] != '\n' && b[j] != '\r') {
                j++;
            }
            int room = LINE_PREFIX - lineLength;
            if (room > 0) {
                System.arraycopy(b, i, line, lineLength, Math.min(room, j - i));
            }
            lineLength += j - i;
            if (j == end) {
                return;
            }
            afterCr = b[j] == '\r';
            int n = lineLength;
            lineLength = 0;
            streamLine(n);
            if (state == State.DONE) {
                return;
            }
            i = j + 1;
        }
    }

    private void appendToLine(byte c) {
        if (lineLength < LINE_PREFIX) {
            line[lineLength] = c;
        }
        lineLength++;
    }

    /** A complete event-stream line of {@code fullLength} bytes (its prefix is in {@link #line}). */
    private void streamLine(int fullLength) {
        if (fullLength == 0) {
            dispatch();
            return;
        }
        if (line[0] == ':') {
            listener.onComment();
            return;
        }
        int n = Math.min(fullLength, LINE_PREFIX);
        int colon = indexOf(line, 0, n, (byte) ':');
        int valueStart = colon + 1;
        if (valueStart < n && line[valueStart] == ' ') {
            valueStart++;
        }
        if (colon == DATA.length && startsWith(line, 0, colon, DATA)) {
            dataLines++;
            ours = dataLines == 1 && parseOurs(valueStart, n);
        } else if (colon == EVENT.length && startsWith(line, 0, colon, EVENT)) {
            eventNameLength = Math.max(0, Math.min(n - valueStart, EVENT_NAME_MAX));
            System.arraycopy(line, Math.min(valueStart, n), eventName, 0, eventNameLength);
        }
    }

    private void dispatch() {
        if (dataLines == 0 && eventNameLength < 0) {
            return;
        }
        boolean unnamed = eventNameLength <= 0
                || (eventNameLength == MESSAGE.length && startsWith(eventName, 0, eventNameLength, MESSAGE));
        if (unnamed && dataLines == 1 && ours) {
            listener.onEvent(seq, sendNanos, scheduledNanos);
        } else {
            listener.onOtherEvent(unnamed ? "message"
                    : new String(eventName, 0, eventNameLength, StandardCharsets.UTF_8));
        }
        dataLines = 0;
        ours = false;
        eventNameLength = -1;
    }

    /** Parses {@code seq=<n> t=<n> s=<n>} (then a space or the end) from {@code line[from, to)}. */
    private boolean parseOurs(int from, int to) {
        int p = expect(from, to, "seq=");
        if (p < 0 || (p = number(p, to)) < 0) {
            return false;
        }
        seq = parsed;
        if ((p = expect(p, to, " t=")) < 0 || (p = number(p, to)) < 0) {
            return false;
        }
        sendNanos = parsed;
        if ((p = expect(p, to, " s=")) < 0 || (p = number(p, to)) < 0) {
            return false;
        }
        scheduledNanos = parsed;
        return p == to || line[p] == ' ';
    }

    /** Parses an optionally negative decimal at {@code line[p]} into {@link #parsed}; the index after it or -1. */
    private int number(int p, int to) {
        boolean negative = p < to && line[p] == '-';
        if (negative) {
            p++;
        }
        int start = p;
        long v = 0;
        while (p < to && isDigit(line[p]) && p - start < 19) {
            v = v * 10 + (line[p] - '0');
            p++;
        }
        if (p == start) {
            return -1;
        }
        parsed = negative ? -v : v;
        return p;
    }

    private int expect(int p, int to, String literal) {
        int n = literal.length();
        if (to - p < n) {
            return -1;
        }
        for (int k = 0; k < n; k++) {
            if (line[p + k] != literal.charAt(k)) {
                return -1;
            }
        }
        return p + n;
    }

    // ---- byte helpers ----

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static int indexOf(byte[] b, int from, int to, byte x) {
        for (int i = from; i < to; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return to;
    }

    private static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (b[from + k] != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    private static boolean equalsIgnoreCase(byte[] b, int from, int to, byte[] lower) {
        if (to - from != lower.length) {
            return false;
        }
        for (int k = 0; k < lower.length; k++) {
            if (Character.toLowerCase(b[from + k]) != lower[k]) {
                return false;
            }
        }
        return true;
    }

    private static boolean containsIgnoreCase(byte[] b, int from, int to, byte[] lower) {
        for (int i = from; i + lower.length <= to; i++) {
            if (equalsIgnoreCase(b, i, i + lower.length, lower)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
