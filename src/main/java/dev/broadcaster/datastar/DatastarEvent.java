package dev.broadcaster.datastar;

import dev.broadcaster.SseEvent;
import java.time.Duration;
import java.util.List;

/** Builds the SSE event of a Datastar SDK call: the one place that knows the Datastar v1 line rules. */
final class DatastarEvent {

    static final String PATCH_ELEMENTS = "datastar-patch-elements";
    static final String PATCH_SIGNALS = "datastar-patch-signals";
    static final Duration DEFAULT_RETRY = Duration.ofMillis(1000);

    private DatastarEvent() {
    }

    /** Appends {@code "<prefix> <line>"} for every line of {@code text} (CR, LF and CRLF all split). */
    static void appendLines(StringBuilder data, String prefix, String text) {
        for (String line : text.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1)) {
            appendLine(data, prefix + " " + line);
        }
    }

    static void appendLine(StringBuilder data, String line) {
        if (data.length() > 0) {
            data.append('\n');
        }
        data.append(line);
    }

    /** The event, with id (when not empty) and retry (unless the SSE default of 1000 ms). */
    static SseEvent event(String type, String eventId, Duration retry, StringBuilder data) {
        String id = eventId == null || eventId.isEmpty() ? null : eventId;
        Duration sentRetry = retry == null || retry.isZero() || retry.equals(DEFAULT_RETRY) ? null : retry;
        return new SseEvent(type, id, sentRetry, data.toString());
    }

    /** Rejects an id that could forge a field (CR, LF or NUL), as {@link SseEvent} does. */
    static String checkEventId(String eventId) {
        if (eventId != null && !eventId.isEmpty()) {
            SseEvent.data(".").withId(eventId);
        }
        return eventId;
    }

    static List<String> copy(List<String> list) {
        return list == null ? List.of() : List.copyOf(list);
    }
}
