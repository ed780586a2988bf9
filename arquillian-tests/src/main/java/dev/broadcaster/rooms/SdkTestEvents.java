package dev.broadcaster.rooms;

import dev.broadcaster.SseEvent;
import dev.broadcaster.SseMessage;
import dev.broadcaster.datastar.ElementNamespace;
import dev.broadcaster.datastar.ElementPatchMode;
import dev.broadcaster.datastar.ExecuteScript;
import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.datastar.PatchSignals;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The events of an official Datastar SDK test input ({@code {"events": [...]}}, the field names of the suite's
 * {@code input.json} files), built with the library's public Datastar API and encoded. Anything the suite would
 * not send is an {@link IllegalArgumentException} saying what and where.
 */
final class SdkTestEvents {

    private SdkTestEvents() {
    }

    /** The encoded events of {@code input}, in order. */
    static List<SseEvent> of(JsonObject input) {
        if (!(input.get("events") instanceof JsonArray events)) {
            throw new IllegalArgumentException("the test input needs an \"events\" array");
        }
        List<SseEvent> encoded = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            String where = "events[" + i + "]";
            if (!(events.get(i) instanceof JsonObject event)) {
                throw new IllegalArgumentException(where + " must be an object");
            }
            try {
                encoded.add(event(event).toEvent());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        return encoded;
    }

    private static SseMessage event(JsonObject event) {
        String type = string(event, "type");
        if (type == null) {
            throw new IllegalArgumentException("\"type\" is required");
        }
        String eventId = string(event, "eventId");
        Duration retry = retry(event);
        return switch (type) {
            case "patchElements" -> {
                String mode = string(event, "mode");
                String namespace = string(event, "namespace");
                yield new PatchElements(string(event, "elements"), string(event, "selector"),
                        mode == null ? ElementPatchMode.OUTER : ElementPatchMode.fromWireName(mode),
                        namespace == null ? ElementNamespace.HTML : ElementNamespace.fromWireName(namespace),
                        bool(event, "useViewTransition", false), string(event, "viewTransitionSelector"), eventId, retry);
            }
            case "patchSignals" -> {
                String raw = string(event, "signals-raw");
                JsonValue signals = event.get("signals");
                if (raw == null && signals == null) {
                    throw new IllegalArgumentException("patchSignals needs \"signals\" (JSON) or \"signals-raw\" (text)");
                }
                yield new PatchSignals(raw != null ? raw : signals.toString(), bool(event, "onlyIfMissing", false),
                        eventId, retry);
            }
            case "executeScript" -> {
                String script = string(event, "script");
                if (script == null) {
                    throw new IllegalArgumentException("\"script\" is required");
                }
                yield new ExecuteScript(script, bool(event, "autoRemove", true), attributes(event), eventId, retry);
            }
            default -> throw new IllegalArgumentException("unknown type '" + type
                    + "'; expected patchElements, patchSignals or executeScript");
        };
    }

    /** {@code "attributes"}: an object (written {@code name="value"}) or an array of attribute texts. */
    private static List<String> attributes(JsonObject event) {
        List<String> attributes = new ArrayList<>();
        JsonValue raw = event.get("attributes");
        if (raw instanceof JsonObject object) {
            object.forEach((name, value) -> attributes.add(name + "=\"" + text(value).replace("\"", "&quot;") + "\""));
        } else if (raw instanceof JsonArray array) {
            array.forEach(value -> attributes.add(text(value)));
        } else if (raw != null && raw != JsonValue.NULL) {
            throw new IllegalArgumentException("\"attributes\" must be an object or an array of strings");
        }
        return attributes;
    }

    /** {@code "retryDuration"}: whole milliseconds, 0 to one hour. */
    private static Duration retry(JsonObject event) {
        JsonValue raw = event.get("retryDuration");
        if (raw == null || raw == JsonValue.NULL) {
            return null;
        }
        BigDecimal millis = raw instanceof JsonNumber number ? number.bigDecimalValue() : null;
        if (millis == null || millis.signum() < 0 || millis.compareTo(BigDecimal.valueOf(SseEvent.MAX_RETRY.toMillis())) > 0
                || millis.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("\"retryDuration\" must be a whole number of milliseconds up to one hour");
        }
        return Duration.ofMillis(millis.longValue());
    }

    private static String text(JsonValue value) {
        return value instanceof JsonString string ? string.getString() : value.toString();
    }

    private static String string(JsonObject event, String key) {
        JsonValue raw = event.get(key);
        if (raw == null || raw == JsonValue.NULL) {
            return null;
        }
        if (!(raw instanceof JsonString string)) {
            throw new IllegalArgumentException("\"" + key + "\" must be a string");
        }
        return string.getString();
    }

    private static boolean bool(JsonObject event, String key, boolean defaultValue) {
        JsonValue raw = event.get(key);
        if (raw == null || raw == JsonValue.NULL) {
            return defaultValue;
        }
        return switch (raw.getValueType()) {
            case TRUE -> true;
            case FALSE -> false;
            default -> throw new IllegalArgumentException("\"" + key + "\" must be true or false");
        };
    }
}
