package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.RawHttp;
import dev.broadcaster.support.ServerBean;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cross-site requests (CSRF) to the built-in endpoints and to an application's own {@link SameOrigin}
 * endpoints, over real HTTP with the headers browsers send: the review's attack (a cross-site
 * {@code text/plain} form posting JSON) is refused with nothing delivered; same-origin pages, allowed
 * origins and clients without browser headers (curl) keep working.
 */
@InProcessServer(config = "broadcaster.allowed-origins=" + CrossSiteTest.ALLOWED + ", http://localhost:8080",
        resources = {CrossSiteTest.AppResource.class, CrossSiteTest.GuardedResource.class})
class CrossSiteTest {

    static final String ALLOWED = "https://app.example.org";
    static final String EVIL = "http://evil.example";
    static final String XSS = "{\"type\":\"event\",\"event\":\"message\",\"data\":\"<img src=x onerror=alert(1)>\",\"pad\":\"=\"}\r\n";

    /** An application's own endpoints: some guarded with {@link SameOrigin}, one not. */
    @Path("app")
    public static class AppResource {
        @POST
        @Path("notes")
        @SameOrigin
        public String post(String body) {
            return "posted";
        }

        @POST
        @Path("unguarded")
        public String unguarded(String body) {
            return "posted";
        }

        @GET
        @Path("page")
        @SameOrigin
        @Produces(MediaType.TEXT_HTML)
        public String page() {
            return "<p>page</p>";
        }

        @GET
        @Path("stream")
        @SameOrigin
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void stream(@Context SseEventSink sink, @Context Sse sse) {
            try (sink) {
                sink.send(sse.newEvent("hello"));
            }
        }
    }

    /** A class guarded as a whole. */
    @Path("guarded")
    @SameOrigin
    public static class GuardedResource {
        @DELETE
        public String delete() {
            return "deleted";
        }
    }

    static TestServer server; // started by @InProcessServer
    @ServerBean
    static ChannelRegistry registry;
    RawHttp http;

    @BeforeEach
    void connect() {
        http = new RawHttp(server.base());
    }

    @AfterEach
    void disconnect() {
        http.close();
    }

    // ---- point 1: publish, kill, disconnect ------------------------------------------------------

    @Test
    void theReviewsCrossSiteTextPlainPublishIsRefusedAndNothingIsDelivered() {
        try (SseStream bob = SseStream.connect(server.uri("sse/channels/csrf-lobby"), "bob")) {
            RawHttp.Response attack = post("/sse/channels/csrf-lobby", "alice", XSS,
                    "Origin: " + EVIL, "Referer: " + EVIL + "/page", "Sec-Fetch-Site: cross-site", "Content-Type: text/plain");
            assertEquals(403, attack.status(), attack.text());
            assertTrue(attack.header("Content-Type").startsWith("text/plain"), attack.header("Content-Type"));
            assertTrue(attack.text().contains("cross-site"), attack.text());

            // the same page in Chrome's sandboxed iframe sends Origin: null
            assertEquals(403, post("/sse/channels/csrf-lobby", "alice", json("sandboxed"), "Origin: null",
                    "Content-Type: application/json").status());

            assertEquals(202, HttpCalls.postJson(server.uri("sse/channels/csrf-lobby"), "alice", json("fence")).statusCode());
            bob.awaitData("fence");
            assertEquals(List.of("fence"), bob.events().stream().map(e -> e.data()).toList(), bob.raw());
        }
    }

    @Test
    void aPublishFromAnotherOriginIsRefusedWhateverItsContentType() {
        for (String origin : List.of(EVIL, "http://127.0.0.1:1", "https://" + http.host(), "http://app.example.org",
                "https://app.example.org:8443", "not an origin", "http://" + http.host() + "/path")) {
            RawHttp.Response response = post("/sse/channels/csrf-origins", "alice", json("x"),
                    "Origin: " + origin, "Content-Type: application/json");
            assertEquals(403, response.status(), origin + ": " + response.text());
        }
    }

    @Test
    void withoutOriginFetchMetadataOrRefererDecide() {
        for (String header : List.of("Sec-Fetch-Site: cross-site", "Sec-Fetch-Site: same-site",
                "Referer: " + EVIL + "/page", "Referer: http://" + http.host() + ".evil.example/",
                "Referer: garbage")) {
            RawHttp.Response response = post("/sse/channels/csrf-metadata", "alice", json("x"), header,
                    "Content-Type: application/json");
            assertEquals(403, response.status(), header + ": " + response.text());
        }
        for (String header : List.of("Sec-Fetch-Site: same-origin", "Sec-Fetch-Site: none",
                "Referer: http://" + http.host() + "/rooms/lobby", "Referer: " + ALLOWED + "/page")) {
            RawHttp.Response response = post("/sse/channels/csrf-metadata", "alice", json("x"), header,
                    "Content-Type: application/json");
            assertEquals(202, response.status(), header + ": " + response.text());
        }
    }

