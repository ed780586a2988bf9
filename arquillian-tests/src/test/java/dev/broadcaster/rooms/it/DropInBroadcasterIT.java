package dev.broadcaster.rooms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The example's news ticker ({@code NewsResource}): JAX-RS code written for {@code sse.newBroadcaster()} on the
 * library's {@code SseBroadcaster} view, on the real server (RESTEasy on Liberty, Jersey on Payara). Its streams are
 * the channel's connections, registered as the request's user and resumed from its {@code Last-Event-ID}.
 */
class DropInBroadcasterIT extends DeployedRooms {

    @Test
    void aTickerWrittenForSseBroadcasterRegistersTheRequestsUserAndResumesFromItsLastEventId() {
        String missedSince;
        try (SseStream bob = SseStream.connect(uri("news"), "bob")) {
            assertEquals(202, publish("alice", "first").statusCode());
            bob.awaitEvent("headline", "first");
            missedSince = bob.lastEventId();
            assertTrue(!missedSince.isEmpty(), "the headline got the channel's id: " + bob.raw());
            // the stream is the channel's connection of the request's user
            HttpResponse<String> users = HttpCalls.get(uri("sse/channels/news/users"), "alice");
            assertEquals(200, users.statusCode(), users.body());
            assertTrue(users.body().contains("\"bob\""), users.body());
        }
        assertEquals(202, publish("alice", "while away").statusCode());
        assertEquals(403, publish("carol", "not a publisher").statusCode());
        try (SseStream again = SseStream.connect(uri("news"), "bob", missedSince)) {
            again.awaitEvent("headline", "while away");
            assertEquals(1, again.events("headline").size(), "only the missed headline: " + again.raw());
        }
    }

    private HttpResponse<String> publish(String user, String headline) {
        return HttpCalls.send(HttpCalls.request(uri("news"), user).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(headline, StandardCharsets.UTF_8)).build());
    }
}
