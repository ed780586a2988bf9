package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.TestServer;
import java.io.InputStream;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * {@code GET <broadcaster.path>/client.js}: the tab-sharing client script, the same bytes for everybody, cacheable,
 * revalidated by its {@code ETag}. Its behaviour in a browser is tested by {@code browser-tests/tests/shared.test.mjs}.
 */
@InProcessServer
class ClientScriptTest {

    static TestServer server; // started by @InProcessServer

    @Test
    void theScriptIsServedToAnybodyAsJavaScriptWithAnEntityTag() throws Exception {
        byte[] expected;
        try (InputStream in = ClientScriptTest.class.getResourceAsStream("/META-INF/broadcaster/client.js")) {
            expected = in.readAllBytes();
        }
        HttpResponse<byte[]> anonymous = HttpCalls.sendForBytes(HttpCalls.request(server.uri("sse/client.js"), null)
                .GET().build());
        assertEquals(200, anonymous.statusCode());
        assertArrayEquals(expected, anonymous.body());
        assertEquals("text/javascript; charset=utf-8", anonymous.headers().firstValue("Content-Type").orElseThrow()
                .toLowerCase(java.util.Locale.ROOT).replace(";charset", "; charset"));
        assertEquals("public, max-age=3600", anonymous.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("nosniff", anonymous.headers().firstValue("X-Content-Type-Options").orElseThrow());
        String tag = anonymous.headers().firstValue("ETag").orElseThrow();
        assertTrue(tag.matches("\"[A-Za-z0-9_-]{22}\""), tag);
        assertTrue(new String(expected, java.nio.charset.StandardCharsets.UTF_8).contains("window.Broadcaster"));

        // a signed-in user gets the very same bytes: nothing in it is the user's
        HttpResponse<byte[]> bob = HttpCalls.sendForBytes(HttpCalls.request(server.uri("sse/client.js"), "bob")
                .GET().build());
        assertEquals(200, bob.statusCode());
        assertArrayEquals(expected, bob.body());
        assertEquals(tag, bob.headers().firstValue("ETag").orElseThrow());

        // revalidation: the same tag is 304 without a body, another tag the script again
        HttpResponse<String> notModified = HttpCalls.send(HttpCalls.request(server.uri("sse/client.js"), null)
                .header("If-None-Match", tag).GET().build());
        assertEquals(304, notModified.statusCode());
        assertEquals("", notModified.body());
        assertEquals(tag, notModified.headers().firstValue("ETag").orElseThrow());
        HttpResponse<String> changed = HttpCalls.send(HttpCalls.request(server.uri("sse/client.js"), null)
                .header("If-None-Match", "\"an-older-version\"").GET().build());
        assertEquals(200, changed.statusCode());
        assertNotEquals("", changed.body());
    }

    @Test
    void onlyTheConfiguredPathServesIt() {
        // the fixed internal path is not reachable, nor a neighbour of the script's name
        assertEquals(404, HttpCalls.get(server.uri("_broadcaster-client.js"), "bob").statusCode());
        assertEquals(404, HttpCalls.get(server.uri("sse/client.js/x"), "bob").statusCode());
        assertEquals(404, HttpCalls.get(server.uri("sse/client.jsx"), "bob").statusCode());
        // POST is not a way to it either
        HttpResponse<String> post = HttpCalls.postJson(server.uri("sse/client.js"), "alice", "{}");
        assertEquals(405, post.statusCode());

        // with broadcaster.path moved or the endpoints off: ConfigurationTest
    }
}
