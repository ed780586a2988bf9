package dev.broadcaster;

import static dev.broadcaster.support.SseStream.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.support.KnownClusterBug;
import dev.broadcaster.support.SingleNode;
import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.ServerBean;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@InProcessServer(config = "broadcaster.history-size=1000", beans = ResumeTest.RevocableAuthorizer.class)
class ResumeTest {

    /** Lets a test take a user's access to a channel away. */
    @ApplicationScoped
    public static class RevocableAuthorizer implements ChannelAuthorizer {
        static final Set<String> REVOKED = ConcurrentHashMap.newKeySet();

        @Override
        public boolean mayJoin(String channel, String user, SecurityContext security) {
            return !REVOKED.contains(user + "@" + channel);
        }
    }

    static TestServer server; // started by @InProcessServer
    @ServerBean
    static ChannelRegistry registry;

    static List<String> numbers(int from, int to) {
        return IntStream.range(from, to).mapToObj(Integer::toString).toList();
    }

    @Test
    void reconnectingTabGetsExactlyTheEventsItMissedThenTheLiveStream() {
        String lastSeen;
        try (SseStream tab = SseStream.connect(server.channel("resume-1"), "bob")) {
            numbers(0, 5).forEach(n -> registry.broadcast("resume-1", SseEvent.data(n)));
            tab.awaitEvents(5);
            lastSeen = tab.lastEventId();
        }
        // the only tab left: the channel leaves the listings at once but keeps its history
        dev.broadcaster.support.Eventually.equalTo(false,
                () -> registry.channels().stream().anyMatch(c -> c.name().equals("resume-1")), "listed");
        numbers(5, 10).forEach(n -> registry.broadcast("resume-1", SseEvent.data(n)));
        try (SseStream again = SseStream.connect(server.channel("resume-1"), "bob", lastSeen)) {
            registry.broadcast("resume-1", SseEvent.data("10"));
            assertEquals(numbers(5, 11), data(again.awaitEvents(6)));
        }
    }

    @Test
    void aClientWithoutTheHeaderCanResumeWithTheLastEventIdQueryParameter() {
        String lastSeen;
        try (SseStream tab = SseStream.connect(server.channel("resume-query"), "bob")) {
            registry.broadcast("resume-query", SseEvent.data("0"));
            lastSeen = tab.awaitEvents(1).get(0).lastEventId();
        }
        numbers(1, 3).forEach(n -> registry.broadcast("resume-query", SseEvent.data(n)));
        URI resume = server.uri("sse/channels/resume-query?lastEventId="
                + java.net.URLEncoder.encode(lastSeen, java.nio.charset.StandardCharsets.UTF_8));
        try (SseStream again = SseStream.connect(resume, "bob")) {
            assertEquals(numbers(1, 3), data(again.awaitEvents(2)));
        }
    }

    @Test
    void hundredReconnectsUnderContinuousPublishingLoseAndDuplicateNothing() throws Exception {
        AtomicBoolean publishing = new AtomicBoolean(true);
        AtomicInteger published = new AtomicInteger();
        try (SseStream first = SseStream.connect(server.channel("resume-busy"), "bob")) {
            Thread publisher = new Thread(() -> {
                while (publishing.get()) {
                    registry.broadcast("resume-busy", SseEvent.data(Integer.toString(published.getAndIncrement())));
                    LockSupport.parkNanos(300_000); // the publisher's pace (about 3,000 events/s), not a synchronisation

                }
            });
            publisher.start();
            List<String> received = new ArrayList<>(data(first.awaitEvents(3)));
            String lastId = first.events().get(2).lastEventId();
            received = new ArrayList<>(received.subList(0, 3));
            first.close();
            for (int reconnect = 0; reconnect < 100; reconnect++) {
                String lastIdBefore = lastId;
                try (SseStream tab = SseStream.connect(server.channel("resume-busy"), "bob", lastId)) {
                    // the connection drops after a random number of events, while more are arriving
                    int atLeast = ThreadLocalRandom.current().nextInt(1, 10);
                    List<EventStreamParser.Event> kept = tab.awaitEvents(atLeast);
                    int take = kept.size();
                    assertFalse(kept.stream().anyMatch(e -> e.type().equals("resync")),
                            () -> "history was long enough; resumed from " + lastIdBefore + ": " + kept);
                    received.addAll(data(kept));
                    lastId = kept.get(take - 1).lastEventId();
                }
            }
            publishing.set(false);
            publisher.join();
            assertEquals(numbers(0, received.size()), received,
                    "every event exactly once, in order, across 100 reconnects");
            assertTrue(received.size() > 100);
        }
    }

