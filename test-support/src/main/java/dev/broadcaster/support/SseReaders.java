package dev.broadcaster.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Many SSE subscribers that read as fast as they can, on plain sockets served by one selector thread: cheap
 * enough for a thousand connections in one test. Each one de-chunks the HTTP response and splits the event
 * stream into lines; it counts the events whose data starts with a number (checking they arrive in order,
 * 0, 1, 2, ...) and keeps the other events (e.g. {@code resync}, {@code closing}) whole.
 */
public final class SseReaders implements AutoCloseable {

    /** One subscriber's view of its stream. */
    public static final class Reader {
        private final SocketChannel socket;
        private final byte[] request;
        private ByteBuffer pendingRequest;
        // HTTP framing
        private int headerMatch; // how many bytes of CRLF CRLF were seen
        private boolean inHeaders = true;
        private int status;
        private final StringBuilder statusLine = new StringBuilder();
        private boolean chunkSizeLine = true;
        private long chunkSize;
        private long chunkRemaining;
        private int chunkTrailer; // CRLF after a chunk's data still to skip
        // the event stream
        private byte[] line = new byte[256];
        private int lineLength;
        private String eventName;
        private String data;
        private volatile int numbered; // numbered events received in order
        private volatile int last = -1; // the last numbered event received
        private boolean gapAllowed; // a resync came: the next numbered event may skip some
        private volatile int outOfOrder;
        private volatile String firstProblem;
        private final List<String> others = new ArrayList<>(); // "type: data" of the other events
        private volatile boolean connected;
        private volatile boolean ended;

        private Reader(SocketChannel socket, byte[] request) {
            this.socket = socket;
            this.request = request;
            this.pendingRequest = ByteBuffer.wrap(request);
        }

        /**
         * Numbered events received in order: each one more than the one before, or, right after a
         * {@code resync} event, any larger number (anything else is counted in {@link #outOfOrder}).
         */
        public int numbered() {
            return numbered;
        }

        /** The last numbered event received in order (-1: none). */
        public int last() {
            return last;
        }

        public int outOfOrder() {
            return outOfOrder;
        }

        public String firstProblem() {
            return firstProblem;
        }

        /** The events that were not numbered, as {@code type: data}. */
        public synchronized List<String> others() {
            return List.copyOf(others);
        }

        /** The stream's greeting comment arrived: the server registered this connection. */
        public boolean connected() {
            return connected;
        }

        /** The response ended or the connection closed. */
        public boolean ended() {
            return ended;
        }

        public int status() {
            return status;
        }

        private void bytes(ByteBuffer in) {
            while (in.hasRemaining()) {
                if (inHeaders) {
                    byte b = in.get();
                    if (status == 0) {
                        if (b == '\n') {
                            String[] parts = statusLine.toString().trim().split(" ");
                            status = parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
                        } else {
                            statusLine.append((char) b);
                        }
                    }
                    headerMatch = b == "\r\n\r\n".charAt(headerMatch) ? headerMatch + 1 : (b == '\r' ? 1 : 0);
                    if (headerMatch == 4) {
                        inHeaders = false;
                    }
                } else if (chunkTrailer > 0) {
                    in.get();
                    chunkTrailer--;
                } else if (chunkSizeLine) {
                    byte b = in.get();
                    if (b == '\n') {
                        chunkSizeLine = false;
                        chunkRemaining = chunkSize;
                        if (chunkSize == 0) {
                            ended = true;
                            return;
                        }
                    } else if (Character.digit(b, 16) >= 0 && b != ';') {
                        chunkSize = chunkSize * 16 + Character.digit(b, 16);
                    }
                } else {
                    int n = (int) Math.min(chunkRemaining, in.remaining());
                    for (int i = 0; i < n; i++) {
                        body(in.get());
                    }
                    chunkRemaining -= n;
                    if (chunkRemaining == 0) {
                        chunkSizeLine = true;
                        chunkSize = 0;
                        chunkTrailer = 2;
                    }
                }
            }
        }

        private void body(byte b) {
            if (b == '\n') {
                lineDone();
                lineLength = 0;
                return;
            }
            if (lineLength == line.length) {
                line = java.util.Arrays.copyOf(line, line.length * 2);
            }
            line[lineLength++] = b;
        }

