package dev.broadcaster.bench.liberty;

import dev.broadcaster.bench.servers.shared.DataFrame;
import dev.broadcaster.bench.servers.shared.PublishTiming;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The floor of Open Liberty's own write path, target {@code liberty-servlet}, base {@code /bench/servlet/}:
 * {@code GET bench/channels/{ch}} and {@code POST publish/{ch}} served by a plain asynchronous servlet, without
 * JAX-RS and without the library. A publish writes {@code data: <body>} and the blank line to every stream of the
 * channel in turn on the request's thread, with the servlet's non-blocking output (the way RESTEasy's sink writes on
 * Liberty; Liberty sent nothing of a blocking write from another thread until the response's buffer filled): a write
 * and a flush when the stream is ready, else the frame waits in the stream's own list for {@code onWritePossible}. It
 * answers 204 with {@link PublishTiming}'s headers. Its CPU per delivery is what one SSE write through Liberty's web
 * container costs: the least a library writing around the JAX-RS sink could cost there. Not for stalled readers
 * (their lists are unbounded). Closes its streams when the application stops.
 */
@WebServlet(urlPatterns = "/servlet/*", asyncSupported = true)
public class ServletFloor extends HttpServlet {

    private static final String STREAM_PREFIX = "/bench/channels/";
    private static final String PUBLISH_PREFIX = "/publish/";
    private static final byte[] CONNECTED = ": connected\n\n".getBytes(StandardCharsets.UTF_8);

    private final ConcurrentMap<String, Set<Stream>> channels = new ConcurrentHashMap<>();

    /** One open stream. Its monitor guards {@code waiting} and every use of {@code out}. */
    private static final class Stream implements WriteListener {
        final AsyncContext context;
        final ServletOutputStream out;
        final Set<Stream> channel;
        final ArrayDeque<byte[]> waiting = new ArrayDeque<>();

        Stream(AsyncContext context, ServletOutputStream out, Set<Stream> channel) {
            this.context = context;
            this.out = out;
            this.channel = channel;
        }

        synchronized void send(byte[] frame) {
            try {
                if (waiting.isEmpty() && out.isReady()) {
                    out.write(frame);
                    if (out.isReady()) {
                        out.flush();
                    }
                } else {
                    waiting.add(frame);
                }
            } catch (IOException | IllegalStateException gone) {
                close();
            }
        }

        @Override
        public synchronized void onWritePossible() throws IOException {
            while (out.isReady()) {
                byte[] next = waiting.poll();
                if (next == null) {
                    out.flush();
                    return;
                }
                out.write(next);
            }
        }

        @Override
        public void onError(Throwable failure) {
            close();
        }

        void close() {
            if (channel.remove(this)) {
                try {
                    context.complete();
                } catch (IllegalStateException alreadyDone) {
                    // completed by the container
                }
            }
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String channel = channel(request, response, STREAM_PREFIX);
        if (channel == null) {
            return;
        }
        response.setContentType("text/event-stream");
        response.setHeader("Cache-Control", "no-cache");
        AsyncContext context = request.startAsync();
        context.setTimeout(0);
        Set<Stream> streams = channels.computeIfAbsent(channel, name -> ConcurrentHashMap.newKeySet());
        Stream stream = new Stream(context, response.getOutputStream(), streams);
        context.addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                streams.remove(stream);
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                stream.close();
            }

            @Override
            public void onError(AsyncEvent event) {
                stream.close();
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }
        });
        streams.add(stream);
        synchronized (stream) {
            stream.out.setWriteListener(stream);
        }
        stream.send(CONNECTED);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String channel = channel(request, response, PUBLISH_PREFIX);
        if (channel == null) {
            return;
        }
        byte[] body = request.getInputStream().readAllBytes();
        byte[] frame = DataFrame.of(body);
        Set<Stream> streams = channels.getOrDefault(channel, Set.of());
        PublishTiming.Took took = PublishTiming.time(() -> streams.forEach(stream -> stream.send(frame)));
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
        response.setHeader(PublishTiming.HEADER, Long.toString(took.nanos()));
        response.setHeader(PublishTiming.CPU_HEADER, Long.toString(took.cpuNanos()));
    }

    @Override
    public void destroy() {
        channels.values().forEach(streams -> streams.forEach(Stream::close));
        channels.clear();
    }

    /**
     * The channel: the part of the request's path after {@code prefix} (below the servlet's mapping); null, having
     * answered 404, if the path has none.
     */
    private static String channel(HttpServletRequest request, HttpServletResponse response, String prefix)
            throws IOException {
        String path = request.getPathInfo();
        if (path == null || !path.startsWith(prefix) || path.length() == prefix.length()) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return null;
        }
        return path.substring(prefix.length());
    }
}
