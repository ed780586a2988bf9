package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.ServerBean;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.spi.CDI;
import java.util.List;
import org.junit.jupiter.api.Test;

@InProcessServer
class DisconnectTest {

    static TestServer server; // started by @InProcessServer
    @ServerBean
    static ChannelRegistry registry;

    @Test
    void killEndsEveryStreamOfThatChannelWithStopAndNoOther() {
        try (SseStream bob = SseStream.connect(server.channel("doomed"), "bob");
             SseStream carol = SseStream.connect(server.channel("doomed"), "carol");
             SseStream elsewhere = SseStream.connect(server.channel("survivor"), "bob")) {
            registry.broadcast("doomed", SseEvent.data("before the end"));
            var response = HttpCalls.delete(server.uri("sse/channels/doomed"), "alice");
            assertEquals(200, response.statusCode());
            assertEquals("{\"closed\":2}", response.body());
            bob.awaitEnd();
            carol.awaitEnd();
            for (SseStream killed : List.of(bob, carol)) {
                // events sent before the kill still arrive; then a stop that tells htmx (hx-sse:close="stop",
                // sse-close="stop") not to reconnect
                List<EventStreamParser.Event> last = killed.events().subList(killed.events().size() - 2, killed.events().size());
                assertEquals("before the end", last.get(0).data(), killed.events().toString());
                assertEquals("stop", last.get(1).type());
                assertEquals("{\"channel\":\"doomed\",\"reason\":\"killed\"}", last.get(1).data());
            }
            assertFalse(registry.channels().stream().anyMatch(c -> c.name().equals("doomed")));
            registry.broadcast("survivor", SseEvent.data("still here"));
            elsewhere.awaitData("still here");
            assertFalse(elsewhere.ended());
        }
    }

    @Test
    void disconnectEndsAllTabsOfOneUserAndUpdatesPresence() {
        registry.create("kick-room", PresenceRenderer.html((c, users) -> "<p id=\"who\">" + users + "</p>"));
        try (SseStream bob1 = SseStream.connect(server.channel("kick-room"), "bob");
             SseStream bob2 = SseStream.connect(server.channel("kick-room"), "bob");
             SseStream carol = SseStream.connect(server.channel("kick-room"), "carol")) {
            carol.awaitData("elements <p id=\"who\">[bob, carol]</p>");
            var response = HttpCalls.delete(server.uri("sse/channels/kick-room/users/bob"), "alice");
            assertEquals("{\"closed\":2}", response.body());
            bob1.awaitEnd();
            bob2.awaitEnd();
            // a disconnected tab may come back (it reconnects, as after a network error): no stop
            assertTrue(bob1.events("stop").isEmpty(), bob1.events().toString());
            carol.awaitData("elements <p id=\"who\">[carol]</p>");
            assertFalse(carol.ended());
            assertEquals(List.of("carol"), registry.users("kick-room"));
        }
    }

    @Test
    void disconnectEventFromAnyBeanClosesTheUsersTabs() {
        try (SseStream bob = SseStream.connect(server.channel("cdi-kick"), "bob");
             SseStream carol = SseStream.connect(server.channel("cdi-kick"), "carol")) {
            Event<Disconnect> disconnects = CDI.current().getBeanManager().getEvent().select(Disconnect.class);
            disconnects.fire(Disconnect.user("cdi-kick", "carol"));
            carol.awaitEnd();
            disconnects.fireAsync(Disconnect.everyone("cdi-kick"));
            bob.awaitEnd();
            // in a cluster the listing learns of the leave from the backplane, maybe after the stream ended
            Eventually.equalTo(List.<String>of(), () -> registry.users("cdi-kick"), "nobody listed in cdi-kick");
        }
    }
}
