package dev.broadcaster.rooms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.rooms.it.support.Server;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Cross-site requests (CSRF) against the unchanged example WAR on a real server, with the headers browsers
 * send: the library's publish, kill and subscribe endpoints and admin feed, and the example's own message form
 * (guarded with {@code @SameOrigin}). Same-origin pages and clients without browser headers keep working.
 */
class CrossSiteIT extends DeployedRooms {

    static final String EVIL = "http://evil.example";
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void theReviewsCrossSiteTextPlainPublishIsRefusedAndBobGetsNothing() {
        String room = Server.room("csrf");
        try (SseStream bob = SseStream.connect(uri("sse/channels/" + room), "bob")) {
            HttpResponse<String> attack = send(post(uri("sse/channels/" + room), "alice", "text/plain",
                    "{\"type\":\"event\",\"event\":\"message\",\"data\":\"<img src=x onerror=alert(1)>\",\"pad\":\"=\"}\r\n")
                    .header("Origin", EVIL).header("Referer", EVIL + "/page").header("Sec-Fetch-Site", "cross-site"));
            assertEquals(403, attack.statusCode(), attack.body());
            assertTrue(attack.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertEquals(403, send(post(uri("sse/channels/" + room), "alice", "application/json", event("sandboxed"))
                    .header("Origin", "null")).statusCode());
            assertEquals(415, send(post(uri("sse/channels/" + room), "alice", "text/plain", event("no-origin")))
                    .statusCode(), "curl-like, but not JSON");

            HttpResponse<String> fence = send(post(uri("sse/channels/" + room), "alice", "application/json; charset=UTF-8",
                    event("fence")).header("Origin", origin()).header("Sec-Fetch-Site", "same-origin"));
            assertEquals(202, fence.statusCode(), fence.body());
            bob.awaitEvent("message", "fence");
            assertEquals(List.of("fence"), bob.events("message").stream().map(e -> e.data()).toList(), bob.raw());
        }
    }

    @Test
    void killAndDisconnectFromAnotherSiteAreRefused() {
        String room = Server.room("csrf-kill");
        try (SseStream bob = SseStream.connect(uri("sse/channels/" + room), "bob")) {
            assertEquals(403, send(request(uri("sse/channels/" + room), "alice").header("Origin", EVIL)
                    .DELETE()).statusCode());
            assertEquals(403, send(request(uri("sse/channels/" + room + "/users/bob"), "alice")
                    .header("Sec-Fetch-Site", "cross-site").DELETE()).statusCode());
            HttpResponse<String> users = HttpCalls.get(uri("sse/channels/" + room + "/users"), "alice");
            assertTrue(users.body().contains("\"bob\""), users.body());
            assertEquals(200, send(request(uri("sse/channels/" + room), "alice").header("Origin", origin())
                    .DELETE()).statusCode(), "the admin page's own DELETE");
            bob.awaitEnd();
        }
    }

    @Test
    void aCrossSiteTagCannotJoinARoomButAnEventSourceCan() {
        String room = Server.room("csrf-join");
        URI stream = uri("sse/channels/" + room);
        // each stream is opened and closed at once: before the fix a refused one would have been a stream
        assertEquals(403, openAndClose(request(stream, "bob").header("Sec-Fetch-Site", "cross-site")
                .header("Sec-Fetch-Mode", "no-cors").header("Sec-Fetch-Dest", "image")
                .header("Accept", "image/avif,image/webp,*/*;q=0.8")));
        assertEquals(403, openAndClose(request(stream, "bob").header("Sec-Fetch-Site", "cross-site")
                .header("Sec-Fetch-Dest", "empty").header("Origin", EVIL).header("Accept", "text/event-stream")));
        assertEquals(403, openAndClose(request(uri("sse/admin/events"), "alice").header("Sec-Fetch-Site", "cross-site")
                .header("Sec-Fetch-Dest", "empty")));
        // the example's own room stream carries @SameOrigin: the same refusal
        URI roomStream = uri("rooms/" + room + "/events");
        assertEquals(403, openAndClose(request(roomStream, "bob").header("Sec-Fetch-Site", "cross-site")
                .header("Sec-Fetch-Mode", "no-cors").header("Sec-Fetch-Dest", "script").header("Accept", "*/*")));
        HttpResponse<String> users = HttpCalls.get(uri("sse/channels/" + room + "/users"), "alice");
        assertTrue(!users.body().contains("\"bob\""), users.body());

        // what Chromium's EventSource sends on the page's own origin
        assertEquals(200, openAndClose(request(stream, "bob").header("Sec-Fetch-Site", "same-origin")
                .header("Sec-Fetch-Mode", "cors").header("Sec-Fetch-Dest", "empty").header("Accept", "text/event-stream")));
        assertEquals(200, openAndClose(request(roomStream, "bob").header("Sec-Fetch-Site", "same-origin")
                .header("Sec-Fetch-Mode", "cors").header("Sec-Fetch-Dest", "empty").header("Accept", "text/event-stream")));
        assertEquals(200, openAndClose(request(uri("sse/admin/events"), "alice").header("Sec-Fetch-Site", "same-origin")
                .header("Sec-Fetch-Dest", "empty").header("Accept", "text/event-stream")));
        assertEquals(200, send(request(uri("sse/admin"), "alice").header("Sec-Fetch-Site", "cross-site")
                .header("Sec-Fetch-Mode", "navigate").header("Sec-Fetch-Dest", "document").GET()).statusCode(),
                "the admin page is a navigation");
    }

    @Test
    void theExamplesMessageFormRefusesAnotherSitesPost() {
        String room = Server.room("csrf-form");
        URI messages = uri("rooms/" + room + "/messages");
        try (SseStream bob = SseStream.connect(uri("rooms/" + room + "/events"), "bob")) {
            HttpResponse<String> form = send(post(messages, "bob", "application/x-www-form-urlencoded", "text=forged")
                    .header("Origin", EVIL).header("Sec-Fetch-Site", "cross-site"));
            assertEquals(403, form.statusCode(), form.body());
            assertEquals(403, send(post(messages, "bob", "application/json", "{\"text\":\"forged\"}")
                    .header("Sec-Fetch-Site", "cross-site")).statusCode());
            assertEquals(403, send(post(messages, "bob", "application/x-www-form-urlencoded", "text=forged")
                    .header("Referer", EVIL + "/")).statusCode());

            assertEquals(204, send(post(messages, "bob", "application/x-www-form-urlencoded", "text=mine")
                    .header("Origin", origin()).header("Sec-Fetch-Site", "same-origin")).statusCode());
            assertEquals(204, send(post(messages, "bob", "application/json", "{\"text\":\"datastar\"}")
                    .header("Origin", origin())).statusCode());
            assertEquals(204, HttpCalls.postForm(messages, "bob", "text", "curl").statusCode(), "no browser headers");
            bob.awaitEvent(e -> e.data().contains("bob</span>: curl"), "the third message");
            assertTrue(bob.events().stream().noneMatch(e -> e.data().contains("forged")), bob.raw());
        }
    }

    // ---------------------------------------------------------------------------------------------

    private String origin() {
        return base.getProtocol() + "://" + base.getHost() + ":" + base.getPort();
    }

    private static String event(String data) {
        return "{\"type\":\"event\",\"event\":\"message\",\"data\":\"" + data + "\"}";
    }

    private static HttpRequest.Builder post(URI uri, String user, String contentType, String body) {
        return request(uri, user).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    private static HttpRequest.Builder request(URI uri, String user) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Authorization", HttpCalls.basic(user));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        return HttpCalls.send(request.build());
    }

    /** Opens a stream, returns its status and closes it at once (the tab goes away). */
    private static int openAndClose(HttpRequest.Builder request) {
        try {
            HttpResponse<InputStream> response = CLIENT.send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            response.body().close();
            return response.statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
