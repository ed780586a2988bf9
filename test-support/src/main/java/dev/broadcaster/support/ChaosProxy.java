package dev.broadcaster.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A TCP proxy on a free loopback port in front of one server (a Redis), that a test turns against the connections
 * through it, as a bad network would: pass, delay every chunk, silently blackhole (bytes are read and dropped, the
 * sockets stay open: a NAT or firewall that forgot the connection), or reset them.
 *
 * <p>Threads: one accept thread, and two per proxied connection (one per direction), all daemons; they block on
 * their sockets. The mode fields are volatile: a change applies to the next chunk each pump reads.
 */
public final class ChaosProxy implements AutoCloseable {

    /** One client connection through the proxy. */
    public final class Link {
        private final Socket client;
        private final Socket server;
        private final StringBuilder sent = new StringBuilder(); // guarded by itself; the first bytes sent upstream
        private volatile boolean blackholed;

        private Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        /** Whether the client sent {@code command} (e.g. {@code SUBSCRIBE}) among its first few kilobytes. */
        public boolean sent(String command) {
            synchronized (sent) {
                return sent.toString().toUpperCase(Locale.ROOT).contains(command.toUpperCase(Locale.ROOT));
            }
        }

        public boolean blackholed() {
            return blackholed || blackholeAll;
        }

        private void record(byte[] buffer, int n) {
            synchronized (sent) {
                if (sent.length() < 4096) {
                    sent.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                }
            }
        }

        private void reset() {
            try {
                client.setSoLinger(true, 0);
            } catch (IOException e) {
                // already closed
            }
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile long delayMillis;
    private volatile boolean blackholeAll;
    private volatile boolean refusing;
    private volatile boolean closed;

    private ChaosProxy(ServerSocket listener, InetSocketAddress target) {
        this.listener = listener;
        this.target = target;
    }

    /** Starts a proxy to {@code host:port}, passing everything. */
    public static ChaosProxy start(String host, int port) {
        try {
            ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            ChaosProxy proxy = new ChaosProxy(listener, new InetSocketAddress(host, port));
            daemon("chaos-proxy-accept-" + listener.getLocalPort(), proxy::accept).start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The open connections through the proxy. */
    public List<Link> links() {
        links.removeIf(link -> link.client.isClosed());
        return List.copyOf(links);
    }

    /** Passes everything again, promptly: no delay, no blackhole (connections blackholed until now stay open). */
    public void pass() {
        delayMillis = 0;
        blackholeAll = false;
        refusing = false;
        links.forEach(link -> link.blackholed = false);
    }

    /** Holds every chunk back for {@code delay} before passing it on, both ways. */
    public void delay(Duration delay) {
        delayMillis = delay.toMillis();
    }

    /** Silently drops whatever the open connections matching {@code which} send, both ways, from now on. */
    public void blackhole(Predicate<Link> which) {
        links().stream().filter(which).forEach(link -> link.blackholed = true);
    }

    /** Silently drops everything, on the open connections and on new ones (which are accepted, then ignored). */
    public void blackholeAll() {
        blackholeAll = true;
    }

    /** Resets (RST) every open connection; new ones are passed as the mode says. */
    public void reset() {
        links().forEach(Link::reset);
    }

    /** Cuts the path: resets every open connection, and every new one until {@link #pass}. */
    public void cut() {
        refusing = true;
        reset();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        links.forEach(Link::reset);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                if (refusing) {
                    client.setSoLinger(true, 0);
                    closeQuietly(client);
                    continue;
                }
                Socket server = new Socket();
                try {
                    server.connect(target, 2000);
                } catch (IOException e) {
                    client.setSoLinger(true, 0);
                    closeQuietly(client); // the server is down: the client sees a reset, as it would without us
                    closeQuietly(server);
                    continue;
                }
                Link link = new Link(client, server);
                links.add(link);
                daemon("chaos-proxy-up", () -> pump(link, client, server, true)).start();
                daemon("chaos-proxy-down", () -> pump(link, server, client, false)).start();
            } catch (IOException e) {
                if (!closed) {
                    // the listener failed: nothing more to accept
                    return;
                }
            }
        }
    }

    private void pump(Link link, Socket from, Socket to, boolean upstream) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (upstream) {
                    link.record(buffer, n);
                }
                if (link.blackholed()) {
                    continue;
                }
                long delay = delayMillis;
                if (delay > 0) {
                    Thread.sleep(delay); // the fault being simulated, not a synchronisation
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed or was reset
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!link.blackholed()) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
