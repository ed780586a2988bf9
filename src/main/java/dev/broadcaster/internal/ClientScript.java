package dev.broadcaster.internal;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * {@code GET <broadcaster.path>/client.js}: the tab-sharing client script ({@value #RESOURCE} in the library's
 * jar), the same bytes for everybody. It is meant for {@code <script src>}, so neither a signed-in user nor the
 * cross-site rules of the streams apply: the script holds nothing but code. Served with a strong {@code ETag}
 * (a hash of the bytes; {@code If-None-Match} gets 304) and cached for an hour.
 */
@Path(ClientScript.ROOT)
public class ClientScript {

    /** The fixed path {@link EndpointRouting} maps {@code <broadcaster.path>/client.js} to; not reachable directly. */
    static final String ROOT = BroadcasterEndpoints.ROOT + "-client.js";
    static final String RESOURCE = "/META-INF/broadcaster/client.js";
    static final String MEDIA_TYPE = "text/javascript; charset=utf-8";

    private static volatile Script script;

    @Context
    Request request;

    @GET
    public Response get() {
        Script current = loaded();
        Response.ResponseBuilder notModified = request.evaluatePreconditions(current.tag());
        Response.ResponseBuilder answer = notModified != null ? notModified
                : Response.ok(current.bytes(), MEDIA_TYPE);
        // public: the same bytes for every user, so a shared cache may keep them despite the request's credentials
        return answer.tag(current.tag()).header("Cache-Control", "public, max-age=3600")
                .header("X-Content-Type-Options", "nosniff")
                .build();
    }

    static Script loaded() {
        Script current = script;
        if (current == null) {
            current = Script.read();
            script = current;
        }
        return current;
    }

    /** The script's bytes and their entity tag. */
    record Script(byte[] bytes, EntityTag tag) {

        static Script read() {
            try (InputStream in = ClientScript.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is missing from the broadcaster jar");
                }
                byte[] bytes = in.readAllBytes();
                byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
                String tag = Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 22);
                return new Script(bytes, new EntityTag(tag));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing", e);
            }
        }
    }
}