    @KnownClusterBug("an unknown id gets reason expired, not unknown-id (Channel.addClustered)")
    @Test
    void unknownIdOrIdFromAnotherEpochGetsAnExplicitResync() {
        try (SseStream keeper = SseStream.connect(server.channel("resync-1"), "carol")) {
            registry.broadcast("resync-1", SseEvent.data("a"));
            String first = keeper.awaitEvents(1).get(0).lastEventId();
            int published = 1;
            for (String stale : List.of("bogus", "0abc-1", first + "9999")) {
                String current = keeper.awaitEvents(published).get(published - 1).lastEventId();
                published++;
                try (SseStream tab = SseStream.connect(server.channel("resync-1"), "bob", stale)) {
                    EventStreamParser.Event resync = tab.awaitEvents(1).get(0);
                    assertEquals("resync", resync.type(), stale);
                    assertEquals("{\"channel\":\"resync-1\",\"reason\":\"unknown-id\"}", resync.data());
                    assertEquals(current, resync.lastEventId(), "the resync carries the channel's latest id");
                    registry.broadcast("resync-1", SseEvent.data("live"));
                    tab.awaitData("live");
                }
            }
        }
    }

    @Test
    void killedChannelComesBackWithANewEpochSoOldIdsResync() {
        String oldId;
        try (SseStream tab = SseStream.connect(server.channel("reborn"), "bob")) {
            registry.broadcast("reborn", SseEvent.data("old life"));
            oldId = tab.awaitEvents(1).get(0).lastEventId();
            registry.kill("reborn");
            tab.awaitEnd();
        }
        try (SseStream tab = SseStream.connect(server.channel("reborn"), "bob", oldId)) {
            assertEquals("resync", tab.awaitEvents(1).get(0).type());
            registry.broadcast("reborn", SseEvent.data("new life"));
            String newId = tab.awaitData("new life").lastEventId();
            assertNotEquals(oldId.substring(0, oldId.indexOf('-')), newId.substring(0, newId.indexOf('-')));
        }
    }

    @Test
    void replayRechecksTheAuthorizer() {
        String lastSeen;
        try (SseStream tab = SseStream.connect(server.channel("members"), "dave")) {
            registry.broadcast("members", SseEvent.data("welcome"));
            lastSeen = tab.awaitEvents(1).get(0).lastEventId();
        }
        registry.broadcast("members", SseEvent.data("secret"));
        RevocableAuthorizer.REVOKED.add("dave@members");
        try (SseStream refused = SseStream.open(server.channel("members"), "dave", lastSeen)) {
            assertEquals(403, refused.status());
            assertFalse(refused.errorBody().contains("secret"));
        } finally {
            RevocableAuthorizer.REVOKED.remove("dave@members");
        }
    }

    @Test
    void newConnectionCanAskForTheLatestEvents() {
        try (SseStream keeper = SseStream.connect(server.channel("recent"), "carol")) {
            numbers(0, 10).forEach(n -> registry.broadcast("recent", SseEvent.data(n)));
            keeper.awaitEvents(10);
            try (SseStream newcomer = SseStream.connect(server.uri("sse/channels/recent?history=3"), "bob")) {
                registry.broadcast("recent", SseEvent.data("10"));
                assertEquals(numbers(7, 11), data(newcomer.awaitEvents(4)));
            }
        }
    }

    @SingleNode("asserts the single-node ids <epoch>-1, <epoch>-2; in a cluster ids are the backplane's")
    @Test
    void channelBroadcastIdsReplaceThePublishersIds() {
        try (SseStream tab = SseStream.connect(server.channel("ids"), "bob")) {
            registry.broadcast("ids", PatchElements.of("<p id=\"a\">1</p>").withEventId("mine"));
            registry.broadcast("ids", SseEvent.data("two").withId("also-mine"));
            List<EventStreamParser.Event> events = tab.awaitEvents(2);
            String epoch = events.get(0).lastEventId().substring(0, events.get(0).lastEventId().indexOf('-'));
            assertEquals(List.of(epoch + "-1", epoch + "-2"), events.stream().map(EventStreamParser.Event::lastEventId).toList());
            assertTrue(tab.raw().contains("event: datastar-patch-elements\nid: " + epoch + "-1\ndata: elements"), tab.raw());
        }
    }

    @Test
    void theResyncEventNameIsReserved() {
        var failure = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> registry.broadcast("ids", SseEvent.named("resync", "fake")));
        assertTrue(failure.getMessage().contains("reserved"));
    }
}
