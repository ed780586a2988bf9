package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.ServerBean;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.SecurityContext;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@InProcessServer(beans = SecurityTest.OwnChannelsAuthorizer.class)
class SecurityTest {

    /** The application's authorizer: channels named {@code private-<user>} are for that user alone. */
    @ApplicationScoped
    public static class OwnChannelsAuthorizer implements ChannelAuthorizer {
        @Override
        public boolean mayJoin(String channel, String user, SecurityContext security) {
            return !channel.startsWith("private-") || channel.equals("private-" + user);
        }
    }

    static TestServer server; // started by @InProcessServer
    @ServerBean
    static ChannelRegistry registry;

    @Test
    void anonymousSubscriberGets401WithAChallenge() {
        try (SseStream anonymous = SseStream.open(server.channel("lobby"), null)) {
            assertEquals(401, anonymous.status());
            assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
        }
        assertEquals(0, registry.connections("lobby").size());
    }

    @Test
    void authorizerRefusalGives403AndNoStream() {
        try (SseStream intruder = SseStream.open(server.channel("private-carol"), "bob")) {
            assertEquals(403, intruder.status());
        }
        assertEquals(List.of(), registry.users("private-carol"));
        try (SseStream owner = SseStream.connect(server.channel("private-carol"), "carol")) {
            assertEquals(List.of("carol"), registry.users("private-carol"));
        }
    }

    @Test
    void malformedChannelNamesGet400SayingWhatIsAllowed() {
        for (String bad : List.of("with%20space", "semi%3Bcolon", "%0Anewline", "x".repeat(129), "%C3%A9t%C3%A9")) {
            try (SseStream stream = SseStream.open(server.channel(bad), "bob")) {
                assertEquals(400, stream.status(), bad);
                assertTrue(stream.errorBody().contains("1 to 128 characters of letters, digits and - _ . : @"),
                        stream.errorBody());
            }
            assertEquals(400, HttpCalls.postJson(server.channel(bad), "alice", "{\"type\":\"event\",\"event\":\"e\",\"data\":\"d\"}")
                    .statusCode());
        }
        String longest = "A-z_0.9:@" + "x".repeat(119);
        try (SseStream accepted = SseStream.connect(server.channel(longest), "bob")) {
            assertEquals(List.of("bob"), registry.users(longest));
        }
        assertThrows(IllegalArgumentException.class, () -> registry.broadcast("no spaces", SseEvent.data("x")));
    }

    @Test
    void eventNamesAndIdsThatCouldForgeFieldsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SseEvent.named("chat\ndata: forged", "x"));
        assertThrows(IllegalArgumentException.class, () -> SseEvent.named("chat\r", "x"));
        assertThrows(IllegalArgumentException.class, () -> SseEvent.data("x").withId("1\u0000"));
        try (SseStream tab = SseStream.connect(server.channel("guarded"), "bob")) {
            for (String body : List.of(
                    "{\"type\":\"event\",\"event\":\"chat\\ndata: forged\",\"data\":\"x\"}",
                    "{\"type\":\"event\",\"event\":\"chat\",\"eventId\":\"1\\r\\nevent: forged\",\"data\":\"x\"}",
                    "{\"type\":\"patchSignals\",\"signals\":{},\"eventId\":\"a\\u0000b\"}")) {
                var response = HttpCalls.postJson(server.channel("guarded"), "alice", body);
                assertEquals(400, response.statusCode(), body);
                assertTrue(response.body().contains("must not contain CR, LF or NUL"), response.body());
            }
            HttpCalls.postJson(server.channel("guarded"), "alice",
                    "{\"type\":\"event\",\"event\":\"chat\",\"data\":\"line\\n\\nevent: forged\\r\\ndata: evil\\rid: 9\"}");
            EventStreamParser.Event only = tab.awaitEvents(1).get(0);
            assertEquals("chat", only.type());
            assertEquals("line\n\nevent: forged\ndata: evil\nid: 9", only.data());
            registry.broadcast("guarded", SseEvent.data("after"));
            assertEquals(2, tab.awaitEvents(2).size(), "no forged event in between: " + tab.raw());
        }
    }

    @Test
    void publishingNeedsThePublisherRoleAndAdministrationTheAdminRole() {
        String body = "{\"type\":\"event\",\"event\":\"e\",\"data\":\"d\"}";
        assertEquals(401, HttpCalls.postJson(server.channel("lobby"), null, body).statusCode());
        assertEquals(403, HttpCalls.postJson(server.channel("lobby"), "bob", body).statusCode());
        assertEquals(202, HttpCalls.postJson(server.channel("lobby"), "alice", body).statusCode());
        for (String path : List.of("sse/channels", "sse/channels/lobby/users", "sse/status")) {
            assertEquals(401, HttpCalls.get(server.uri(path), null).statusCode(), path);
            assertEquals(403, HttpCalls.get(server.uri(path), "bob").statusCode(), path);
            assertEquals(200, HttpCalls.get(server.uri(path), "alice").statusCode(), path);
        }
        assertEquals(403, HttpCalls.delete(server.uri("sse/channels/lobby"), "bob").statusCode());
        assertEquals(403, HttpCalls.delete(server.uri("sse/channels/lobby/users/carol"), "bob").statusCode());
    }

    @Test
    void eachCallIsJudgedAsItsOwnCallerWhileOtherUsersCallAtTheSameTime() throws Exception {
        // the built-in endpoints are one instance for every call: who calls must come from each call's own request
        String body = "{\"type\":\"event\",\"event\":\"e\",\"data\":\"d\"}";
        List<String> callers = List.of("alice", "bob", "anonymous");
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            for (String caller : callers) {
                String user = caller.equals("anonymous") ? null : caller;
                int expected = switch (caller) {
                    case "alice" -> 202;
                    case "bob" -> 403;
                    default -> 401;
                };
                calls.add(HttpCalls.sendAsync(HttpCalls.request(server.channel("crowd"), user)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build())
                        .thenApply(response -> response.statusCode() == expected ? ""
                                : caller + " got " + response.statusCode() + ", not " + expected));
            }
        }
        List<String> wrong = new ArrayList<>();
        for (CompletableFuture<String> call : calls) {
            String outcome = call.get(30, TimeUnit.SECONDS);
            if (!outcome.isEmpty()) {
                wrong.add(outcome);
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void theInternalEndpointPathIsNotReachableDirectly() {
        assertEquals(404, HttpCalls.get(server.uri("_broadcaster/status"), "alice").statusCode());
    }
}
