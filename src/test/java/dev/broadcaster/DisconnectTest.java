package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.spi.CDI;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DisconnectTest {

    static TestServer server;
    static ChannelRegistry registry;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        registry = server.bean(ChannelRegistry.class);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static URI channel(String name) {
        return server.uri("sse/channels/" + name);
    }

    @Test
    void killEndsEveryStreamOfThatChannelAndNoOther() {
        try (SseStream bob = SseStream.connect(channel("doomed"), "bob");
             SseStream carol = SseStream.connect(channel("doomed"), "carol");
             SseStream elsewhere = SseStream.connect(channel("survivor"), "bob")) {
            registry.broadcast("doomed", SseEvent.data("before the end"));
            var response = HttpCalls.delete(server.uri("sse/channels/doomed"), "alice");
            assertEquals(200, response.statusCode());
            assertEquals("{\"closed\":2}", response.body());
            bob.awaitEnd();
            carol.awaitEnd();
            assertEquals("before the end", bob.events().get(bob.events().size() - 1).data(),
                    "events sent before the kill still arrive");
            assertFalse(registry.channels().stream().anyMatch(c -> c.name().equals("doomed")));
            registry.broadcast("survivor", SseEvent.data("still here"));
            elsewhere.awaitData("still here");
            assertFalse(elsewhere.ended());
        }
    }

    @Test
    void disconnectEndsAllTabsOfOneUserAndUpdatesPresence() {
        registry.create("kick-room", PresenceRenderer.html((c, users) -> "<p id=\"who\">" + users + "</p>"));
        try (SseStream bob1 = SseStream.connect(channel("kick-room"), "bob");
             SseStream bob2 = SseStream.connect(channel("kick-room"), "bob");
             SseStream carol = SseStream.connect(channel("kick-room"), "carol")) {
            carol.awaitData("elements <p id=\"who\">[bob, carol]</p>");
            var response = HttpCalls.delete(server.uri("sse/channels/kick-room/users/bob"), "alice");
            assertEquals("{\"closed\":2}", response.body());
            bob1.awaitEnd();
            bob2.awaitEnd();
            carol.awaitData("elements <p id=\"who\">[carol]</p>");
            assertFalse(carol.ended());
            assertEquals(List.of("carol"), registry.users("kick-room"));
        }
    }

    @Test
    void disconnectEventFromAnyBeanClosesTheUsersTabs() {
        try (SseStream bob = SseStream.connect(channel("cdi-kick"), "bob");
             SseStream carol = SseStream.connect(channel("cdi-kick"), "carol")) {
            Event<Disconnect> disconnects = CDI.current().getBeanManager().getEvent().select(Disconnect.class);
            disconnects.fire(Disconnect.user("cdi-kick", "carol"));
            carol.awaitEnd();
            disconnects.fireAsync(Disconnect.everyone("cdi-kick"));
            bob.awaitEnd();
            assertEquals(List.of(), registry.users("cdi-kick"));
        }
    }
}
