package dev.broadcaster.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An incremental, spec-exact reader of a {@code text/event-stream}: the WHATWG HTML rules
 * "Server-sent events: interpreting an event stream", as an {@code EventSource} applies them.
 *
 * <ul>
 *   <li>Lines end with CRLF, a lone LF or a lone CR; a CR at the end of one chunk followed by an LF at
 *       the start of the next is one line ending.
 *   <li>A U+FEFF BOM is stripped only as the very first character of the stream.
 *   <li>Lines starting with {@code :} are comments (recorded in {@link #comments()}).
 *   <li>Other lines split at the first {@code :} into field and value, one leading space removed
 *       from the value; a line without {@code :} is a field with an empty value.
 *   <li>Fields {@code event}, {@code data}, {@code id} (ignored when the value contains NUL) and
 *       {@code retry} (only ASCII digits) are processed; all others are ignored.
 *   <li>A blank line dispatches: an empty data buffer resets the buffers without an event; otherwise
 *       one trailing LF is removed and the type defaults to {@code message}. The last event id
 *       persists across events.
 * </ul>
 *
 * <p>Input not yet ended by a line break is kept for the next chunk; as in the specification, an
 * event not followed by a blank line is never dispatched. Thread-confined: use one instance per
 * stream from one thread at a time.
 */
public final class EventStreamParser {

    /** A dispatched event: its type, its data and the last event id at dispatch time. */
    public record Event(String type, String data, String lastEventId) {}

    private final StringBuilder line = new StringBuilder();
    private final StringBuilder dataBuffer = new StringBuilder();
    private final List<String> comments = new ArrayList<>();
    private String eventTypeBuffer = "";
    private String lastEventIdBuffer = "";
    private String lastEventIdString = ""; // the EventSource's "last event ID string", set at each blank line
    private Long retry;
    private boolean streamStarted;
    private boolean previousWasCr;

    public EventStreamParser() {
    }

    /** Feeds decoded characters; returns the events dispatched by this chunk, in order. */
    public List<Event> feed(CharSequence chunk) {
        List<Event> dispatched = new ArrayList<>();
        for (int i = 0; i < chunk.length(); i++) {
            char c = chunk.charAt(i);
            if (!streamStarted) {
                streamStarted = true;
                if (c == '\uFEFF') {
                    continue;
                }
            }
            if (previousWasCr) {
                previousWasCr = false;
                if (c == '\n') {
                    continue; // the LF of a CRLF whose CR already ended the line
                }
            }
            if (c == '\r') {
                previousWasCr = true;
                endLine(dispatched);
            } else if (c == '\n') {
                endLine(dispatched);
            } else {
                line.append(c);
            }
        }
        return dispatched;
    }

    /**
     * The id an EventSource would send on reconnect now ({@code Last-Event-ID}): set at every blank line, also by a
     * frame that dispatches nothing (an {@code id:}-only frame); empty if none.
     */
    public String lastEventId() {
        return lastEventIdString;
    }

    /** Comment lines seen so far (text after the ':' with one leading space removed), in order. */
    public List<String> comments() {
        return Collections.unmodifiableList(new ArrayList<>(comments));
    }

    /** The last valid retry value seen, or null. */
    public Long retry() {
        return retry;
    }

    private void endLine(List<Event> dispatched) {
        String text = line.toString();
        line.setLength(0);
        if (text.isEmpty()) {
            dispatch(dispatched);
            return;
        }
        if (text.charAt(0) == ':') {
            comments.add(withoutOneLeadingSpace(text.substring(1)));
            return;
        }
        int colon = text.indexOf(':');
        if (colon >= 0) {
            processField(text.substring(0, colon), withoutOneLeadingSpace(text.substring(colon + 1)));
        } else {
            processField(text, "");
        }
    }

    private void processField(String field, String value) {
        switch (field) {
            case "event" -> eventTypeBuffer = value;
            case "data" -> dataBuffer.append(value).append('\n');
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    lastEventIdBuffer = value;
                }
            }
            case "retry" -> {
                if (isAsciiDigits(value)) {
                    try {
                        retry = Long.parseLong(value);
                    } catch (NumberFormatException tooLarge) {
                        // Digits beyond the range of a long: not representable here; ignored.
                    }
                }
            }
            default -> {
                // Unknown fields are ignored.
            }
        }
    }

    private void dispatch(List<Event> dispatched) {
        String lastEventId = lastEventIdBuffer;
        lastEventIdString = lastEventId; // also when nothing is dispatched (an id-only frame)
        if (dataBuffer.length() == 0) {
            eventTypeBuffer = "";
            return;
        }
        if (dataBuffer.charAt(dataBuffer.length() - 1) == '\n') {
            dataBuffer.setLength(dataBuffer.length() - 1);
        }
        String type = eventTypeBuffer.isEmpty() ? "message" : eventTypeBuffer;
        dispatched.add(new Event(type, dataBuffer.toString(), lastEventId));
        dataBuffer.setLength(0);
        eventTypeBuffer = "";
    }

    private static String withoutOneLeadingSpace(String value) {
        return !value.isEmpty() && value.charAt(0) == ' ' ? value.substring(1) : value;
    }

    private static boolean isAsciiDigits(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
