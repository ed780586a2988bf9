package dev.broadcaster.datastar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.NoStackTracesLogged;
import dev.broadcaster.support.TestServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Signals} in an application's own JAX-RS resource, over HTTP: the signals of {@code @get} and
 * {@code @delete} come from the {@code datastar} query parameter, those of {@code @post}, {@code @put} and
 * {@code @patch} from the JSON body; nothing sent is an empty object; input a page cannot have sent is 400 or 413
 * with a reason, never a 500 and never a logged stack trace.
 */
@ExtendWith(NoStackTracesLogged.class)
@InProcessServer(resources = SignalsTest.Echo.class)
class SignalsTest {

    static TestServer server; // started by @InProcessServer

    /** What an application writes: each method answers the signals it read, as JSON. */
    @Path("echo")
    @Produces(MediaType.APPLICATION_JSON)
    public static class Echo {

        @GET
        public String get(@Context UriInfo uriInfo) {
            return Signals.fromQuery(uriInfo).toString();
        }

        @DELETE
        public String delete(@Context UriInfo uriInfo) {
            return Signals.fromQuery(uriInfo).toString();
        }

        @POST
        public String post(InputStream body) {
            return Signals.fromBody(body).toString();
        }

        @PUT
        public String put(InputStream body) {
            return Signals.fromBody(body).toString();
        }

        @PATCH
        public String patch(InputStream body) {
            return Signals.fromBody(body).toString();
        }

        @POST
        @Path("small")
        public String small(InputStream body) {
            return Signals.fromBody(body, 64).toString();
        }
    }

    static final String SIGNALS = "{\"text\":\"caf\u00e9 & <b>\",\"count\":3,\"user\":{\"name\":\"bob\",\"tags\":[1,null,true]}}";

    @Test
    void getAndDeleteReadTheDatastarQueryParameter() {
        URI uri = server.uri("echo?datastar=" + HttpCalls.encode(SIGNALS) + "&other=1");
        for (String method : List.of("GET", "DELETE")) {
            HttpResponse<String> response = send(method, uri, null);
            assertEquals(200, response.statusCode(), method + ": " + response.body());
            assertEquals(json(SIGNALS), json(response.body()), method);
        }
    }

    @Test
    void postPutAndPatchReadTheJsonBody() {
        for (String method : List.of("POST", "PUT", "PATCH")) {
            HttpResponse<String> response = send(method, server.uri("echo"), SIGNALS.getBytes(StandardCharsets.UTF_8));
            assertEquals(200, response.statusCode(), method + ": " + response.body());
            assertEquals(json(SIGNALS), json(response.body()), method);
        }
    }

    /**
     * A POST's query parameter is not its signals. (Nor is a DELETE's body, which Datastar before 1.0.x sent: Grizzly,
     * the HTTP layer of this server and of Payara, refuses a DELETE with a body with 400 before any application code.)
     */
    @Test
    void aPostsQueryParameterIsNotItsSignals() {
        HttpResponse<String> post = send("POST", server.uri("echo?datastar=" + HttpCalls.encode("{\"a\":1}")),
                "{\"b\":2}".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, post.statusCode(), post.body());
        assertEquals("{\"b\":2}", post.body());
    }

    @Test
    void nothingSentIsNoSignals() {
        assertEquals("{}", send("GET", server.uri("echo"), null).body());
        assertEquals("{}", send("GET", server.uri("echo?datastar="), null).body());
        assertEquals("{}", send("POST", server.uri("echo"), new byte[0]).body());
        assertEquals("{}", send("PATCH", server.uri("echo"), " \n".getBytes(StandardCharsets.UTF_8)).body());
    }

    @Test
    void malformedSignalsAre400WithAReason() {
        List<String> bodies = List.of("not json", "[1,2]", "\"text\"", "{\"a\":1", "{\"a\":1} {\"b\":2}",
                "{\"a\":1,\"a\":2}", "{\"a\":" + "[".repeat(70) + "]".repeat(70) + "}",
                "{\"n\":1" + "0".repeat(300) + "}");
        for (String body : bodies) {
            for (String method : List.of("GET", "POST")) {
                HttpResponse<String> response = method.equals("GET")
                        ? send("GET", server.uri("echo?datastar=" + HttpCalls.encode(body)), null)
                        : send("POST", server.uri("echo"), body.getBytes(StandardCharsets.UTF_8));
                assertEquals(400, response.statusCode(), method + " " + body + ": " + response.body());
                assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
                        response.headers().toString());
                assertTrue(response.body().startsWith("Expected the Datastar signals as a JSON object: "), response.body());
                assertFalse(response.body().contains("Exception"), response.body());
            }
        }
        HttpResponse<String> notUtf8 = send("POST", server.uri("echo"), new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}'});
        assertEquals(400, notUtf8.statusCode(), notUtf8.body());
        assertTrue(notUtf8.body().contains("UTF-8"), notUtf8.body());
    }

    @Test
    void aBodyOverTheLimitIs413AndIsReadNoFurther() {
        String padded = "{\"pad\":\"" + "x".repeat(Signals.MAX_BYTES - 10) + "\"}";
        assertEquals(Signals.MAX_BYTES, padded.length());
        HttpResponse<String> fits = send("POST", server.uri("echo"), padded.getBytes(StandardCharsets.UTF_8));
        assertEquals(200, fits.statusCode(), "exactly the limit");

        byte[] over = (padded + " ").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> refused = send("POST", server.uri("echo"), over);
        assertEquals(413, refused.statusCode());
        assertTrue(refused.body().contains("larger than " + Signals.MAX_BYTES + " bytes"), refused.body());

        // chunked (no Content-Length), and far larger: refused all the same
        HttpResponse<String> chunked = HttpCalls.send(HttpCalls.request(server.uri("echo"), null)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[4 * Signals.MAX_BYTES])))
                .build());
        assertEquals(413, chunked.statusCode());

        HttpResponse<String> small = send("POST", server.uri("echo/small"), ("{\"a\":\"" + "y".repeat(60) + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(413, small.statusCode(), "the application's own limit");
        assertTrue(small.body().contains("larger than 64 bytes"), small.body());
    }

    private static HttpResponse<String> send(String method, URI uri, byte[] body) {
        HttpRequest.Builder request = HttpCalls.request(uri, null).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return HttpCalls.send(request.build());
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }
}
