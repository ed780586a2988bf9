package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.ServerBean;
import dev.broadcaster.support.TestServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * htmx 4's {@code hx-sse} (fetch, {@code HX-Request: true}) retries a refused stream forever; a refusal that retrying
 * does not change reaches it as a 200 stream of one {@code stop} event instead, which its page binds with
 * {@code hx-sse:close="stop"}. Everything else keeps its status.
 */
@InProcessServer(beans = SecurityTest.OwnChannelsAuthorizer.class)
class HtmxRefusedStreamTest {

    static TestServer server; // started by @InProcessServer
    @ServerBean
    static ChannelRegistry registry;

    @Test
    void aForbiddenHtmx4StreamIsOneStopEventAndNothingJoins() {
        HttpResponse<String> refused = asHtmx4(server.channel("private-carol"), "bob");
        assertStop(refused, 403);
        assertEquals(List.of(), registry.users("private-carol"));

        // an EventSource (no HX-Request) stops on the 403 by itself: it keeps it
        HttpResponse<String> plain = HttpCalls.send(HttpCalls.request(server.channel("private-carol"), "bob")
                .header("Accept", "text/event-stream").GET().build());
        assertEquals(403, plain.statusCode());
    }

    @Test
    void aStreamOfSeveralChannelsRefusedForOneOrForItsQueryIsAStopToo() {
        assertStop(asHtmx4(server.uri("sse/stream?channel=lobby&channel=private-carol"), "bob"), 403);
        assertStop(asHtmx4(server.uri("sse/stream?channel=lobby&channel=lobby"), "bob"), 400);
        assertStop(asHtmx4(server.channel("with%20space"), "bob"), 400);
        assertEquals(List.of(), registry.users("lobby"));
    }

    @Test
    void refusalsWorthRetryingAndOtherResourcesKeepTheirStatus() {
        // 401: the client may sign in again
        HttpResponse<String> anonymous = asHtmx4(server.channel("lobby"), null);
        assertEquals(401, anonymous.statusCode());
        assertTrue(anonymous.headers().firstValue("WWW-Authenticate").isPresent());
        // a refused publish is not a stream: htmx handles its 403 as any other request's
        HttpResponse<String> publish = HttpCalls.send(HttpCalls.request(server.channel("lobby"), "bob")
                .header("HX-Request", "true").header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"type\":\"event\",\"data\":\"x\"}"))
                .build());
        assertEquals(403, publish.statusCode());
        assertTrue(publish.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    }

    /** GET {@code uri} as htmx 4's hx-sse does: HX-Request, and text/event-stream added to the Accept. */
    private static HttpResponse<String> asHtmx4(URI uri, String user) {
        return HttpCalls.send(HttpCalls.request(uri, user).header("HX-Request", "true")
                .header("Accept", "text/html, text/event-stream").GET().build());
    }

    /** The response is a 200 stream of exactly one {@code stop} event naming {@code status} and a reason. */
    private static void assertStop(HttpResponse<String> response, int status) {
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"),
                response.headers().toString());
        List<EventStreamParser.Event> events = new EventStreamParser().feed(response.body());
        assertEquals(1, events.size(), response.body());
        assertEquals("stop", events.get(0).type());
        JsonObject data = Json.createReader(new StringReader(events.get(0).data())).readObject();
        assertEquals(status, data.getInt("status"), data.toString());
        assertTrue(!data.getString("reason").isBlank(), data.toString());
    }
}
