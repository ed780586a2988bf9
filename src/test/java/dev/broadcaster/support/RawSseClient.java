package dev.broadcaster.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A subscriber on a plain socket, for behaviour a well-behaved HTTP client cannot show: one that
 * sends its request and then never reads (a stalled reader), or vanishes without closing (RST).
 */
public final class RawSseClient implements AutoCloseable {

    private final Socket socket;

    private RawSseClient(Socket socket) {
        this.socket = socket;
    }

    /** Subscribes as {@code user} and never reads a byte of the response. */
    public static RawSseClient stalled(URI uri, String user) {
        try {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096); // a small window: the server's writes back up quickly
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
            String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Accept: text/event-stream\r\n"
                    + "Authorization: " + HttpCalls.basic(user, TestUsers.password(user)) + "\r\n"
                    + "\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new RawSseClient(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Drops the connection with a reset, as a crashed browser or a cut network does. */
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
