package dev.broadcaster.datastar;

import dev.broadcaster.SseEvent;
import dev.broadcaster.SseMessage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Datastar v1 script execution: a {@code datastar-patch-elements} event appending a {@code <script>}
 * to {@code body}, as the SDK specification prescribes. Data lines: {@code mode append},
 * {@code selector body}, then the script tag, one {@code elements} line per line (the order the
 * official JavaScript SDK writes).
 *
 * <p>Example: {@code ExecuteScript.of("console.log('hi')")}.
 *
 * @param script JavaScript to run
 * @param autoRemove remove the tag after it ran ({@code data-effect="el.remove()"}); default true
 * @param attributes extra attributes written into the tag as given, e.g. {@code type="module"}
 * @param eventId SSE event id, or {@code null}
 * @param retry SSE reconnection delay, or {@code null} for the default (1000 ms, not sent)
 */
public record ExecuteScript(String script, boolean autoRemove, List<String> attributes, String eventId,
                            Duration retry) implements SseMessage {

    public ExecuteScript {
        Objects.requireNonNull(script, "script");
        DatastarEvent.checkEventId(eventId);
        attributes = DatastarEvent.copy(attributes);
        for (String attribute : attributes) {
            if (attribute.indexOf('\n') >= 0 || attribute.indexOf('\r') >= 0 || attribute.indexOf('>') >= 0) {
                throw new IllegalArgumentException("script attribute must be one line without '>': " + attribute);
            }
        }
    }

    /** Runs {@code script} once and removes its tag. */
    public static ExecuteScript of(String script) {
        return new ExecuteScript(script, true, List.of(), null, null);
    }

    public ExecuteScript withAutoRemove(boolean remove) {
        return new ExecuteScript(script, remove, attributes, eventId, retry);
    }

    public ExecuteScript withAttributes(List<String> newAttributes) {
        return new ExecuteScript(script, autoRemove, newAttributes, eventId, retry);
    }

    public ExecuteScript withEventId(String newEventId) {
        return new ExecuteScript(script, autoRemove, attributes, newEventId, retry);
    }

    public ExecuteScript withRetry(Duration newRetry) {
        return new ExecuteScript(script, autoRemove, attributes, eventId, newRetry);
    }

    @Override
    public SseEvent toEvent() {
        StringBuilder tag = new StringBuilder(script.length() + 64).append("<script");
        for (String attribute : attributes) {
            tag.append(' ').append(attribute);
        }
        if (autoRemove) {
            tag.append(" data-effect=\"el.remove()\"");
        }
        tag.append('>').append(script).append("</script>");
        StringBuilder data = new StringBuilder(tag.length() + 64);
        DatastarEvent.appendLine(data, "mode append");
        DatastarEvent.appendLine(data, "selector body");
        DatastarEvent.appendLines(data, "elements", tag.toString());
        return DatastarEvent.event(DatastarEvent.PATCH_ELEMENTS, eventId, retry, data);
    }
}
