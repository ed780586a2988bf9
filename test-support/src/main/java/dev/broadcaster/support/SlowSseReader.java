package dev.broadcaster.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * A subscriber on a slow link: it reads at most {@code bytesPerRead} bytes of its socket (a 4 KiB receive window),
 * then pauses, so the server's writes to it back up while it keeps reading. It parses what it read by the WHATWG
 * rules ({@link EventStreamParser}). The pause is the client's speed, not a synchronisation: tests wait on what it
 * received, with a deadline.
 */
public final class SlowSseReader implements AutoCloseable {

    private final Socket socket;
    private final int bytesPerRead;
    private final long pauseMillis;
    private final List<EventStreamParser.Event> events = new ArrayList<>();
    private final EventStreamParser parser = new EventStreamParser();
    private long bytesRead; // of the body, as the server sent it (chunk framing not counted)
    private boolean ended;
    private int status;

    private SlowSseReader(Socket socket, int bytesPerRead, Duration pause) {
        this.socket = socket;
        this.bytesPerRead = bytesPerRead;
        this.pauseMillis = pause.toMillis();
    }

    /** Subscribes to {@code uri} as {@code user} and starts reading slowly on a thread of its own. */
    public static SlowSseReader open(URI uri, String user, int bytesPerRead, Duration pause) {
        try {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nAccept: text/event-stream\r\nAuthorization: " + HttpCalls.basic(user) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            SlowSseReader reader = new SlowSseReader(socket, bytesPerRead, pause);
            Thread thread = new Thread(reader::readLoop, "slow-reader-" + user);
            thread.setDaemon(true);
            thread.start();
            return reader;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readLoop() {
        try {
            InputStream in = new Throttled(socket.getInputStream());
            String head = readHead(in);
            boolean chunked = head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
            synchronized (this) {
                status = Integer.parseInt(head.substring(9, 12));
                notifyAll();
            }
            Reader body = new InputStreamReader(chunked ? new Chunked(in) : in, StandardCharsets.UTF_8);
            char[] buffer = new char[bytesPerRead];
            int n;
            while ((n = body.read(buffer)) >= 0) {
                List<EventStreamParser.Event> parsed = parser.feed(new String(buffer, 0, n));
                synchronized (this) {
                    events.addAll(parsed);
                    notifyAll();
                }
            }
        } catch (IOException | RuntimeException e) {
            // cut, or closed by this client: the end of the stream
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] bytes = head.toByteArray();
            int n = bytes.length;
            if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n') {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        throw new IOException("no response head: " + head.toString(StandardCharsets.ISO_8859_1));
    }

    /** The events read so far. */
    public synchronized List<EventStreamParser.Event> events() {
        return List.copyOf(events);
    }

    /** The body bytes read so far. */
    public synchronized long bytesRead() {
        return bytesRead;
    }

    /** Whether the server ended the stream (or it was cut). */
    public synchronized boolean ended() {
        return ended;
    }

    /** The response's status, once its head was read (0 before). */
    public synchronized int status() {
        return status;
    }

    /** Waits until an event read so far matches {@code test}; fails after {@code timeout}. */
    public synchronized EventStreamParser.Event awaitEvent(Predicate<EventStreamParser.Event> test, String what,
                                                           Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (EventStreamParser.Event event : events) {
                if (test.test(event)) {
                    return event;
                }
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0 || ended) {
                throw new AssertionError("slow reader: no " + what + (ended ? " before the stream ended" : " within "
                        + timeout) + "; " + events.size() + " events read, the last: "
                        + (events.isEmpty() ? "none" : events.get(events.size() - 1)));
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** The socket's stream, read at most {@code bytesPerRead} bytes at a time with a pause after each read. */
    private final class Throttled extends InputStream {
        private final InputStream in;

        Throttled(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, Math.min(length, bytesPerRead));
            if (n > 1) { // a byte at a time is the response head: no pause there
                try {
                    Thread.sleep(pauseMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            return n;
        }
    }

    /** The body of a chunked response, counted into {@link #bytesRead}. */
    private final class Chunked extends InputStream {
        private final InputStream in;
        private long left; // of the current chunk
        private boolean done;

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = line();
                if (size.isEmpty()) { // the CRLF after the previous chunk's data
                    size = line();
                }
                int semicolon = size.indexOf(';');
                left = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                if (left == 0) {
                    done = true;
                    return -1;
                }
            }
            int n = in.read(buffer, offset, (int) Math.min(length, left));
            if (n < 0) {
                throw new IOException("chunk cut short");
            }
            left -= n;
            synchronized (SlowSseReader.this) {
                bytesRead += n;
            }
            return n;
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            if (b < 0) {
                throw new IOException("stream cut in a chunk header");
            }
            return line.toString();
        }
    }
}
