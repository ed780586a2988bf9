package dev.broadcaster.internal;

import dev.broadcaster.SseEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;

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
        int idLineStart = -1;
        int idLineEnd = -1;
        if (event.id() != null) {
            idLineStart = out.length() == 0 ? 0 : out.toString().getBytes(StandardCharsets.UTF_8).length;
            out.append("id: ").append(event.id()).append('\n');
            idLineEnd = idLineStart + 5 + event.id().getBytes(StandardCharsets.UTF_8).length;
        }
        if (event.retry() != null) {
            out.append("retry: ").append(event.retry().toMillis()).append('\n');
        }
        for (String line : event.dataLines()) {
            out.append("data: ").append(line).append('\n');
        }
        out.append('\n');
        return new Frame(event, out.toString().getBytes(StandardCharsets.UTF_8), idLineStart, idLineEnd);
    }

    /**
     * The same event with its {@code id:} line replaced by {@code id} (a multi-channel stream's id): the other bytes
     * are copied, not encoded again. A frame without an id is returned as it is.
     */
    static Frame withId(Frame frame, String id) {
        if (frame.idLineStart() < 0) {
            return frame;
        }
        SseEvent event = frame.event().withId(id);
        byte[] old = frame.wireBytesUnsafe();
        byte[] line = ("id: " + id + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[old.length - (frame.idLineEnd() - frame.idLineStart()) + line.length];
        System.arraycopy(old, 0, bytes, 0, frame.idLineStart());
        System.arraycopy(line, 0, bytes, frame.idLineStart(), line.length);
        System.arraycopy(old, frame.idLineEnd(), bytes, frame.idLineStart() + line.length,
                old.length - frame.idLineEnd());
        return new Frame(event, bytes, frame.idLineStart(), frame.idLineStart() + line.length);
    }

    /**
     * A frame of one {@code id:} field: an EventSource takes it as its last event id and dispatches nothing (an
     * event without data is not dispatched).
     */
    static Frame idOnly(String id) {
        if (id.indexOf('\n') >= 0 || id.indexOf('\r') >= 0 || id.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an id must be a single line without NUL");
        }
        return new Frame(null, null, ("id: " + id + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code frames} written as one: their bytes one after another, each ending with its blank line, so a client
     * reads the same events. Only for a container's view that writes a frame's bytes as they are (Jersey's and
     * RESTEasy's, see {@code Connection}); it has no event or comment of its own.
     */
    static Frame joined(List<Frame> frames) {
        int size = 0;
        for (Frame frame : frames) {
            size += frame.size();
        }
        byte[] bytes = new byte[size];
        int at = 0;
        for (Frame frame : frames) {
            System.arraycopy(frame.wireBytesUnsafe(), 0, bytes, at, frame.size());
            at += frame.size();
        }
        return new Frame(null, null, bytes);
    }

    /** A comment frame ({@code : text}), e.g. a heartbeat; {@code text} must be one line. */
    static Frame comment(String text) {
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("comment must be a single line");
        }
        return new Frame(null, text, (": " + text + "\n\n").getBytes(StandardCharsets.UTF_8));
    }
}
