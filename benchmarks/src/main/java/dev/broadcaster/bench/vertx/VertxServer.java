package dev.broadcaster.bench.vertx;

import dev.broadcaster.bench.servers.ServerLauncher;
import dev.broadcaster.bench.servers.shared.PublishTiming;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark target "vertx": what a user would pick instead of Jakarta EE, a plain Vert.x 5 (Netty) SSE fan-out
 * server written the way Vert.x Web's documentation shows, one {@link Router} on one {@link HttpServer} with
 * default options (Netty's NIO transport).
 *
 * <ul>
 *   <li>{@code GET /bench/channels/:channel}: {@code 200}, {@code Content-Type: text/event-stream},
 *       {@code Cache-Control: no-cache}, chunked; the response joins the channel's list, then
 *       {@code : connected\n\n} is written. It leaves the list when its connection closes.</li>
 *   <li>{@code POST /publish/:channel} (body read by {@link BodyHandler}): {@code data: <body>\n\n} is built
 *       once as a {@link Buffer} and written to every response of the channel; one whose write queue is full
 *       (a client that stopped reading) is closed instead. Answers {@code 204} with
 *       {@value PublishTiming#HEADER} and {@value PublishTiming#CPU_HEADER}, timing the frame's encoding and
 *       that loop (as the NIO writer does).</li>
 * </ul>
 *
 * <p>Vert.x calls every handler of one server instance on the same event loop thread, so the channel lists
 * are plain collections that only that thread touches.
 *
 * <p>Usage: {@code java <jvm flags> -cp ... dev.broadcaster.bench.vertx.VertxServer --port P}; prints
 * {@code READY http://127.0.0.1:P/} once it listens; on SIGTERM closes Vert.x (and every stream).
 */
public final class VertxServer {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** The subscribers of each channel; event loop only. */
    private final Map<String, List<HttpServerResponse>> channels = new HashMap<>();

    private VertxServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = ServerLauncher.port(args, VertxServer.class.getName());
        Vertx vertx = Vertx.vertx();
        VertxServer app = new VertxServer();
        Router router = Router.router(vertx);
        router.get("/bench/channels/:channel").handler(app::subscribe);
        router.post("/publish/:channel").handler(BodyHandler.create(false)).handler(app::publish);
        vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1").await(60, TimeUnit.SECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                vertx.close().await(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("Vert.x did not close: " + e);
            }
        }, "bench-shutdown"));
        System.out.println("READY http://127.0.0.1:" + port + "/");
        System.out.flush();
    }

    private void subscribe(RoutingContext ctx) {
        String channel = ctx.pathParam("channel");
        HttpServerResponse response = ctx.response();
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache");
        List<HttpServerResponse> subscribers = channels.computeIfAbsent(channel, c -> new ArrayList<>());
        subscribers.add(response);
        response.closeHandler(v -> {
            subscribers.remove(response);
            if (subscribers.isEmpty()) {
                channels.remove(channel, subscribers);
            }
        });
        response.write(": connected\n\n");
    }

    private void publish(RoutingContext ctx) {
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        Buffer frame = Buffer.buffer()
                .appendString("data: ")
                .appendBuffer(ctx.body().buffer())
                .appendString("\n\n");
        List<HttpServerResponse> subscribers = channels.getOrDefault(ctx.pathParam("channel"), List.of());
        List<HttpServerResponse> slow = new ArrayList<>();
        for (HttpServerResponse subscriber : subscribers) {
            if (subscriber.writeQueueFull()) {
                slow.add(subscriber);
            } else {
                subscriber.write(frame);
            }
        }
        slow.forEach(HttpServerResponse::reset); // on HTTP/1.1: closes the connection
        long nanos = System.nanoTime() - start;
        long cpuNanos = THREADS.getCurrentThreadCpuTime() - cpuStart;
        ctx.response()
                .setStatusCode(204)
                .putHeader(PublishTiming.HEADER, String.valueOf(nanos))
                .putHeader(PublishTiming.CPU_HEADER, String.valueOf(cpuNanos))
                .end();
    }
}
