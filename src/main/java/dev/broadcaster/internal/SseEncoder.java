package dev.broadcaster.internal;

import dev.broadcaster.SseEvent;
import java.nio.charset.StandardCharsets;

/**
 * The one place that writes SSE field syntax. Field values were validated by {@link SseEvent}
 * (no CR, LF or NUL in names and ids; data lines split on CR, LF and CRLF), so no value can start a
 * new field or event. Field order: {@code event}, {@code id}, {@code retry}, then one {@code data}
 * line per data line, then a blank line.
 */
final class SseEncoder {

    private SseEncoder() {
    }

    /** Encodes {@code event} once, for any number of connections. */
    static Frame encode(SseEvent event) {
        StringBuilder out = new StringBuilder(event.data().length() + 64);
        if (event.name() != null) {
            out.append("event: ").append(event.name()).append('\n');
        }
        if (event.id() != null) {
            out.append("id: ").append(event.id()).append('\n');
        }
        if (event.retry() != null) {
            out.append("retry: ").append(event.retry().toMillis()).append('\n');
        }
        for (String line : event.dataLines()) {
            out.append("data: ").append(line).append('\n');
        }
        out.append('\n');
        return new Frame(event, null, out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A comment frame ({@code : text}), e.g. a heartbeat; {@code text} must be one line. */
    static Frame comment(String text) {
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("comment must be a single line");
        }
        return new Frame(null, text, (": " + text + "\n\n").getBytes(StandardCharsets.UTF_8));
    }
}
