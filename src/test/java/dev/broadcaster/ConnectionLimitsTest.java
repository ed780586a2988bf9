package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.KnownClusterBug;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.StringReader;
import java.net.URI;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, point 4: per-user (anonymous: per client address), per-node connection limits and a channel limit,
 * each refused with 429 and {@code Retry-After}, counted in {@code stats()} and {@code /sse/status}.
 */
class ConnectionLimitsTest {

    /** An application's own subscribe resource, which passes the client's address it trusts to the registry. */
    @Path("own")
    @RequestScoped
    public static class OwnSubscribe {
        @Inject
        ChannelRegistry registry;

        @GET
        @Path("{channel}")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void subscribe(@PathParam("channel") String channel, @QueryParam("from") String address,
                              @QueryParam("as") String name, @Context SecurityContext security,
                              @Context SseEventSink sink, @Context Sse sse) {
            // "as" stands in for a login: a real principal, e.g. one named "anonymous"
            SecurityContext who = name == null ? security : principal(name);
            registry.connect(channel, who, sink, sse, ConnectOptions.defaults().withClientAddress(address));
        }

        static SecurityContext principal(String name) {
            Principal principal = () -> name;
            return new SecurityContext() {
                public Principal getUserPrincipal() {
                    return principal;
                }

                public boolean isUserInRole(String role) {
                    return false;
                }

                public boolean isSecure() {
                    return false;
                }

                public String getAuthenticationScheme() {
                    return BASIC_AUTH;
                }
            };
        }
    }

    static TestServer server(String... settings) {
        TestServer.Builder builder = TestServer.builder().beans(OwnSubscribe.class).resources(OwnSubscribe.class);
        for (int i = 0; i < settings.length; i += 2) {
            builder.config(settings[i], settings[i + 1]);
        }
        return builder.start();
    }

    static void assertTooManyRequests(SseStream refused, String reasonPart) {
        assertEquals(429, refused.status(), refused.errorBody());
        assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        assertEquals("5", refused.headers().firstValue("Retry-After").orElse(null), "Retry-After");
        assertTrue(refused.errorBody().contains(reasonPart), refused.errorBody());
    }

    static JsonObject status(TestServer server) {
        return Json.createReader(new StringReader(HttpCalls.get(server.uri("sse/status"), "alice").body())).readObject();
    }

