package dev.broadcaster.internal;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the Datastar signals a page sent, for {@code dev.broadcaster.datastar.Signals} (public for it; not API):
 * nothing sent is no signals (an empty object); more than the limit is 413; bytes that are not UTF-8, JSON that is
 * not an object or breaks {@link StrictJson}'s limits are 400. Every refusal comes from {@link Refusals}.
 */
public final class SignalsInput {

    private static final String WHAT = "the signals document";

    private SignalsInput() {
    }

    /** The signals of the {@code datastar} query parameter's value ({@code null} when absent). */
    public static JsonObject fromQuery(String value, int maxBytes) {
        if (value == null || value.isBlank()) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        if (value.length() > maxBytes || value.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        return parse(value);
    }

    /** The signals of a request body, read up to {@code maxBytes} (one more byte is 413, and nothing further is read). */
    public static JsonObject fromBody(InputStream body, int maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        byte[] bytes;
        try {
            bytes = body == null ? new byte[0] : body.readNBytes(Math.min(maxBytes, Integer.MAX_VALUE - 16) + 1);
        } catch (IOException e) {
            throw Refusals.badRequest("The signals could not be read: " + e.getMessage());
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw Refusals.badRequest("The signals are not valid UTF-8 text");
        }
        return text.isBlank() ? JsonValue.EMPTY_JSON_OBJECT : parse(text);
    }

    private static JsonObject parse(String text) {
        try {
            return StrictJson.parseObject(text, WHAT);
        } catch (IllegalArgumentException e) {
            throw Refusals.badRequest("Expected the Datastar signals as a JSON object: " + e.getMessage());
        }
    }

    private static RuntimeException tooLarge(int maxBytes) {
        return Refusals.tooLarge("The Datastar signals are larger than " + maxBytes + " bytes");
    }
}
