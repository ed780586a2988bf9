package dev.broadcaster.bench.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A minimal blocking HTTP/1.1 client that POSTs fixed-size {@code text/plain} bodies to one URL over one
 * keep-alive connection (re-opened only when the server answers {@code Connection: close}). It reads the
 * status line, the headers ({@code Content-Length}, {@code Transfer-Encoding: chunked}, {@code Connection},
 * {@code X-Publish-Nanos}) and skips the body.
 *
 * <p>Not thread-safe: one thread uses it.
 */
final class HttpPostClient implements Closeable {
    private static final int MAX_LINE = 8192;

    private final InetSocketAddress address;
    private final byte[] head;
    private final int bodyLength;
    private final byte[] line = new byte[MAX_LINE];
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    private int status;
    private long publishNanos;
    private long publishCpuNanos;

    /** A client for {@code url}, whose every body is exactly {@code bodyLength} bytes. */
    HttpPostClient(URI url, int bodyLength) {
        int port = url.getPort() > 0 ? url.getPort() : 80;
        this.address = new InetSocketAddress(url.getHost(), port);
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        this.head = ("POST " + path + " HTTP/1.1\r\n"
                + "Host: " + url.getHost() + ":" + port + "\r\n"
                + "Content-Type: text/plain\r\n"
                + "Content-Length: " + bodyLength + "\r\n"
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
        this.bodyLength = bodyLength;
    }

    /**
     * Sends {@code body} (exactly the length given to the constructor) and reads the whole response.
     *
     * @return the response status; {@link #publishNanos()} then holds its {@code X-Publish-Nanos} header
     */
    int post(byte[] body) throws IOException {
        if (body.length != bodyLength) {
            throw new IllegalArgumentException("body is " + body.length + " bytes, expected " + bodyLength);
        }
        if (socket == null) {
            open();
        }
        out.write(head);
        out.write(body);
        out.flush();
        readResponse();
        return status;
    }

    /** The {@code X-Publish-Nanos} header of the last response, -1 if it had none. */
    long publishNanos() {
        return publishNanos;
    }

    /** The {@code X-Publish-Cpu-Nanos} header of the last response, -1 if it had none. */
    long publishCpuNanos() {
        return publishCpuNanos;
    }

    private void open() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(address, 10_000);
        socket.setSoTimeout(60_000);
        out = new BufferedOutputStream(socket.getOutputStream(), head.length + bodyLength);
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    }

    private void readResponse() throws IOException {
        int n = readLine();
        // "HTTP/1.1 204 No Content"
        String statusLine = new String(line, 0, n, StandardCharsets.ISO_8859_1);
        if (!statusLine.startsWith("HTTP/") || statusLine.length() < 12) {
            throw new IOException("malformed status line from " + address + ": " + statusLine);
        }
        status = Integer.parseInt(statusLine.substring(9, 12));
        publishNanos = -1;
        publishCpuNanos = -1;
        long contentLength = -1;
        boolean chunked = false;
        boolean close = statusLine.startsWith("HTTP/1.0");
        while ((n = readLine()) > 0) {
            String header = new String(line, 0, n, StandardCharsets.ISO_8859_1);
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim();
            String value = header.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                contentLength = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                chunked = value.toLowerCase().contains("chunked");
            } else if (name.equalsIgnoreCase("Connection")) {
                close = value.equalsIgnoreCase("close");
            } else if (name.equalsIgnoreCase("X-Publish-Nanos")) {
                publishNanos = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("X-Publish-Cpu-Nanos")) {
                publishCpuNanos = Long.parseLong(value);
            }
        }
        boolean noBody = status == 204 || status == 304 || status / 100 == 1;
        if (!noBody) {
            if (chunked) {
                skipChunkedBody();
            } else if (contentLength >= 0) {
                skip(contentLength);
            } else {
                in.transferTo(OutputStream.nullOutputStream()); // close-delimited
                close = true;
            }
        }
        if (close) {
            close();
        }
    }

    private void skipChunkedBody() throws IOException {
        while (true) {
            String size = new String(line, 0, readLine(), StandardCharsets.ISO_8859_1);
            int semicolon = size.indexOf(';');
            long n = Long.parseLong((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
            if (n == 0) {
                while (readLine() > 0) {
                    // trailers
                }
                return;
            }
            skip(n);
            readLine();
        }
    }

    private void skip(long n) throws IOException {
        while (n > 0) {
            long skipped = in.skip(n);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("response body cut short by " + address);
                }
                skipped = 1;
            }
            n -= skipped;
        }
    }

    /** Reads one line (without its CRLF or LF) into {@link #line}; returns its length. */
    private int readLine() throws IOException {
        int n = 0;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed by " + address + " in a response");
            }
            if (c == '\n') {
                return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
            }
            if (n == MAX_LINE) {
                throw new IOException("response line longer than " + MAX_LINE + " bytes from " + address);
            }
            line[n++] = (byte) c;
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
