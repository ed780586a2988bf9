package dev.broadcaster.internal;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads a JSON object from untrusted text (a publish body, a page's Datastar signals) with limits that are this
 * class's and the same on every JSON-P provider: at most {@value #MAX_DEPTH} nested arrays and objects, numbers
 * of at most {@value #MAX_NUMBER_LENGTH} characters, no key twice in one object, nothing after the object but
 * whitespace. Every problem, including anything the provider throws, is an {@link IllegalArgumentException}
 * whose message names what was read and what is wrong (public for {@code dev.broadcaster.datastar.Signals};
 * not API).
 */
public final class StrictJson {

    /** The most arrays and objects nested in one document (the root object is depth 1). */
    static final int MAX_DEPTH = 64;
    /** The longest number (its characters) a document may hold. */
    static final int MAX_NUMBER_LENGTH = 256;

    private StrictJson() {
    }

    /**
     * The object {@code text} holds.
     *
     * @param what what the text is, for the messages ({@code "body"}, {@code "signals"})
     * @throws IllegalArgumentException if the text is blank, not a JSON object, or breaks a limit
     */
    public static JsonObject parseObject(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty " + what + ": expected a JSON object");
        }
        try (JsonParser parser = Parsers.FACTORY.createParser(new StringReader(text))) {
            if (parser.next() != JsonParser.Event.START_OBJECT) {
                throw new IllegalArgumentException(what + " must be a JSON object");
            }
            JsonObject root = object(parser, 1, what);
            if (parser.hasNext()) {
                throw new IllegalArgumentException(what + " is not valid JSON: text after the object");
            }
            return root;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            // JsonException, JsonParsingException, and whatever a provider's own limits throw
            throw new IllegalArgumentException(what + " is not valid JSON: " + e.getMessage());
        }
    }

    private static JsonObject object(JsonParser parser, int depth, String what) {
        JsonObjectBuilder object = Json.createObjectBuilder();
        Set<String> keys = new HashSet<>();
        for (JsonParser.Event event = parser.next(); event != JsonParser.Event.END_OBJECT; event = parser.next()) {
            String key = parser.getString(); // the parser guarantees KEY_NAME here
            if (!keys.add(key)) {
                throw new IllegalArgumentException(what + " is not valid JSON: key \"" + shown(key)
                        + "\" appears twice in one object");
            }
            object.add(key, value(parser, parser.next(), depth, what));
        }
        return object.build();
    }

    private static JsonArray array(JsonParser parser, int depth, String what) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        for (JsonParser.Event event = parser.next(); event != JsonParser.Event.END_ARRAY; event = parser.next()) {
            array.add(value(parser, event, depth, what));
        }
        return array.build();
    }

    private static JsonValue value(JsonParser parser, JsonParser.Event event, int depth, String what) {
        return switch (event) {
            case START_OBJECT -> object(parser, deeper(depth, what), what);
            case START_ARRAY -> array(parser, deeper(depth, what), what);
            case VALUE_STRING -> Json.createValue(parser.getString());
            case VALUE_NUMBER -> number(parser.getString(), what);
            case VALUE_TRUE -> JsonValue.TRUE;
            case VALUE_FALSE -> JsonValue.FALSE;
            case VALUE_NULL -> JsonValue.NULL;
            default -> throw new IllegalArgumentException(what + " is not valid JSON: unexpected " + event);
        };
    }

    private static int deeper(int depth, String what) {
        if (depth >= MAX_DEPTH) {
            throw new IllegalArgumentException(what + " is nested deeper than " + MAX_DEPTH + " arrays and objects");
        }
        return depth + 1;
    }

    private static JsonNumber number(String text, String what) {
        if (text.length() > MAX_NUMBER_LENGTH) {
            throw new IllegalArgumentException(what + " has a number longer than " + MAX_NUMBER_LENGTH + " characters");
        }
        try {
            return Json.createValue(new BigDecimal(text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " has a number out of range: " + shown(text));
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
