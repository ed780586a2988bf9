package dev.broadcaster.internal;

import dev.broadcaster.JsonMessage;
import dev.broadcaster.SseEvent;
import dev.broadcaster.SseMessage;
import dev.broadcaster.datastar.ElementPatchMode;
import dev.broadcaster.datastar.ExecuteScript;
import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.datastar.PatchSignals;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
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
 * {@value #MAX_DEPTH}, numbers longer than {@value #MAX_NUMBER_LENGTH} characters.
 *
 * @param messages the messages, in the order given
 * @param exclude connection ids not to send to
 */
public record PublishRequest(List<SseMessage> messages, Set<String> exclude) {

    /** Parses {@code body}. */
    public static PublishRequest parse(String body) {
        JsonObject root = parseObject(body);
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
        return new PatchElements(optionalString(event, "elements", where), optionalString(event, "selector", where),
                mode == null ? ElementPatchMode.OUTER : ElementPatchMode.fromWireName(mode),
                bool(event, "useViewTransition", false, where), optionalString(event, "eventId", where),
                retry(event, where));
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

    /**
     * Parses {@code body} with the streaming parser, so that the limits are this class's and the same on every
     * JSON-P provider: at most {@link #MAX_DEPTH} nested arrays and objects, numbers of at most
     * {@link #MAX_NUMBER_LENGTH} characters, no key twice in one object, nothing after the value but whitespace.
     * Anything the provider throws is a malformed body too.
     */
    private static JsonObject parseObject(String body) {
        if (body == null || body.isBlank()) {
            throw new IllegalArgumentException("empty body: expected a JSON object");
        }
        try (JsonParser parser = Parsers.FACTORY.createParser(new StringReader(body))) {
            if (parser.next() != JsonParser.Event.START_OBJECT) {
                throw new IllegalArgumentException("body must be a JSON object");
            }
            JsonObject root = object(parser, 1);
            if (parser.hasNext()) {
                throw new IllegalArgumentException("body is not valid JSON: text after the object");
            }
            return root;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            // JsonException, JsonParsingException, and whatever a provider's own limits throw
            throw new IllegalArgumentException("body is not valid JSON: " + e.getMessage());
        }
    }

    /** The most arrays and objects nested in a publish body (the root object is depth 1). */
    static final int MAX_DEPTH = 64;
    /** The longest number (its characters) a publish body may hold. */
    static final int MAX_NUMBER_LENGTH = 256;

    private static JsonObject object(JsonParser parser, int depth) {
        JsonObjectBuilder object = Json.createObjectBuilder();
        Set<String> keys = new HashSet<>();
        for (JsonParser.Event event = parser.next(); event != JsonParser.Event.END_OBJECT; event = parser.next()) {
            String key = parser.getString(); // the parser guarantees KEY_NAME here
            if (!keys.add(key)) {
                throw new IllegalArgumentException("body is not valid JSON: key \"" + shown(key) + "\" appears twice in one object");
            }
            object.add(key, value(parser, parser.next(), depth));
        }
        return object.build();
    }

    private static JsonArray array(JsonParser parser, int depth) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        for (JsonParser.Event event = parser.next(); event != JsonParser.Event.END_ARRAY; event = parser.next()) {
            array.add(value(parser, event, depth));
        }
        return array.build();
    }

    private static JsonValue value(JsonParser parser, JsonParser.Event event, int depth) {
        return switch (event) {
            case START_OBJECT -> object(parser, deeper(depth));
            case START_ARRAY -> array(parser, deeper(depth));
            case VALUE_STRING -> Json.createValue(parser.getString());
            case VALUE_NUMBER -> number(parser.getString());
            case VALUE_TRUE -> JsonValue.TRUE;
            case VALUE_FALSE -> JsonValue.FALSE;
            case VALUE_NULL -> JsonValue.NULL;
            default -> throw new IllegalArgumentException("body is not valid JSON: unexpected " + event);
        };
    }

    private static int deeper(int depth) {
        if (depth >= MAX_DEPTH) {
            throw new IllegalArgumentException("body is nested deeper than " + MAX_DEPTH + " arrays and objects");
        }
        return depth + 1;
    }

    private static JsonNumber number(String text) {
        if (text.length() > MAX_NUMBER_LENGTH) {
            throw new IllegalArgumentException("body has a number longer than " + MAX_NUMBER_LENGTH + " characters");
        }
        try {
            return Json.createValue(new BigDecimal(text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("body has a number out of range: " + shown(text));
        }
    }

    private static String shown(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    /** The JSON-P parser factory, looked up once (a provider lookup per request is costly). */
    private static final class Parsers {
        static final JsonParserFactory FACTORY = Json.createParserFactory(Map.of());
    }
}
