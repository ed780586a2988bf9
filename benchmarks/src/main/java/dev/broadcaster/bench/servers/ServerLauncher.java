package dev.broadcaster.bench.servers;

import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;

/**
 * What every in-process benchmark target shares: the {@code --port P} argument, a Jersey application (or, for
 * the floor, a plain Grizzly handler) on Grizzly bound to {@code 127.0.0.1:P}, the single stdout line
 * {@code READY http://127.0.0.1:P/} once it accepts connections, and a clean stop on SIGTERM (the application
 * first, then Grizzly with a short grace period).
 */
public final class ServerLauncher {

    private static final long GRACE_SECONDS = 2;

    /**
     * Bytes a connection may have queued in Grizzly before a write blocks, for every target alike. Grizzly's
     * default is no limit, which hides a client that stopped reading behind an ever-growing heap; the
     * library's tests use the same value.
     */
    static final int MAX_PENDING_WRITE_BYTES = 16 * 1024;

    private ServerLauncher() {
    }

    /** The value of {@code --port P} (1 to 65535); anything else is an {@link IllegalArgumentException} with the usage. */
    public static int port(String[] args, String main) {
        if (args.length == 2 && args[0].equals("--port")) {
            try {
                int port = Integer.parseInt(args[1]);
                if (port >= 1 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // usage below
            }
        }
        throw new IllegalArgumentException("usage: java -cp ... " + main + " --port <1-65535>");
    }

    /** {@code http://127.0.0.1:P/}. */
    static URI base(int port) {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /**
     * Starts {@code app} on {@code base}, prints the READY line, and registers a shutdown hook that runs
     * {@code stopApplication} and then stops Grizzly. Returns once the server accepts connections.
     */
    static HttpServer serve(URI base, ResourceConfig app, Runnable stopApplication) {
        return start(GrizzlyHttpServerFactory.createHttpServer(base, app, false), base, stopApplication);
    }

    /**
     * Starts a plain Grizzly {@code handler} (no Jersey) on {@code base}, with the same listener settings and the
     * same READY line and stop as {@link #serve(URI, ResourceConfig, Runnable)}.
     */
    static HttpServer serve(URI base, HttpHandler handler, Runnable stopApplication) {
        HttpServer http = new HttpServer();
        http.addListener(new NetworkListener("grizzly", base.getHost(), base.getPort()));
        http.getServerConfiguration().addHttpHandler(handler, "/");
        return start(http, base, stopApplication);
    }

    private static HttpServer start(HttpServer http, URI base, Runnable stopApplication) {
        http.getListeners().forEach(listener -> {
            listener.getTransport().getAsyncQueueIO().getWriter().setMaxPendingBytesPerConnection(MAX_PENDING_WRITE_BYTES);
        });
        try {
            http.start();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(http, stopApplication), "bench-shutdown"));
        System.out.println("READY " + base);
        System.out.flush();
        return http;
    }

    /** Parks the calling (main) thread until the JVM exits. */
    static void awaitTermination() throws InterruptedException {
        Thread.currentThread().join();
    }

    private static void stop(HttpServer http, Runnable stopApplication) {
        try {
            stopApplication.run();
        } catch (RuntimeException e) {
            System.err.println("Stopping the application failed: " + e);
        }
        try {
            http.shutdown(GRACE_SECONDS, TimeUnit.SECONDS).get(GRACE_SECONDS + 1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("Graceful HTTP shutdown incomplete: " + e);
        } finally {
            http.shutdownNow();
        }
    }
}