    @Test
    void aUserBeyondMaxConnectionsPerUserGets429WithRetryAfterOthersDoNot() {
        try (TestServer server = server("broadcaster.max-connections-per-user", "3")) {
            ChannelRegistry registry = server.bean(ChannelRegistry.class);
            List<SseStream> bobs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                bobs.add(SseStream.connect(server.uri("sse/channels/room-" + (i % 2)), "bob"));
            }
            SseStream refused = SseStream.open(server.uri("sse/channels/room-2"), "bob");
            assertTooManyRequests(refused, "broadcaster.max-connections-per-user");
            assertEquals(3, registry.connectionCount(), "nothing registered for the refused stream");
            assertTrue(registry.channels().stream().noneMatch(c -> c.name().equals("room-2")), "no channel for it");
            try (SseStream carol = SseStream.connect(server.uri("sse/channels/room-0"), "carol")) {
                assertEquals(1, registry.stats().refusedConnections());
                assertEquals(1, status(server).getInt("refusedConnections"));
                // once one of bob's tabs has gone, bob may open another
                bobs.remove(0).close();
                Eventually.equalTo(3, registry::connectionCount, "bob's closed tab noticed");
                bobs.add(SseStream.connect(server.uri("sse/channels/room-2"), "bob"));
            } finally {
                bobs.forEach(SseStream::close);
            }
        }
    }

    @Test
    void aBurstOfConcurrentConnectsAdmitsExactlyTheLimit() throws Exception {
        try (TestServer server = server("broadcaster.max-connections-per-user", "10")) {
            int attempts = 40;
            ExecutorService pool = Executors.newFixedThreadPool(attempts);
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<SseStream>> opened = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                String channel = "burst-" + (i % 4);
                opened.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return SseStream.open(server.uri("sse/channels/" + channel), "bob");
                }, pool));
            }
            go.countDown();
            List<SseStream> streams = new ArrayList<>();
            for (CompletableFuture<SseStream> future : opened) {
                streams.add(future.get(30, TimeUnit.SECONDS));
            }
            pool.shutdown();
            try {
                assertEquals(10, streams.stream().filter(s -> s.status() == 200).count(), "admitted");
                assertEquals(30, streams.stream().filter(s -> s.status() == 429).count(), "refused");
                assertEquals(10, server.bean(ChannelRegistry.class).connectionCount());
                assertEquals(30, server.bean(ChannelRegistry.class).stats().refusedConnections());
            } finally {
                streams.forEach(SseStream::close);
            }
        }
    }

    @Test
    void theNodeLimitRefusesEveryoneButAdminPagesStillOpen() {
        try (TestServer server = server("broadcaster.max-connections", "3")) {
            List<SseStream> open = new ArrayList<>();
            try {
                for (String user : List.of("bob", "carol", "dave")) {
                    open.add(SseStream.connect(server.uri("sse/channels/full"), user));
                }
                assertTooManyRequests(SseStream.open(server.uri("sse/channels/full"), "alice"),
                        "broadcaster.max-connections");
                // the admin page's own feed is not a connection of the registry: it still opens
                open.add(SseStream.connect(server.uri("sse/admin/events"), "alice"));
                assertEquals(1, server.bean(ChannelRegistry.class).stats().refusedConnections());
            } finally {
                open.forEach(SseStream::close);
            }
        }
    }

    @KnownClusterBug("cluster listings merge anonymous clients with a user named anonymous (ConnectionInfo has no flag)")
    @Test
    void anonymousClientsAreCountedPerAddressAndApartFromAUserNamedAnonymous() {
        try (TestServer server = server("broadcaster.max-connections-per-user", "2",
                "broadcaster.allow-anonymous", "true")) {
            ChannelRegistry registry = server.bean(ChannelRegistry.class);
            URI fromA = server.uri("own/lobby?from=192.0.2.1");
            URI fromB = server.uri("own/lobby?from=192.0.2.2");
            List<SseStream> open = new ArrayList<>();
            try {
                open.add(SseStream.connect(fromA, null));
                open.add(SseStream.connect(fromA, null));
                assertTooManyRequests(SseStream.open(fromA, null), "broadcaster.max-connections-per-user");
                open.add(SseStream.connect(fromB, null));
                open.add(SseStream.connect(fromB, null));
                // a real principal named "anonymous" has a budget of its own (and is its own user in presence)
                open.add(SseStream.connect(server.uri("own/lobby?as=anonymous&from=192.0.2.1"), null));
                open.add(SseStream.connect(server.uri("own/lobby?as=anonymous&from=192.0.2.1"), null));
                assertTooManyRequests(SseStream.open(server.uri("own/lobby?as=anonymous&from=192.0.2.1"), null),
                        "broadcaster.max-connections-per-user");
                assertEquals(6, registry.connectionCount());
                assertEquals(2, registry.distinctUsers("lobby").size(), registry.distinctUsers("lobby").toString());
            } finally {
                open.forEach(SseStream::close);
            }
        }
    }

    @Test
    void aNewChannelBeyondMaxChannelsIs429AndCreateThrowsTheSame() {
        try (TestServer server = server("broadcaster.max-channels", "3")) {
            ChannelRegistry registry = server.bean(ChannelRegistry.class);
            registry.create("made", null);
            List<SseStream> open = new ArrayList<>();
            try {
                open.add(SseStream.connect(server.uri("sse/channels/one"), "bob"));
                open.add(SseStream.connect(server.uri("sse/channels/two"), "bob"));
                assertTooManyRequests(SseStream.open(server.uri("sse/channels/three"), "bob"), "broadcaster.max-channels");
                // the application's own resource gets the same refusal from connect
                assertTooManyRequests(SseStream.open(server.uri("own/three"), "bob"), "broadcaster.max-channels");
                ClientErrorException thrown = assertThrows(ClientErrorException.class,
                        () -> registry.create("four", null));
                assertEquals(429, thrown.getResponse().getStatus());
                // existing channels still take connections
                open.add(SseStream.connect(server.uri("sse/channels/one"), "carol"));
                open.add(SseStream.connect(server.uri("sse/channels/made"), "carol"));
                assertEquals(4, registry.connectionCount());
                assertEquals(3, registry.stats().refusedChannels());
                assertEquals(3, status(server).getInt("refusedChannels"));
                assertEquals(0, registry.stats().refusedConnections());
            } finally {
                open.forEach(SseStream::close);
            }
        }
    }
}
