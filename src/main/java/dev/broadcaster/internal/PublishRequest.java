package dev.broadcaster.internal;

import dev.broadcaster.JsonMessage;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed publish body: one event object, or {@code {"events": [...]}}, plus optional {@code exclude}.
 * Event objects use the field names of the Datastar SDK test-suite inputs. Any problem is an
 * {@link IllegalArgumentException} whose message says what is wrong and where; that includes JSON the
 * parser would let pass elsewhere: duplicate keys, text after the object, nesting deeper than
 * {@value StrictJson#MAX_DEPTH}, numbers longer than {@value StrictJson#MAX_NUMBER_LENGTH} characters.
 *
 * @param messages the messages, in the order given
 * @param exclude connection ids not to send to
 */
public record PublishRequest(List<SseMessage> messages, Set<String> exclude) {

    /** Parses {@code body}. */
    public static PublishRequest parse(String body) {
        JsonObject root = StrictJson.parseObject(body, "body");
        List<SseMessage> messages = new ArrayList<>();
        if (root.containsKey("events")) {
            JsonArray events = array(root, "events", "body");
            if (events.isEmpty()) {
                throw new IllegalArgumentException("\"events\" must not be empty");
            }
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i).getValueType() != JsonValue.ValueType.OBJECT) {
                    throw new IllegalArgumentException("events[" + i + "] must be an object");
                }
                messages.add(event(events.getJsonObject(i), "events[" + i + "]"));
            }
        } else {
            messages.add(event(root, "body"));
        }
        Set<String> exclude = new LinkedHashSet<>();
        if (root.containsKey("exclude")) {
            for (JsonValue id : array(root, "exclude", "body")) {
                if (id.getValueType() != JsonValue.ValueType.STRING) {
                    throw new IllegalArgumentException("\"exclude\" must be an array of connection ids (strings)");
                }
                exclude.add(((JsonString) id).getString());
            }
        }
        return new PublishRequest(List.copyOf(messages), Set.copyOf(exclude));
    }

    /** Parses and encodes one event object, so that every error shows here, as a 400. */
    private static SseEvent event(JsonObject event, String where) {
        SseMessage message = message(event, where);
        try {
            return message.toEvent();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** Parses one event object (also used by the Datastar SDK conformance endpoint). */
    public static SseMessage message(JsonObject event, String where) {
        String type = requiredString(event, "type", where);
        try {
            return switch (type) {
                case "patchElements" -> patchElements(event, where);
                case "patchSignals" -> patchSignals(event, where);
                case "executeScript" -> executeScript(event, where);
                case "event" -> new SseEvent(requiredString(event, "event", where), optionalString(event, "eventId", where),
                        retry(event, where), requiredString(event, "data", where));
                case "message" -> new JsonMessage(requiredString(event, "messageType", where),
                        event.get("data"), Instant.now(), metadata(event, where));
                default -> throw new IllegalArgumentException(where + ": unknown type '" + type
                        + "'; expected patchElements, patchSignals, executeScript, event or message");
            };
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(where)) {
                throw e;
            }
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static PatchElements patchElements(JsonObject event, String where) {
        String mode = optionalString(event, "mode", where);
        String namespace = optionalString(event, "namespace", where);
        return new PatchElements(optionalString(event, "elements", where), optionalString(event, "selector", where),
                mode == null ? ElementPatchMode.OUTER : ElementPatchMode.fromWireName(mode),
                namespace == null ? ElementNamespace.HTML : ElementNamespace.fromWireName(namespace),
                bool(event, "useViewTransition", false, where), optionalString(event, "viewTransitionSelector", where),
                optionalString(event, "eventId", where), retry(event, where));
    }

    private static PatchSignals patchSignals(JsonObject event, String where) {
        String signals;
        if (event.containsKey("signals-raw")) {
            signals = requiredString(event, "signals-raw", where);
        } else if (event.containsKey("signals")) {
            signals = event.get("signals").toString();
        } else {
            throw new IllegalArgumentException(where + ": patchSignals needs \"signals\" (JSON) or \"signals-raw\" (text)");
        }
        return new PatchSignals(signals, bool(event, "onlyIfMissing", false, where),
                optionalString(event, "eventId", where), retry(event, where));
    }

    private static ExecuteScript executeScript(JsonObject event, String where) {
        List<String> attributes = new ArrayList<>();
        JsonValue raw = event.get("attributes");
        if (raw instanceof JsonObject object) {
            object.forEach((name, value) -> attributes.add(name + "=\"" + text(value).replace("\"", "&quot;") + "\""));
        } else if (raw instanceof JsonArray array) {
            array.forEach(value -> attributes.add(text(value)));
        } else if (raw != null && raw != JsonValue.NULL) {
            throw new IllegalArgumentException(where + ": \"attributes\" must be an object or an array of strings");
        }
        return new ExecuteScript(requiredString(event, "script", where), bool(event, "autoRemove", true, where),
                attributes, optionalString(event, "eventId", where), retry(event, where));
    }

    private static Map<String, Object> metadata(JsonObject event, String where) {
        JsonValue raw = event.get("metadata");
        if (raw == null || raw == JsonValue.NULL) {
            return null;
        }
        if (!(raw instanceof JsonObject object)) {
            throw new IllegalArgumentException(where + ": \"metadata\" must be an object");
        }
        return new LinkedHashMap<>(object);
    }

    /** A whole number of milliseconds from 0 to {@link SseEvent#MAX_RETRY}, converted exactly (never wrapped). */
    private static Duration retry(JsonObject event, String where) {
        JsonValue raw = event.get("retryDuration");
        if (raw == null || raw == JsonValue.NULL) {
            return null;
        }
        String rule = where + ": \"retryDuration\" must be a whole number of milliseconds from 0 to "
                + SseEvent.MAX_RETRY.toMillis() + " (one hour)";
        if (!(raw instanceof JsonNumber number)) {
            throw new IllegalArgumentException(rule);
        }
        try {
            BigDecimal millis = number.bigDecimalValue();
            // compared before any conversion: 1e999999999 is refused here without being expanded
            if (millis.signum() < 0 || millis.compareTo(BigDecimal.valueOf(SseEvent.MAX_RETRY.toMillis())) > 0) {
                throw new IllegalArgumentException(rule);
            }
            return Duration.ofMillis(millis.longValueExact());
        } catch (ArithmeticException | NumberFormatException | UnsupportedOperationException e) {
            throw new IllegalArgumentException(rule); // a fraction, or a number the JSON-P provider will not convert
        }
    }

    private static String text(JsonValue value) {
        return value instanceof JsonString string ? string.getString() : value.toString();
    }

    private static boolean bool(JsonObject event, String key, boolean defaultValue, String where) {
        JsonValue raw = event.get(key);
        if (raw == null || raw == JsonValue.NULL) {
            return defaultValue;
        }
        if (raw == JsonValue.TRUE) {
            return true;
        }
        if (raw == JsonValue.FALSE) {
            return false;
        }
        throw new IllegalArgumentException(where + ": \"" + key + "\" must be true or false");
    }

    private static String requiredString(JsonObject event, String key, String where) {
        String value = optionalString(event, key, where);
        if (value == null) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" is required");
        }
        return value;
    }

    private static String optionalString(JsonObject event, String key, String where) {
        JsonValue raw = event.get(key);
        if (raw == null || raw == JsonValue.NULL) {
            return null;
        }
        if (raw.getValueType() != JsonValue.ValueType.STRING) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be a string");
        }
        return ((JsonString) raw).getString();
    }

    private static JsonArray array(JsonObject object, String key, String where) {
        JsonValue raw = object.get(key);
        if (raw == null || raw.getValueType() != JsonValue.ValueType.ARRAY) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be an array");
        }
        return (JsonArray) raw;
    }
}
