package dev.broadcaster.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client on a plain socket, for requests a well-behaved client refuses to send: raw {@code {}}
 * in a path, any header value, a chosen {@code Host}. It writes the request bytes exactly as given and reads
 * one response (Content-Length, chunked, or until the server closes). The connection is kept alive between
 * requests and opened again when the server closed it. A {@code 200} event stream is not read: its head is
 * returned and the connection closed (the subscriber leaves at once). Not thread-safe: one caller at a time.
 */
public final class RawHttp implements AutoCloseable {

    /** One response: status, headers (names lower-case), body bytes. */
    public record Response(int status, Map<String, List<String>> headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }
    }

    private final URI base;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    public RawHttp(URI base) {
        this.base = base;
    }

    /** The {@code Host} header value of the server ({@code host:port}). */
    public String host() {
        return base.getHost() + ":" + base.getPort();
    }

    /** The server's own origin, as a browser on one of its pages sends it in {@code Origin}. */
    public String origin() {
        return "http://" + host();
    }

    /**
     * Sends a request: {@code method target}, {@code Host} (unless {@code headers} has one), the other headers
     * ({@code "Name: value"}), {@code Authorization} for {@code user} (null: none), and {@code body} with its
     * Content-Length (null: no body).
     */
    public Response send(String method, String target, String user, byte[] body, List<String> headers) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        if (headers.stream().noneMatch(h -> h.regionMatches(true, 0, "Host:", 0, 5))) {
            head.append("Host: ").append(host()).append("\r\n");
        }
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        if (user != null) {
            head.append("Authorization: ").append(HttpCalls.basic(user, TestUsers.password(user))).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            request.writeBytes(body);
        }
        return exchange(request.toByteArray(), method.equals("HEAD"));
    }

    /** Sends {@code request} as is (the caller wrote every byte, body and framing included) and reads the answer. */
    public Response exchange(byte[] request, boolean head) {
        try {
            return attempt(request, head);
        } catch (IOException first) {
            // the server may have closed a kept-alive connection in between: one new connection, once
            closeQuietly();
            try {
                return attempt(request, head);
            } catch (IOException e) {
                closeQuietly();
                throw new UncheckedIOException(e);
            }
        }
    }

    private Response attempt(byte[] request, boolean head) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
            socket.setSoTimeout(30_000);
            socket.setTcpNoDelay(true);
            in = new java.io.BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = socket.getOutputStream();
        }
        out.write(request);
        out.flush();
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line = line(); line != null && !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        byte[] body;
        List<String> encoding = headers.get("transfer-encoding");
        List<String> length = headers.get("content-length");
        List<String> type = headers.get("content-type");
        if (status == 200 && type != null && type.get(0).startsWith("text/event-stream")) {
            // a stream that was let in: its head is the answer; the tab goes away at once
            closeQuietly();
            return new Response(status, headers, new byte[0]);
        }
        if (head || status == 204 || status == 304 || status / 100 == 1) {
            body = new byte[0];
        } else if (encoding != null && encoding.get(0).toLowerCase(Locale.ROOT).contains("chunked")) {
            body = chunked();
        } else if (length != null) {
            body = in.readNBytes(Integer.parseInt(length.get(0)));
        } else {
            body = in.readAllBytes();
            closeQuietly();
        }
        List<String> connection = headers.get("connection");
        if (connection != null && connection.get(0).equalsIgnoreCase("close")) {
            closeQuietly();
        }
        return new Response(status, headers, body);
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line();
            if (size == null) {
                throw new IOException("connection closed inside a chunked body");
            }
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (n == 0) {
                for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
                    // trailers ignored
                }
                return body.toByteArray();
            }
            body.writeBytes(in.readNBytes(n));
            line();
        }
    }

    /** One line without its CRLF (ISO-8859-1), or null at the end of the stream. */
    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) c);
        }
        return line.length() == 0 ? null : line.toString();
    }

    private void closeQuietly() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        socket = null;
        in = null;
        out = null;
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
