package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.PresenceRecorder;
import dev.broadcaster.support.ServerBean;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@InProcessServer(beans = PresenceRecorder.class)
class PresenceTest {

    static TestServer server; // started by @InProcessServer
    @ServerBean
    static ChannelRegistry registry;

    static final PresenceRenderer ONLINE_LIST = PresenceRenderer.html(
            (channel, users) -> "<ul id=\"online\">" + String.join(",", users) + "</ul>");

    static String presence(String users) {
        return "elements <ul id=\"online\">" + users + "</ul>";
    }

    static List<String> presenceSeen(SseStream tab) {
        return tab.events().stream().map(EventStreamParser.Event::data)
                .filter(data -> data.startsWith("elements <ul id=\"online\">")).toList();
    }

    @Test
    void presenceHtmlFollowsJoinsAndLeavesInOrder() {
        registry.create("lobby", ONLINE_LIST);
        try (SseStream bob = SseStream.connect(server.channel("lobby"), "bob")) {
            bob.awaitData(presence("bob"));
            SseStream carol = SseStream.connect(server.channel("lobby"), "carol");
            bob.awaitData(presence("bob,carol"));
            carol.awaitData(presence("bob,carol"));
            try (SseStream bobSecondTab = SseStream.connect(server.channel("lobby"), "bob")) {
                bobSecondTab.awaitData(presence("bob,carol"));
                carol.close();
                bobSecondTab.awaitData(presence("bob"));
                bob.awaitData(presence("bob"));
                // a marker after the last change: no older presence may follow the newest one
                registry.broadcast("lobby", SseEvent.data("marker"));
                bob.awaitData("marker");
                List<String> seen = presenceSeen(bob);
                assertEquals(presence("bob"), seen.get(seen.size() - 1), "latest presence last: " + seen);
                assertEquals(presence("bob"), seen.get(0));
                assertTrue(seen.indexOf(presence("bob,carol")) > 0, seen.toString());
            }
        }
    }

    @Test
    void joinAndLeaveEventsAreFiredOncePerUserNotPerTab() {
        PresenceRecorder recorder = server.bean(PresenceRecorder.class);
        SseStream bob1 = SseStream.connect(server.channel("events-room"), "bob");
        SseStream bob2 = SseStream.connect(server.channel("events-room"), "bob");
        SseStream carol = SseStream.connect(server.channel("events-room"), "carol");
        // the join is announced after the stream has started: wait for it rather than racing it
        Eventually.equalTo(List.of("joined events-room bob", "joined events-room carol"),
                () -> recorder.on("events-room"), "one join per user");
        bob1.close();
        carol.close();
        Eventually.equalTo(List.of("joined events-room bob", "joined events-room carol", "left events-room carol"),
                () -> recorder.on("events-room"), "events after carol left");
        bob2.close();
        Eventually.equalTo(4, () -> recorder.on("events-room").size(), "events after bob's last tab closed");
        assertEquals("left events-room bob", recorder.on("events-room").get(3));
    }

    @Test
    void rendererThatThrowsDoesNotBreakTheChannel() {
        AtomicInteger calls = new AtomicInteger();
        registry.create("fragile", (channel, users) -> {
            calls.incrementAndGet();
            if (users.contains("carol")) {
                throw new IllegalStateException("template failed");
            }
            return PatchElements.of("<ul id=\"online\">" + String.join(",", users) + "</ul>");
        });
        try (SseStream bob = SseStream.connect(server.channel("fragile"), "bob")) {
            bob.awaitData(presence("bob"));
            try (SseStream carol = SseStream.connect(server.channel("fragile"), "carol")) {
                Eventually.equalTo(true, () -> calls.get() >= 2, "renderer called for carol's join");
                registry.broadcast("fragile", SseEvent.named("chat", "still working"));
                bob.awaitData("still working");
                carol.awaitData("still working");
            }
            bob.awaitCount(e -> e.data().equals(presence("bob")), 2, "presence rendered again after carol left");
        }
    }
}
