package dev.broadcaster.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A subscriber on a plain socket, for behaviour a well-behaved HTTP client cannot show: one that
 * sends its request and then never reads (a stalled reader), or vanishes without closing (RST).
 */
public final class RawSseClient implements AutoCloseable {

    private final Socket socket;
    private final StringBuilder received = new StringBuilder();

    private RawSseClient(Socket socket) {
        this.socket = socket;
    }

    /** Subscribes as {@code user} and never reads a byte of the response. */
    public static RawSseClient stalled(URI uri, String user) {
        try {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096); // a small window: the server's writes back up quickly
            return subscribe(socket, uri, user);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Subscribes as {@code user} and reads until the server said {@code : connected <id>}. */
    public static RawSseClient connect(URI uri, String user) {
        try {
            RawSseClient client = subscribe(new Socket(), uri, user);
            client.readUntil(": connected ", SseStream.TIMEOUT);
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RawSseClient subscribe(Socket socket, URI uri, String user) throws IOException {
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String request = "GET " + target + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Accept: text/event-stream\r\n"
                + "Authorization: " + HttpCalls.basic(user) + "\r\n"
                + "\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new RawSseClient(socket);
    }

    private void readUntil(String text, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        while (received.indexOf(text) < 0) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new AssertionError("raw client: no '" + text + "' within " + timeout + "; got:\n" + received);
            }
            socket.setSoTimeout((int) Math.max(1, left));
            int n;
            try {
                n = in.read(buffer);
            } catch (SocketTimeoutException e) {
                continue;
            }
            if (n < 0) {
                throw new AssertionError("raw client: connection closed before '" + text + "'; got:\n" + received);
            }
            received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
    }

    /** What was read by {@link #connect}: the response head and the start of the stream. */
    public String received() {
        return received.toString();
    }

    /** Drops the connection with a reset (SO_LINGER 0), as a crashed browser or a cut network does. */
    public void vanish() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
}
