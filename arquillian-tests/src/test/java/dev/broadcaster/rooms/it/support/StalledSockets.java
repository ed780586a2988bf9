package dev.broadcaster.rooms.it.support;

import dev.broadcaster.support.HttpCalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Subscribers that send their request with a tiny receive window and then never read a byte. */
public final class StalledSockets implements AutoCloseable {

    private final List<Socket> sockets = new ArrayList<>();

    /** Opens {@code count} streams of {@code uri} (path and query) as {@code user}. */
    public static StalledSockets open(URI uri, String user, int count) {
        StalledSockets opened = new StalledSockets();
        try {
            for (int i = 0; i < count; i++) {
                Socket socket = new Socket();
                socket.setReceiveBufferSize(4096);
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
                String request = "GET " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                        + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                        + "Accept: text/event-stream\r\nAuthorization: " + HttpCalls.basic(user) + "\r\n\r\n";
                socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                opened.sockets.add(socket);
            }
            return opened;
        } catch (IOException e) {
            opened.close();
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
