package dev.broadcaster.internal;

import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Reads the body of an HTTP publish before anything parses it: {@code application/json} only (any parameters,
 * a {@code charset} the JVM knows; otherwise 415, which also makes a cross-site form or {@code text/plain}
 * post impossible without a CORS preflight), at most {@code broadcaster.max-publish-size} bytes whatever
 * the framing (chunked included; 413 above it, read no further), decoded strictly (400 for bytes that are
 * not text in that charset). Runs on the request thread.
 */
final class PublishBody {

    private PublishBody() {
    }

    /**
     * The body as text.
     *
     * @param contentType the {@code Content-Type} header (null when absent)
     * @param declaredLength the {@code Content-Length}, or -1 when absent (chunked)
     */
    static String read(String contentType, long declaredLength, InputStream body, long maxBytes) {
        Charset charset = jsonCharset(contentType);
        if (declaredLength > maxBytes) {
            throw tooLarge(maxBytes);
        }
        byte[] bytes;
        try {
            bytes = body == null ? new byte[0] : body.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 16));
        } catch (IOException e) {
            throw Refusals.badRequest("The body could not be read: " + e.getMessage());
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        try {
            return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw Refusals.badRequest("The body is not valid " + charset.name() + " text");
        }
    }

    private static Charset jsonCharset(String contentType) {
        MediaType type = null;
        if (contentType != null) {
            try {
                type = MediaType.valueOf(contentType.trim());
            } catch (RuntimeException e) {
                type = null;
            }
        }
        if (type == null || !type.getType().equalsIgnoreCase("application") || !type.getSubtype().equalsIgnoreCase("json")) {
            throw Refusals.unsupportedMediaType("Publishing takes Content-Type: application/json");
        }
        for (Map.Entry<String, String> parameter : type.getParameters().entrySet()) {
            if (parameter.getKey().equalsIgnoreCase("charset")) {
                try {
                    return Charset.forName(parameter.getValue());
                } catch (RuntimeException e) {
                    throw Refusals.unsupportedMediaType("Unknown charset in Content-Type: application/json");
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    private static RuntimeException tooLarge(long maxBytes) {
        return Refusals.tooLarge("The body is larger than " + maxBytes + " bytes (broadcaster.max-publish-size)");
    }
}
