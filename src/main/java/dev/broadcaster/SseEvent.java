package dev.broadcaster;

import dev.broadcaster.internal.Outbound;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One Server-Sent Event, validated once at construction so that nothing in it can forge another
 * field or event.
 *
 * <ul>
 *   <li>{@code name} ({@code event:} field) and {@code id} ({@code id:} field) may be {@code null};
 *       when present they must not contain CR, LF or NUL ({@link IllegalArgumentException} otherwise).
 *       An empty name is treated as no name.
 *   <li>{@code retry} ({@code retry:} field) may be {@code null}; otherwise it is from zero to {@link #MAX_RETRY}
 *       (one hour).
 *   <li>{@code data} is neither {@code null} nor empty; CR, LF and CRLF all end a line, and every line becomes
 *       one {@code data:} field, so the receiving {@code EventSource} sees exactly {@link #data()}
 *       with line breaks normalised to LF.
 * </ul>
 *
 * <p>Example, an htmx named event: {@code SseEvent.named("chat", "<li>hello</li>")}.
 */
public record SseEvent(String name, String id, Duration retry, String data) implements SseMessage {

    /**
     * The longest reconnection delay an event may carry: one hour. A longer one is never what a publisher means,
     * and a hostile one would keep every client of a channel away for good after its next disconnect.
     */
    public static final Duration MAX_RETRY = Duration.ofHours(1);

    public SseEvent {
        name = requireSingleLine("event name", name);
        if (name != null && name.isEmpty()) {
            name = null;
        }
        id = requireSingleLine("event id", id);
        if (retry != null && (retry.isNegative() || retry.compareTo(MAX_RETRY) > 0)) {
            throw new IllegalArgumentException("retry must be between 0 and " + MAX_RETRY.toMillis() + " ms (one hour): " + retry);
        }
        Objects.requireNonNull(data, "data");
        if (data.isEmpty()) {
            throw new IllegalArgumentException("data must not be empty: JAX-RS runtimes write no data line for it,"
                    + " and an EventSource drops an event without one");
        }
        data = normaliseLineBreaks(data);
    }

    /**
     * An unnamed event (delivered to {@code EventSource.onmessage}; what htmx 4's {@code hx-sse:connect} swaps, and
     * htmx-ext-sse 2's {@code sse-swap="message"}).
     */
    public static SseEvent data(String data) {
        return new SseEvent(null, null, null, data);
    }

    /** A named event: what htmx's SSE extension swaps with {@code sse-swap="<name>"}. */
    public static SseEvent named(String name, String data) {
        Objects.requireNonNull(name, "name");
        return new SseEvent(name, null, null, data);
    }

    /** The same event with the given id. */
    public SseEvent withId(String newId) {
        return new SseEvent(name, newId, retry, data);
    }

    /** The same event with the given reconnection delay. */
    public SseEvent withRetry(Duration newRetry) {
        return new SseEvent(name, id, newRetry, data);
    }

    /** The data lines, each sent as one {@code data:} field (at least one, possibly empty). */
    public List<String> dataLines() {
        return List.of(data.split("\n", -1));
    }

    @Override
    public SseEvent toEvent() {
        return this;
    }

    /**
     * This event as a JAX-RS {@link OutboundSseEvent}, for a resource that writes to an
     * {@code SseEventSink} of its own (e.g. a one-off Datastar response): the container writes exactly
     * the fields the broadcaster would.
     */
    public OutboundSseEvent toOutbound(Sse sse) {
        return Outbound.of(this, sse);
    }

    private static String requireSingleLine(String what, String value) {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == '\0') {
                throw new IllegalArgumentException(what + " must not contain CR, LF or NUL (found "
                        + describe(c) + " at index " + i + ")");
            }
        }
        return value;
    }

    private static String describe(char c) {
        return switch (c) {
            case '\r' -> "CR";
            case '\n' -> "LF";
            default -> "NUL";
        };
    }

    /** CRLF and lone CR become LF: the three line endings an EventSource recognises. */
    static String normaliseLineBreaks(String text) {
        if (text.indexOf('\r') < 0) {
            return text;
        }
        return text.replace("\r\n", "\n").replace('\r', '\n');
    }
}
