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

    /**
     * Whether {@code text} is empty after trimming the way the official JavaScript SDK does
     * ({@code String.prototype.trim}: ECMAScript white space and line terminators), so that what counts
     * as "no elements" or "no signals" matches it byte for byte.
     */
    static boolean isBlank(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (!isEcmaScriptWhiteSpace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isEcmaScriptWhiteSpace(char c) {
        return c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r' || c == ' ' || c == 0xA0
                || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F
                || c == 0x205F || c == 0x3000 || c == 0xFEFF;
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