    @Test
    void theRequestsOwnOriginAndAllowedOriginsArePublishedNormalised() {
        for (String origin : List.of(http.origin(), "HTTP://" + http.host().toUpperCase(), ALLOWED,
                "https://APP.example.org:443", "http://localhost:8080")) {
            RawHttp.Response response = post("/sse/channels/csrf-allowed", "alice", json("x"),
                    "Origin: " + origin, "Sec-Fetch-Site: cross-site", "Content-Type: application/json");
            assertEquals(202, response.status(), origin + ": " + response.text());
        }
        // "own" is the origin the request was addressed to, as the server sees it (its Host header)
        RawHttp.Response viaOtherName = post("/sse/channels/csrf-allowed", "alice", json("x"),
                "Host: broadcaster.test:" + server.base().getPort(),
                "Origin: http://broadcaster.test:" + server.base().getPort(), "Content-Type: application/json");
        assertEquals(202, viaOtherName.status(), viaOtherName.text());
        RawHttp.Response otherHost = post("/sse/channels/csrf-allowed", "alice", json("x"),
                "Host: broadcaster.test:" + server.base().getPort(), "Origin: " + http.origin(),
                "Content-Type: application/json");
        assertEquals(403, otherHost.status(), otherHost.text());
    }

    @Test
    void aRequestWithoutBrowserHeadersIsAllowedLikeCurl() {
        RawHttp.Response response = post("/sse/channels/csrf-curl", "alice", json("x"), "Content-Type: application/json");
        assertEquals(202, response.status(), response.text());
    }

