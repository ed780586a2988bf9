package dev.broadcaster.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A subscriber as a browser's {@code EventSource} is one: reads the raw bytes of an SSE response over
 * HTTP/1.1 on its own thread and parses them with {@link EventStreamParser}. Every wait is on a
 * condition with a deadline ({@link #TIMEOUT}: long enough for an application server on a loaded machine).
 */
public final class SseStream implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern CONNECTED = Pattern.compile("connected (\\S+)");

    private final String label;
    private final int status;
    private final HttpHeaders headers;
    private final HttpClient.Version version;
    private final InputStream body;
    private final StringBuilder raw = new StringBuilder();
    private final List<EventStreamParser.Event> events = new ArrayList<>();
    private final EventStreamParser parser = new EventStreamParser();
    private boolean ended;
    private long endedAtNanos;
    private String errorBody = "";

    private SseStream(String label, HttpResponse<InputStream> response) {
        this.label = label;
        this.status = response.statusCode();
        this.headers = response.headers();
        this.version = response.version();
        this.body = response.body();
        if (status != 200) {
            try (InputStream in = body) {
                errorBody = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                errorBody = "";
            }
            ended = true;
            return;
        }
        Thread reader = new Thread(this::readLoop, "sse-reader-" + label);
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens a stream as {@code user} (null: anonymous); returns once the response headers arrived. */
    public static SseStream open(URI uri, String user) {
        return open(uri, user, null);
    }

    /** Opens a stream sending {@code Last-Event-ID: lastEventId}, as a reconnecting EventSource does. */
    public static SseStream open(URI uri, String user, String lastEventId) {
        return open(HttpCalls.CLIENT, uri, user, lastEventId);
    }

    /** Opens a stream with {@code client} (e.g. one that speaks HTTP/2 over TLS) instead of the shared HTTP/1.1 one. */
    public static SseStream open(HttpClient client, URI uri, String user, String lastEventId) {
        try {
            var request = HttpCalls.request(uri, user).header("Accept", "text/event-stream");
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<InputStream> response = client.send(request.GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            return new SseStream(user + "@" + uri.getPath(), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Opens a stream and waits until the server said {@code : connected <id>} (the connection is registered). */
    public static SseStream connect(URI uri, String user) {
        return connect(uri, user, null);
    }

    /** Reconnects after {@code lastEventId} and waits until the server said {@code : connected <id>}. */
    public static SseStream connect(URI uri, String user, String lastEventId) {
        SseStream stream = open(uri, user, lastEventId);
        if (stream.status != 200) {
            throw new AssertionError("subscribe to " + uri + " as " + user + " answered " + stream.status + ": "
                    + stream.errorBody);
        }
        stream.connectionId();
        return stream;
    }

    private void readLoop() {
        char[] buffer = new char[8192];
        try (Reader in = new InputStreamReader(body, StandardCharsets.UTF_8)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                String chunk = new String(buffer, 0, n);
                synchronized (this) {
                    raw.append(chunk);
                    events.addAll(parser.feed(chunk));
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // cut (reset, or closed by this client): the end of the stream
        } finally {
            synchronized (this) {
                ended = true;
                endedAtNanos = System.nanoTime();
                notifyAll();
            }
        }
    }

    public int status() {
        return status;
    }

    /** The HTTP version the response came with. */
    public HttpClient.Version version() {
        return version;
    }

    public HttpHeaders headers() {
        return headers;
    }

    public String errorBody() {
        return errorBody;
    }

    /** The connection id the server announced in its first comment. */
    public String connectionId() {
        await(() -> !parser.comments().isEmpty(), "the ': connected <id>' comment");
        synchronized (this) {
            String first = parser.comments().get(0);
            Matcher matcher = CONNECTED.matcher(first);
            if (!matcher.matches()) {
                throw new AssertionError(label + ": first comment was '" + first + "'");
            }
            return matcher.group(1);
        }
    }

    /** Everything read so far, as text. */
    public synchronized String raw() {
        return raw.toString();
    }

    /** The data of {@code events}, in their order. */
    public static List<String> data(List<EventStreamParser.Event> events) {
        return events.stream().map(EventStreamParser.Event::data).toList();
    }

    public synchronized List<EventStreamParser.Event> events() {
        return List.copyOf(events);
    }

    /** The events of {@code type} received so far. */
    public synchronized List<EventStreamParser.Event> events(String type) {
        return events.stream().filter(e -> e.type().equals(type)).toList();
    }

    public synchronized List<String> comments() {
        return List.copyOf(parser.comments());
    }

    public synchronized boolean ended() {
        return ended;
    }

    /** When the stream ended ({@link System#nanoTime()}); only meaningful once {@link #ended()}. */
    public synchronized long endedAtNanos() {
        return endedAtNanos;
    }

    /** Waits for the first event matching {@code test} and returns it. */
    public EventStreamParser.Event awaitEvent(Predicate<EventStreamParser.Event> test, String what) {
        await(() -> events.stream().anyMatch(test), what);
        synchronized (this) {
            return events.stream().filter(test).findFirst().orElseThrow();
        }
    }

    /** The number of events received so far: a mark for {@link #awaitEventFrom}. */
    public synchronized int mark() {
        return events.size();
    }

    /** Waits for the first event at or after position {@code from} matching {@code test}; returns it. */
    public EventStreamParser.Event awaitEventFrom(int from, Predicate<EventStreamParser.Event> test, String what) {
        await(() -> events.stream().skip(from).anyMatch(test), what + " (after event #" + from + ")");
        synchronized (this) {
            return events.stream().skip(from).filter(test).findFirst().orElseThrow();
        }
    }

    /** Waits for an event of {@code type} whose data equals {@code data}. */
    public EventStreamParser.Event awaitEvent(String type, String data) {
        return awaitEvent(e -> e.type().equals(type) && e.data().equals(data),
                "event '" + type + "' with data '" + data + "'");
    }

    /** Waits until {@code count} events match {@code test}. */
    public void awaitCount(Predicate<EventStreamParser.Event> test, int count, String what) {
        await(() -> events.stream().filter(test).count() >= count, count + " x " + what);
    }

    /** Waits for an event whose data equals {@code data}. */
    public EventStreamParser.Event awaitData(String data) {
        return awaitEvent(e -> e.data().equals(data), "an event with data '" + data + "'");
    }

    /** Waits until at least {@code count} events are held, then returns them and forgets them (and the raw text). */
    public List<EventStreamParser.Event> takeEvents(int count) {
        await(() -> events.size() >= count, count + " events");
        synchronized (this) {
            List<EventStreamParser.Event> taken = List.copyOf(events);
            events.clear();
            raw.setLength(0);
            return taken;
        }
    }

    /** Waits until at least {@code count} events arrived; returns them all. */
    public List<EventStreamParser.Event> awaitEvents(int count) {
        await(() -> events.size() >= count, count + " events");
        return events();
    }

    /** Waits until the raw text contains {@code text}. */
    public void awaitRaw(String text) {
        await(() -> raw.indexOf(text) >= 0, "raw text '" + text + "'");
    }

    /** The id of the last event received, as an EventSource would send it on reconnect. */
    public synchronized String lastEventId() {
        String id = parser.lastEventId();
        return id.isEmpty() ? null : id;
    }

    /** Waits until the server ended the stream. */
    public void awaitEnd() {
        await(() -> ended, "the end of the stream");
    }

    private synchronized void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                ThreadDump.toStandardError("SseStream wait for " + what);
                String tail = raw.length() > 1500 ? "…" + raw.substring(raw.length() - 1500) : raw.toString();
                throw new AssertionError(label + ": timed out after " + TIMEOUT.toSeconds() + " s waiting for " + what
                        + "; stream ended: " + ended + ", events: " + events.size() + ", last bytes:\n" + tail);
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** Closes the client side of the stream, as a closed browser tab does. */
    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return label;
    }
}
