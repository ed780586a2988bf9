package dev.broadcaster.datastar;

import dev.broadcaster.SseEvent;
import dev.broadcaster.SseMessage;
import dev.broadcaster.internal.JsonText;
import java.time.Duration;
import java.util.Objects;

/**
 * Datastar v1 {@code datastar-patch-signals}: a JSON Merge Patch (RFC 7386) of the page's signals.
 * Data lines: {@code onlyIfMissing true} (when set), then one {@code signals} line per JSON line.
 *
 * <p>Example: {@code PatchSignals.of("{\"count\":3}")} or {@code PatchSignals.ofObject(Map.of("count", 3))}.
 *
 * @param signals the JSON text, sent as given
 * @param onlyIfMissing patch only signals that do not exist yet
 * @param eventId SSE event id, or {@code null}
 * @param retry SSE reconnection delay, or {@code null} for the default (1000 ms, not sent)
 */
public record PatchSignals(String signals, boolean onlyIfMissing, String eventId, Duration retry)
        implements SseMessage {

    public PatchSignals {
        Objects.requireNonNull(signals, "signals");
        DatastarEvent.checkEventId(eventId);
        if (DatastarEvent.isBlank(signals)) {
            throw new IllegalArgumentException("signals must not be empty");
        }
    }

    /** Patches the signals in {@code json}. */
    public static PatchSignals of(String json) {
        return new PatchSignals(json, false, null, null);
    }

    /** Patches the signals of {@code value} (a map or record), serialised with JSON-B. */
    public static PatchSignals ofObject(Object value) {
        return of(JsonText.of(value));
    }

    public PatchSignals withOnlyIfMissing(boolean onlyIfMissingSignals) {
        return new PatchSignals(signals, onlyIfMissingSignals, eventId, retry);
    }

    public PatchSignals withEventId(String newEventId) {
        return new PatchSignals(signals, onlyIfMissing, newEventId, retry);
    }

    public PatchSignals withRetry(Duration newRetry) {
        return new PatchSignals(signals, onlyIfMissing, eventId, newRetry);
    }

    @Override
    public SseEvent toEvent() {
        StringBuilder data = new StringBuilder(signals.length() + 32);
        if (onlyIfMissing) {
            DatastarEvent.appendLine(data, "onlyIfMissing true");
        }
        DatastarEvent.appendLines(data, "signals", signals);
        return DatastarEvent.event(DatastarEvent.PATCH_SIGNALS, eventId, retry, data);
    }
}
