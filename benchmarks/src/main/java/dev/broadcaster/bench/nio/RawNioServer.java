package dev.broadcaster.bench.nio;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The physical-limit baseline of the benchmark: an SSE fan-out server on ONE thread with a
 * {@link Selector}, parsing just enough HTTP/1.1.
 *
 * <ul>
 *   <li>{@code GET /bench/channels/{ch}}: answers {@code 200} with {@code Content-Type: text/event-stream},
 *       {@code Cache-Control: no-cache}, {@code Connection: close} (no chunking), then {@code : connected\n\n},
 *       and adds the socket to channel {@code ch}. Client EOF removes it.</li>
 *   <li>{@code POST /publish/{ch}} with a {@code Content-Length} body: encodes {@code data: <body>\n\n} once
 *       and writes the same bytes to every subscriber of {@code ch} with one non-blocking write each; a
 *       socket that does not take the whole frame is closed and dropped (this is a limit, not a product).
 *       Answers {@code 204} with {@code X-Publish-Nanos} (the time spent encoding and writing), keep-alive.</li>
 *   <li>Anything else: {@code 404}, keep-alive.</li>
 * </ul>
 *
 * <p>Usage: {@code RawNioServer [--port P] [--host H] [--backlog B]}; prints {@code READY http://H:P/} once
 * it accepts connections and runs until killed. {@code --port 0} picks a free port.
 */
public final class RawNioServer {
    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final byte[] SUBSCRIBE_RESPONSE = ("HTTP/1.1 200 OK\r\n"
            + "Content-Type: text/event-stream\r\n"
            + "Cache-Control: no-cache\r\n"
            + "Connection: close\r\n"
            + "\r\n"
            + ": connected\n\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA_PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final String SUBSCRIBE_PREFIX = "/bench/channels/";
    private static final String PUBLISH_PREFIX = "/publish/";

    private final Selector selector;
    private final ServerSocketChannel server;
    private final Map<String, SubscriberList> channels = new HashMap<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);

    private RawNioServer(String host, int port, int backlog) throws IOException {
        selector = Selector.open();
        server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(new InetSocketAddress(host, port), backlog);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    public static void main(String[] args) throws IOException {
        int port = 8500;
        String host = "127.0.0.1";
        int backlog = 4096;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(required(args[i], value));
                case "--host" -> host = required(args[i], value);
                case "--backlog" -> backlog = Integer.parseInt(required(args[i], value));
                default -> throw new IllegalArgumentException("unknown flag " + args[i]
                        + " (usage: RawNioServer [--port P] [--host H] [--backlog B])");
            }
            i++;
        }
        RawNioServer s = new RawNioServer(host, port, backlog);
        int actualPort = ((InetSocketAddress) s.server.getLocalAddress()).getPort();
        System.out.println("READY http://" + host + ":" + actualPort + "/");
        System.out.flush();
        s.run();
    }

    private static String required(String flag, String value) {
        if (value == null) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return value;
    }

    /** The selector loop; never returns normally. */
    private void run() throws IOException {
        while (true) {
            selector.select(this::onSelected);
        }
    }

    private void onSelected(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        if (key.isAcceptable()) {
            acceptAll();
            return;
        }
        Connection c = (Connection) key.attachment();
        try {
            if (key.isWritable()) {
                onWritable(c);
            }
            if (key.isValid() && key.isReadable()) {
                onReadable(c);
            }
        } catch (IOException | RuntimeException e) {
            close(c);
        }
    }

    private void acceptAll() {
        while (true) {
            SocketChannel socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                System.err.println("accept failed: " + e);
                return;
            }
            if (socket == null) {
                return;
            }
            try {
                socket.configureBlocking(false);
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
                SelectionKey key = socket.register(selector, SelectionKey.OP_READ);
                key.attach(new Connection(socket, key));
            } catch (IOException e) {
                closeQuietly(socket);
            }
        }
    }

    private void onReadable(Connection c) throws IOException {
        while (true) {
            readBuffer.clear();
            int n = c.socket.read(readBuffer);
            if (n < 0) {
                close(c);
                return;
            }
            if (n == 0) {
                return;
            }
            readBuffer.flip();
            if (!c.isSubscriber()) {
                // A subscriber may send nothing meaningful any more; its bytes are discarded.
                c.appendRequestBytes(readBuffer, n);
                if (!handleRequests(c)) {
                    return;
                }
            }
            if (n < readBuffer.capacity()) {
                return;
            }
        }
    }

    private void onWritable(Connection c) throws IOException {
        c.socket.write(c.pendingWrite);
        if (c.pendingWrite.hasRemaining()) {
            return;
        }
        c.pendingWrite = null;
        if (c.closeAfterWrite) {
            close(c);
            return;
        }
        c.key.interestOps(SelectionKey.OP_READ);
        handleRequests(c);
    }

    /**
     * Handles the complete requests buffered for {@code c}, stopping early when a response waits to be flushed.
     *
     * @return false when {@code c} was closed or became a subscriber
     */
    private boolean handleRequests(Connection c) throws IOException {
        while (c.pendingWrite == null) {
            int consumed = handleOneRequest(c);
            if (consumed == 0) {
                return true;
            }
            if (consumed < 0) {
                return false;
            }
            c.consumeRequestBytes(consumed);
        }
        return true;
    }

    /**
     * Parses and handles the first request in {@code c.request}.
     *
     * @return the bytes it took, 0 if the request is not complete yet, -1 if {@code c} was closed or became a
     *     subscriber
     */
    private int handleOneRequest(Connection c) throws IOException {
        byte[] b = c.request;
        int len = c.requestLength;
        int headEnd = indexOfHeadEnd(b, len);
        if (headEnd < 0) {
            if (len > MAX_HEAD_BYTES) {
                respond(c, "431 Request Header Fields Too Large", null, false);
                return -1;
            }
            return 0;
        }
        int lineEnd = indexOf(b, 0, headEnd, (byte) '\r');
        String[] requestLine = new String(b, 0, lineEnd, StandardCharsets.ISO_8859_1).split(" ");
        if (requestLine.length != 3) {
            respond(c, "400 Bad Request", null, false);
            return -1;
        }
        String method = requestLine[0];
        String path = requestLine[1];
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        boolean keepAlive = requestLine[2].equals("HTTP/1.1");
        int contentLength = 0;
        int pos = lineEnd + 2;
        while (pos < headEnd) {
            int end = indexOf(b, pos, headEnd, (byte) '\r');
            int colon = indexOf(b, pos, end, (byte) ':');
            if (colon < end) {
                String name = new String(b, pos, colon - pos, StandardCharsets.ISO_8859_1).trim();
                String value = new String(b, colon + 1, end - colon - 1, StandardCharsets.ISO_8859_1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    try {
                        contentLength = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        contentLength = -1;
                    }
                } else if (name.equalsIgnoreCase("Connection")) {
                    keepAlive = value.equalsIgnoreCase("keep-alive")
                            || (keepAlive && !value.equalsIgnoreCase("close"));
                }
            }
            pos = end + 2;
        }
        if (contentLength < 0 || contentLength > MAX_BODY_BYTES) {
            respond(c, "413 Content Too Large", null, false);
            return -1;
        }
        int bodyStart = headEnd + 4;
        int total = bodyStart + contentLength;
        if (len < total) {
            return 0;
        }
        if (method.equals("GET") && path.startsWith(SUBSCRIBE_PREFIX) && path.length() > SUBSCRIBE_PREFIX.length()) {
            subscribe(c, path.substring(SUBSCRIBE_PREFIX.length()));
            return -1;
        }
        if (method.equals("POST") && path.startsWith(PUBLISH_PREFIX) && path.length() > PUBLISH_PREFIX.length()) {
            long nanos = publish(path.substring(PUBLISH_PREFIX.length()), b, bodyStart, contentLength);
            if (!respond(c, "204 No Content", "X-Publish-Nanos: " + nanos + "\r\n", keepAlive)) {
                return -1;
            }
            return total;
        }
        if (!respond(c, "404 Not Found", null, keepAlive)) {
            return -1;
        }
        return total;
    }

    private void subscribe(Connection c, String channel) throws IOException {
        ByteBuffer response = ByteBuffer.wrap(SUBSCRIBE_RESPONSE);
        c.socket.write(response);
        c.request = null;
        if (response.hasRemaining()) {
            close(c);
            return;
        }
        channels.computeIfAbsent(channel, k -> new SubscriberList()).add(c);
    }

    /**
     * Writes {@code data: <body>\n\n} to every subscriber of {@code channel}; closes those that do not take it
     * whole.
     *
     * @return the nanoseconds spent encoding and writing
     */
    private long publish(String channel, byte[] src, int offset, int length) {
        long start = System.nanoTime();
        byte[] frameBytes = new byte[DATA_PREFIX.length + length + 2];
        System.arraycopy(DATA_PREFIX, 0, frameBytes, 0, DATA_PREFIX.length);
        System.arraycopy(src, offset, frameBytes, DATA_PREFIX.length, length);
        frameBytes[frameBytes.length - 2] = '\n';
        frameBytes[frameBytes.length - 1] = '\n';
        ByteBuffer frame = ByteBuffer.wrap(frameBytes).asReadOnlyBuffer();
        SubscriberList subscribers = channels.get(channel);
        if (subscribers != null) {
            // Backwards, so that a removal (the last element moves into the freed slot) is never skipped.
            for (int i = subscribers.size() - 1; i >= 0; i--) {
                Connection s = subscribers.get(i);
                ByteBuffer copy = frame.duplicate();
                try {
                    s.socket.write(copy);
                } catch (IOException e) {
                    close(s);
                    continue;
                }
                if (copy.hasRemaining()) {
                    close(s);
                }
            }
        }
        return System.nanoTime() - start;
    }

    /**
     * Writes a response without a body; what the socket does not take now is written when it is writable
     * (reading further requests of {@code c} waits until then).
     *
     * @return false if {@code c} was closed
     */
    private boolean respond(Connection c, String status, String extraHeaders, boolean keepAlive)
            throws IOException {
        String head = "HTTP/1.1 " + status + "\r\n"
                + (extraHeaders == null ? "" : extraHeaders)
                + "Content-Length: 0\r\n"
                + (keepAlive ? "" : "Connection: close\r\n")
                + "\r\n";
        ByteBuffer out = ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII));
        c.socket.write(out);
        if (out.hasRemaining()) {
            c.pendingWrite = out;
            c.closeAfterWrite = !keepAlive;
            c.key.interestOps(SelectionKey.OP_WRITE);
            return true;
        }
        if (!keepAlive) {
            close(c);
            return false;
        }
        return true;
    }

    private void close(Connection c) {
        if (c.subscribedTo != null) {
            c.subscribedTo.remove(c);
        }
        c.key.cancel();
        closeQuietly(c.socket);
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do: the socket is gone either way
        }
    }

    /** Index of the {@code \r\n\r\n} ending the head in {@code b[0, len)}, or -1. */
    private static int indexOfHeadEnd(byte[] b, int len) {
        for (int i = 0; i + 3 < len; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Index of {@code x} in {@code b[from, to)}, or {@code to}. */
    private static int indexOf(byte[] b, int from, int to, byte x) {
        for (int i = from; i < to; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return to;
    }
}
