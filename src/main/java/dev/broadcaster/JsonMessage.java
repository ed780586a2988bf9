package dev.broadcaster;

import dev.broadcaster.internal.JsonText;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A typed JSON message, sent as an unnamed event whose data is
 * {@code {"type":…,"data":…,"timestamp":…,"metadata":…}} ({@code metadata} only when present).
 * {@code data} and {@code metadata} are serialised with JSON-B.
 *
 * <p>Example: {@code JsonMessage.of("counter_update", Map.of("count", 42))}.
 */
public record JsonMessage(String type, Object data, Instant timestamp, Map<String, Object> metadata)
        implements SseMessage {

    public JsonMessage {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(timestamp, "timestamp");
        metadata = metadata == null ? null : Map.copyOf(metadata);
    }

    /** A message stamped now, without metadata. */
    public static JsonMessage of(String type, Object data) {
        return new JsonMessage(type, data, Instant.now(), null);
    }

    /** A message stamped now, with metadata. */
    public static JsonMessage of(String type, Object data, Map<String, Object> metadata) {
        return new JsonMessage(type, data, Instant.now(), metadata);
    }

    /** The JSON document this message is sent as. */
    public String toJson() {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("type", type);
        envelope.put("data", data);
        envelope.put("timestamp", timestamp.toString());
        if (metadata != null) {
            envelope.put("metadata", metadata);
        }
        return JsonText.of(envelope);
    }

    @Override
    public SseEvent toEvent() {
        return SseEvent.data(toJson());
    }
}