    @Test
    void publishAcceptsOnlyJsonAndAnythingElseIs415() {
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "application/jsonx", "application/xml", "text/json")) {
            RawHttp.Response response = post("/sse/channels/csrf-types", "alice", json("x"), "Content-Type: " + type);
            assertEquals(415, response.status(), type + ": " + response.text());
            assertTrue(response.header("Content-Type").startsWith("text/plain"), type);
        }
        assertEquals(415, post("/sse/channels/csrf-types", "alice", json("x")).status(), "no Content-Type");
        for (String type : List.of("application/json", "application/json; charset=UTF-8", "Application/JSON;charset=utf-8")) {
            RawHttp.Response response = post("/sse/channels/csrf-types", "alice", json("x"), "Content-Type: " + type);
            assertEquals(202, response.status(), type + ": " + response.text());
        }
    }

    @Test
    void killAndDisconnectFromAnotherSiteAreRefusedAndTheStreamsStayOpen() {
        try (SseStream bob = SseStream.connect(server.uri("sse/channels/csrf-admin"), "bob")) {
            assertEquals(403, http.send("DELETE", "/sse/channels/csrf-admin", "alice", null,
                    List.of("Origin: " + EVIL)).status());
            assertEquals(403, http.send("DELETE", "/sse/channels/csrf-admin/users/bob", "alice", null,
                    List.of("Sec-Fetch-Site: cross-site")).status());
            assertEquals(List.of("bob"), registry.users("csrf-admin"));
            // the admin page's own DELETE (same origin) works
            RawHttp.Response kill = http.send("DELETE", "/sse/channels/csrf-admin", "alice", null,
                    List.of("Origin: " + http.origin(), "Sec-Fetch-Site: same-origin"));
            assertEquals(200, kill.status(), kill.text());
            bob.awaitEnd();
        }
    }

    // ---- point 2: subscribe ----------------------------------------------------------------------

    @Test
    void aCrossSiteImageOrScriptTagCannotJoinAChannel() {
        for (List<String> headers : List.of(
                List.of("Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: no-cors", "Sec-Fetch-Dest: image",
                        "Accept: image/avif,image/webp,*/*;q=0.8"),
                List.of("Sec-Fetch-Site: same-origin", "Sec-Fetch-Mode: no-cors", "Sec-Fetch-Dest: script"),
                List.of("Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: cors", "Sec-Fetch-Dest: empty",
                        "Origin: " + EVIL, "Accept: text/event-stream"),
                List.of("Sec-Fetch-Site: same-site", "Sec-Fetch-Dest: empty", "Accept: text/event-stream"),
                List.of("Sec-Fetch-Site: cross-site", "Sec-Fetch-Dest: iframe"))) {
            RawHttp.Response response = http.send("GET", "/sse/channels/csrf-joined", "bob", null, headers);
            assertEquals(403, response.status(), headers + ": " + response.text());
        }
        assertEquals(List.of(), registry.users("csrf-joined"), "nobody joined");
        assertTrue(registry.channels().stream().noneMatch(c -> c.name().equals("csrf-joined")), "no channel created");
    }

    @Test
    void anEventSourceOfTheSameOriginAnAllowedOriginOrWithoutFetchMetadataJoins() throws Exception {
        List<List<String>> allowed = List.of(
                List.of("Sec-Fetch-Site: same-origin", "Sec-Fetch-Mode: cors", "Sec-Fetch-Dest: empty"),
                List.of("Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: cors", "Sec-Fetch-Dest: empty", "Origin: " + ALLOWED),
                List.of());
        for (List<String> headers : allowed) {
            try (RawSubscriber tab = RawSubscriber.open(server, "/sse/channels/csrf-eventsource", headers)) {
                assertTrue(tab.head().startsWith("HTTP/1.1 200"), headers + ": " + tab.head());
                Eventually.equalTo(List.of("bob"), () -> registry.users("csrf-eventsource"), "bob in presence");
            }
            Eventually.equalTo(List.of(), () -> registry.users("csrf-eventsource"), "bob gone");
        }
    }

    @Test
    void theAdminFeedRefusesCrossSiteButTheAdminPageStaysANavigation() {
        assertEquals(403, http.send("GET", "/sse/admin/events", "alice", null,
                List.of("Sec-Fetch-Site: cross-site", "Sec-Fetch-Dest: empty", "Origin: " + EVIL)).status());
        assertEquals(403, http.send("GET", "/sse/admin/events", "alice", null,
                List.of("Sec-Fetch-Site: same-origin", "Sec-Fetch-Dest: image")).status());
        for (String site : List.of("same-origin", "cross-site", "none")) {
            RawHttp.Response page = http.send("GET", "/sse/admin", "alice", null,
                    List.of("Sec-Fetch-Site: " + site, "Sec-Fetch-Mode: navigate", "Sec-Fetch-Dest: document"));
            assertEquals(200, page.status(), site);
        }
    }

    // ---- the annotation on an application's endpoints --------------------------------------------

    @Test
    void sameOriginGuardsAnApplicationsOwnMethodsAndClasses() {
        assertEquals(403, post("/app/notes", "bob", "x", "Origin: " + EVIL, "Content-Type: text/plain").status());
        assertEquals(403, post("/app/notes", "bob", "x", "Sec-Fetch-Site: cross-site").status());
        assertEquals(200, post("/app/notes", "bob", "x", "Origin: " + http.origin(), "Content-Type: text/plain").status());
        assertEquals(200, post("/app/notes", "bob", "x", "Content-Type: text/plain").status());
        assertEquals(200, post("/app/unguarded", "bob", "x", "Origin: " + EVIL, "Content-Type: text/plain").status(),
                "a method without the annotation is not checked");

        assertEquals(403, http.send("DELETE", "/guarded", "bob", null, List.of("Origin: " + EVIL)).status());
        assertEquals(200, http.send("DELETE", "/guarded", "bob", null, List.of("Origin: " + ALLOWED)).status());

        assertEquals(403, http.send("GET", "/app/stream", "bob", null,
                List.of("Sec-Fetch-Site: cross-site", "Sec-Fetch-Dest: empty")).status());
        assertEquals(403, http.send("GET", "/app/stream", "bob", null, List.of("Sec-Fetch-Dest: image")).status());
        assertEquals(200, http.send("GET", "/app/stream", "bob", null,
                List.of("Sec-Fetch-Site: same-origin", "Sec-Fetch-Dest: empty")).status());
        assertEquals(200, http.send("GET", "/app/page", "bob", null,
                List.of("Sec-Fetch-Site: cross-site", "Sec-Fetch-Dest: document")).status(), "a page is a navigation");
    }

    // ---------------------------------------------------------------------------------------------

    static String json(String data) {
        return "{\"type\":\"event\",\"event\":\"message\",\"data\":\"" + data + "\"}";
    }

    RawHttp.Response post(String path, String user, String body, String... headers) {
        return http.send("POST", path, user, body.getBytes(StandardCharsets.UTF_8), List.of(headers));
    }

    /** A subscriber on a raw socket (so any header can be sent) that reads the response head, then closes. */
    static final class RawSubscriber implements AutoCloseable {
        private final java.net.Socket socket;
        private final String head;

        private RawSubscriber(java.net.Socket socket, String head) {
            this.socket = socket;
            this.head = head;
        }

        static RawSubscriber open(TestServer server, String path, List<String> headers) throws Exception {
            java.net.Socket socket = new java.net.Socket(server.base().getHost(), server.base().getPort());
            socket.setSoTimeout(10_000);
            List<String> lines = new ArrayList<>(List.of("GET " + path + " HTTP/1.1",
                    "Host: " + server.base().getHost() + ":" + server.base().getPort(),
                    "Accept: text/event-stream",
                    "Authorization: " + HttpCalls.basic("bob", "bob-pw")));
            lines.addAll(headers);
            socket.getOutputStream().write((String.join("\r\n", lines) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            StringBuilder head = new StringBuilder();
            var in = socket.getInputStream();
            while (head.indexOf("\r\n\r\n") < 0) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                head.append((char) c);
            }
            return new RawSubscriber(socket, head.toString());
        }

        String head() {
            return head;
        }

        @Override
        public void close() throws Exception {
            socket.setSoLinger(true, 0);
            socket.close();
        }
    }
}
