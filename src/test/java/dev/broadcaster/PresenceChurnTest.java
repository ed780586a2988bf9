package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.KnownClusterBug;
import dev.broadcaster.support.SingleNode;
import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.PresenceRecorder;
import dev.broadcaster.support.ServerBean;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, point 3: presence is rendered only when the distinct users changed, a user who comes back within
 * {@code broadcaster.presence-leave-grace} never left, and presence renders take no place in the resume history.
 */
@InProcessServer(beans = PresenceRecorder.class, config = {
        // bob's closed tabs are noticed at a heartbeat: many may be open at once during the churn
        "broadcaster.max-connections-per-user=1000",
        // long enough that a reload (noticed at a heartbeat, then reconnected at once) is within it
        "broadcaster.presence-leave-grace=3s"})
class PresenceChurnTest {

    static TestServer server; // started by @InProcessServer
    @ServerBean
    static ChannelRegistry registry;
    @ServerBean
    static PresenceRecorder recorder;

    /** As the example's renderer: the htmx {@code presence} event and the Datastar patch, from one render. */
    static final PresenceRenderer TWO_EVENTS = (channel, users) -> PresenceRenderer.events(
            SseEvent.named("presence", String.join(",", users)),
            dev.broadcaster.datastar.PatchElements.of("<ul id=\"online\">" + String.join(",", users) + "</ul>"));

    static boolean isPresence(EventStreamParser.Event event) {
        return event.type().equals("presence") || event.data().startsWith("elements <ul id=\"online\">");
    }

    static List<EventStreamParser.Event> since(SseStream stream, int from) {
        List<EventStreamParser.Event> events = stream.events();
        return events.subList(from, events.size());
    }

    @Test
    void aSecondTabOpenedAndClosed300TimesRendersNothingAndKeepsTheChatResumable() {
        registry.create("churn", TWO_EVENTS);
        try (SseStream bob = SseStream.connect(server.channel("churn"), "bob");
             SseStream carol = SseStream.connect(server.channel("churn"), "carol")) {
            carol.awaitEvent(e -> e.type().equals("presence") && e.data().equals("bob,carol"), "presence bob,carol");
            carol.awaitData("elements <ul id=\"online\">bob,carol</ul>");
            for (int i = 0; i < 5; i++) {
                registry.broadcast("churn", SseEvent.named("chat", "message " + i));
            }
            carol.awaitData("message 4");
            int seenBefore = carol.events().size();
            long rendersBefore = registry.stats().presenceRenders();

            for (int i = 0; i < 300; i++) {
                SseStream.connect(server.channel("churn"), "bob").close();
            }
            // every closed tab has been noticed (at a heartbeat) and has left
            Eventually.equalTo(List.of("bob", "carol"), () -> registry.users("churn"), "bob's first tab and carol");
            registry.broadcast("churn", SseEvent.named("chat", "after the churn"));
            carol.awaitData("after the churn");

            List<String> seen = since(carol, seenBefore).stream().map(EventStreamParser.Event::data).toList();
            assertEquals(List.of("after the churn"), seen.size() <= 5 ? seen : List.of(seen.size() + " events: "
                    + seen.subList(0, 5) + "…"), "carol's events since the churn began");
            assertEquals(rendersBefore, registry.stats().presenceRenders(), "presence renders during the churn");
            assertEquals(List.of("joined churn bob", "joined churn carol"), recorder.on("churn"));
        }
        // the history still holds the chat, so a client asking for it (or resuming) gets the messages
        try (SseStream dave = SseStream.connect(server.uri("sse/channels/churn?history=50"), "dave")) {
            dave.awaitData("after the churn");
            List<EventStreamParser.Event> replayed = dave.events();
            List<String> chat = replayed.stream().filter(e -> e.type().equals("chat"))
                    .map(EventStreamParser.Event::data).toList();
            assertEquals(List.of("message 0", "message 1", "message 2", "message 3", "message 4", "after the churn"),
                    chat);
            assertTrue(replayed.indexOf(replayed.stream().filter(e -> e.data().equals("after the churn")).findFirst()
                    .orElseThrow()) < replayed.stream().filter(PresenceChurnTest::isPresence)
                    .map(replayed::indexOf).findFirst().orElse(Integer.MAX_VALUE),
                    "the history first, presence after it: " + replayed);
        }
    }