        private void lineDone() {
            int length = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
            if (length == 0) {
                dispatch();
            } else if (line[0] == ':') {
                if (!connected && new String(line, 0, length, StandardCharsets.UTF_8).startsWith(": connected ")) {
                    connected = true;
                }
            } else if (startsWith("data: ", length)) {
                String value = new String(line, 6, length - 6, StandardCharsets.UTF_8);
                data = data == null ? value : data + "\n" + value;
            } else if (startsWith("event: ", length)) {
                eventName = new String(line, 7, length - 7, StandardCharsets.UTF_8);
            }
        }

        private boolean startsWith(String prefix, int length) {
            if (length < prefix.length()) {
                return false;
            }
            for (int i = 0; i < prefix.length(); i++) {
                if (line[i] != prefix.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private void dispatch() {
            if (data == null) {
                eventName = null;
                return;
            }
            int number = leadingNumber(data);
            if (number >= 0 && (eventName == null || "n".equals(eventName))) {
                if (number == last + 1 || (gapAllowed && number > last)) {
                    numbered++;
                    last = number;
                    gapAllowed = false;
                } else {
                    if (firstProblem == null) {
                        firstProblem = "after event " + last + " got " + number;
                    }
                    outOfOrder++;
                }
            } else {
                gapAllowed |= "resync".equals(eventName);
                synchronized (this) {
                    others.add((eventName == null ? "message" : eventName) + ": " + data);
                }
            }
            eventName = null;
            data = null;
        }

        private static int leadingNumber(String text) {
            int value = 0;
            int i = 0;
            while (i < text.length() && Character.isDigit(text.charAt(i)) && i < 9) {
                value = value * 10 + (text.charAt(i) - '0');
                i++;
            }
            return i > 0 && (i == text.length() || text.charAt(i) == ' ') ? value : -1;
        }
    }

    private final Selector selector;
    private final List<Reader> readers = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    private SseReaders(Selector selector) {
        this.selector = selector;
        this.thread = new Thread(this::loop, "sse-readers");
        this.thread.setDaemon(true);
    }

    /** Opens {@code count} streams of {@code uri} as {@code user}; they read from now on. */
    public static SseReaders open(URI uri, String user, int count) {
        try {
            SseReaders readers = new SseReaders(Selector.open());
            String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            byte[] request = ("GET " + target + " HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Accept: text/event-stream\r\n"
                    + "Authorization: " + HttpCalls.basic(user, TestUsers.password(user)) + "\r\n"
                    + "\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < count; i++) {
                SocketChannel socket = SocketChannel.open();
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
                socket.configureBlocking(false);
                Reader reader = new Reader(socket, request);
                readers.readers.add(reader);
                socket.register(readers.selector, SelectionKey.OP_WRITE | SelectionKey.OP_READ, reader);
            }
            readers.thread.start();
            return readers;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Reader> readers() {
        return readers;
    }

    /** How many streams got their greeting (the server registered them). */
    public long connectedCount() {
        return readers.stream().filter(Reader::connected).count();
    }

    /** Numbered events received in order, summed over every stream. */
    public long numberedTotal() {
        return readers.stream().mapToLong(Reader::numbered).sum();
    }

    private void loop() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        try {
            while (running) {
                selector.select(100);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    Reader reader = (Reader) key.attachment();
                    try {
                        if (key.isValid() && key.isWritable()) {
                            reader.socket.write(reader.pendingRequest);
                            if (!reader.pendingRequest.hasRemaining()) {
                                key.interestOps(SelectionKey.OP_READ);
                            }
                        }
                        if (key.isValid() && key.isReadable()) {
                            buffer.clear();
                            int read = reader.socket.read(buffer);
                            if (read < 0) {
                                reader.ended = true;
                                key.cancel();
                                reader.socket.close();
                                continue;
                            }
                            buffer.flip();
                            reader.bytes(buffer);
                            if (reader.ended) {
                                key.cancel();
                                reader.socket.close();
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        reader.ended = true;
                        if (reader.firstProblem == null) {
                            reader.firstProblem = "read failed: " + e;
                        }
                        key.cancel();
                        try {
                            reader.socket.close();
                        } catch (IOException ignored) {
                            // closing anyway
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Reader reader : readers) {
            try {
                reader.socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
