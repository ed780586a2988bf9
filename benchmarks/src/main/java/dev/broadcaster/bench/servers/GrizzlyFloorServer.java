package dev.broadcaster.bench.servers;

import dev.broadcaster.bench.servers.shared.DataFrame;
import dev.broadcaster.bench.servers.shared.PublishTiming;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * Benchmark target "grizzly": the floor of the in-process container's own write path, the counterpart of
 * {@code liberty-servlet} on Open Liberty. A plain Grizzly {@link HttpHandler} on the same Grizzly as the other
 * in-process targets, without Jersey, JAX-RS, CDI or the library:
 *
 * <ul>
 *   <li>{@code GET /bench/channels/{ch}}: {@code 200}, {@code Content-Type: text/event-stream},
 *       {@code Cache-Control: no-cache}; the response is suspended, joins the channel's set and gets
 *       {@code : connected\n\n}. It leaves the set when its connection closes or a write to it fails.</li>
 *   <li>{@code POST /publish/{ch}}: {@code data: <body>\n\n} is built once and written, with a flush, to every
 *       stream of the channel in turn on the request's thread (Grizzly's blocking output stream, the one Jersey's
 *       sink writes through). Answers {@code 204} with {@link PublishTiming}'s headers.</li>
 * </ul>
 *
 * <p>Its CPU per delivery is what one SSE write through Grizzly costs, whoever makes it: the least the library
 * (Jersey on this Grizzly) could cost per event and connection when nothing can be joined. Not for stalled
 * readers: a blocked write holds the publisher.
 *
 * <p>Threads: Grizzly's worker threads run both requests; a stream's monitor guards its writes, so two
 * publishes in flight never interleave their frames on one connection.
 *
 * <p>Usage: {@code java <jvm flags> -cp ... dev.broadcaster.bench.servers.GrizzlyFloorServer --port P}; prints
 * {@code READY http://127.0.0.1:P/}; on SIGTERM ends every stream, then stops Grizzly.
 */
public final class GrizzlyFloorServer extends HttpHandler {

    private static final String STREAM_PREFIX = "/bench/channels/";
    private static final String PUBLISH_PREFIX = "/publish/";
    private static final byte[] CONNECTED = ": connected\n\n".getBytes(StandardCharsets.UTF_8);

    private final ConcurrentMap<String, Set<Stream>> channels = new ConcurrentHashMap<>();

    private GrizzlyFloorServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = ServerLauncher.port(args, GrizzlyFloorServer.class.getName());
        GrizzlyFloorServer app = new GrizzlyFloorServer();
        ServerLauncher.serve(ServerLauncher.base(port), app, app::close);
        ServerLauncher.awaitTermination();
    }

    /** One open stream; its monitor guards every use of {@code out}. */
    private static final class Stream {
        final Response response;
        final OutputStream out;
        final Set<Stream> channel;

        Stream(Response response, Set<Stream> channel) {
            this.response = response;
            this.out = response.getOutputStream();
            this.channel = channel;
        }

        synchronized void send(byte[] frame) {
            try {
                out.write(frame);
                out.flush();
            } catch (IOException | RuntimeException gone) {
                end();
            }
        }

        void end() {
            if (channel.remove(this)) {
                try {
                    response.resume();
                } catch (RuntimeException alreadyDone) {
                    // the connection is gone, or the response was resumed already
                }
            }
        }
    }

    @Override
    public void service(Request request, Response response) throws IOException {
        String path = request.getRequestURI();
        if (request.getMethod().getMethodString().equals("GET") && path.startsWith(STREAM_PREFIX)
                && path.length() > STREAM_PREFIX.length()) {
            subscribe(path.substring(STREAM_PREFIX.length()), response);
        } else if (request.getMethod().getMethodString().equals("POST") && path.startsWith(PUBLISH_PREFIX)
                && path.length() > PUBLISH_PREFIX.length()) {
            publish(path.substring(PUBLISH_PREFIX.length()), request, response);
        } else {
            response.sendError(404);
        }
    }

    private void subscribe(String channel, Response response) {
        response.setContentType("text/event-stream");
        response.setHeader("Cache-Control", "no-cache");
        Set<Stream> streams = channels.computeIfAbsent(channel, name -> ConcurrentHashMap.newKeySet());
        Stream stream = new Stream(response, streams);
        response.suspend(-1, TimeUnit.MILLISECONDS, new EmptyCompletionHandler<>() {
            @Override
            public void cancelled() {
                streams.remove(stream);
            }

            @Override
            public void failed(Throwable throwable) {
                streams.remove(stream);
            }
        });
        streams.add(stream);
        stream.send(CONNECTED);
    }

    private void publish(String channel, Request request, Response response) throws IOException {
        byte[] body = request.getInputStream().readAllBytes();
        byte[] frame = DataFrame.of(body);
        Set<Stream> streams = channels.getOrDefault(channel, Set.of());
        PublishTiming.Took took = PublishTiming.time(() -> streams.forEach(stream -> stream.send(frame)));
        response.setStatus(204);
        response.setHeader(PublishTiming.HEADER, Long.toString(took.nanos()));
        response.setHeader(PublishTiming.CPU_HEADER, Long.toString(took.cpuNanos()));
    }

    private void close() {
        channels.values().forEach(streams -> streams.forEach(Stream::end));
        channels.clear();
    }
}