    @KnownClusterBug("a reload within the grace moves the user to the end of presence (bob,carol -> carol,bob)")
    @Test
    void aUserWhoReloadsWithinTheGraceNeverLeavesPresence() {
        registry.create("reload", TWO_EVENTS);
        SseStream bob = SseStream.connect(server.channel("reload"), "bob");
        try (SseStream carol = SseStream.connect(server.channel("reload"), "carol")) {
            carol.awaitEvent(e -> e.type().equals("presence") && e.data().equals("bob,carol"), "presence bob,carol");
            carol.awaitData("elements <ul id=\"online\">bob,carol</ul>");
            int seenBefore = carol.events().size();
            long rendersBefore = registry.stats().presenceRenders();

            bob.close();
            Eventually.equalTo(List.of("carol"), () -> registry.users("reload"), "bob's closed tab noticed");
            try (SseStream bobAgain = SseStream.connect(server.channel("reload"), "bob")) {
                // the new tab gets the current presence once, although nothing was rendered for it
                bobAgain.awaitEvent(e -> e.type().equals("presence") && e.data().equals("bob,carol"),
                        "the current presence");
                bobAgain.awaitData("elements <ul id=\"online\">bob,carol</ul>");
                registry.broadcast("reload", SseEvent.named("chat", "marker"));
                carol.awaitData("marker");
                assertEquals(List.of("marker"), since(carol, seenBefore).stream()
                        .map(EventStreamParser.Event::data).toList(), "carol's events since bob reloaded");
                assertEquals(rendersBefore, registry.stats().presenceRenders());
                assertEquals(List.of("joined reload bob", "joined reload carol"), recorder.on("reload"));
            }
            // bob stays away now: once the grace is over he leaves presence, and UserLeft is fired
            carol.awaitEvent(e -> e.type().equals("presence") && e.data().equals("carol"), "presence carol alone");
            Eventually.equalTo(List.of("joined reload bob", "joined reload carol", "left reload bob"),
                    () -> recorder.on("reload"), "bob left after the grace");
        }
    }

    @SingleNode("asserts the single-node id <epoch>-2 after <epoch>-1; in a cluster ids are the backplane's")
    @Test
    void presenceEventsCarryNoIdAndStayOutOfTheHistory() {
        registry.create("no-ids", TWO_EVENTS);
        try (SseStream bob = SseStream.connect(server.channel("no-ids"), "bob");
             SseStream carol = SseStream.connect(server.channel("no-ids"), "carol")) {
            bob.awaitEvent(e -> e.type().equals("presence") && e.data().equals("bob,carol"), "presence bob,carol");
            // no id field: an EventSource's last event id stays what it was (nothing yet)
            assertTrue(bob.events().stream().filter(PresenceChurnTest::isPresence)
                    .allMatch(e -> e.lastEventId().isEmpty()), bob.raw());
            assertEquals(0, ((dev.broadcaster.internal.DefaultChannelRegistry) registry).historySize("no-ids"));
            registry.broadcast("no-ids", SseEvent.named("chat", "first"));
            String firstId = carol.awaitData("first").lastEventId();
            // a client resuming after "first" gets what it missed, then the current presence once
            registry.broadcast("no-ids", SseEvent.named("chat", "second"));
            try (SseStream resumed = SseStream.connect(server.channel("no-ids"), "dave", firstId)) {
                resumed.awaitEvent(e -> e.type().equals("presence") && e.data().equals("bob,carol,dave"),
                        "presence with dave");
                List<EventStreamParser.Event> events = resumed.events();
                assertEquals("second", events.get(0).data(), events.toString());
                assertEquals(firstId.replaceAll("-\\d+$", "-2"), events.get(0).lastEventId());
                assertTrue(events.stream().skip(1).allMatch(PresenceChurnTest::isPresence), events.toString());
            }
        }
    }
}
