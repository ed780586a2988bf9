package dev.broadcaster;

import static dev.broadcaster.support.SseStream.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.ServerBean;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One stream of several channels ({@code GET /sse/stream?channel=a&channel=b}): the same events as the channels'
 * own streams but for the id, one {@code Last-Event-ID} that resumes every channel exactly, forged ids answered with
 * {@code resync}, and each channel's kill, disconnect and presence on their own.
 */
@InProcessServer(config = {"broadcaster.history-size=1000", "broadcaster.max-channels-per-stream=16"},
        beans = MultiChannelStreamTest.NoSecrets.class)
class MultiChannelStreamTest {

    /** Nobody joins a channel named {@code secret-*}. */
    @ApplicationScoped
    public static class NoSecrets implements ChannelAuthorizer {
        @Override
        public boolean mayJoin(String channel, String user, SecurityContext security) {
            return !channel.startsWith("secret-");
        }
    }

    static TestServer server; // started by @InProcessServer
    @ServerBean
    static ChannelRegistry registry;

    static URI stream(String... channels) {
        return server.uri("sse/stream?" + Arrays.stream(channels).map(c -> "channel=" + c)
                .collect(Collectors.joining("&")));
    }

    /** {@code user}'s stream of {@code channels}. */
    static SseStream connect(String user, String... channels) {
        return SseStream.connect(stream(channels), user);
    }

    /** {@code user}'s stream of {@code channels}, resumed after {@code lastEventId}. */
    static SseStream resume(String user, String lastEventId, String... channels) {
        return SseStream.connect(stream(channels), user, lastEventId);
    }

    static String unique(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime(), 36);
    }

    static List<String> types(List<EventStreamParser.Event> events) {
        return events.stream().map(EventStreamParser.Event::type).toList();
    }

    /** The data of a {@code resync} event of {@code channel}. */
    static String resync(String channel, String reason) {
        return "{\"channel\":\"" + channel + "\",\"reason\":\"" + reason + "\"}";
    }

    @Test
    void oneStreamCarriesTheEventsOfEveryChannelAsTheirOwnStreamsDoButForTheId() {
        String a = unique("room");
        String b = unique("notes");
        try (SseStream both = connect("bob", a, b);
             SseStream onlyA = SseStream.connect(server.channel(a), "carol")) {
            registry.broadcast(a, SseEvent.named("message", "a0"));
            registry.broadcast(b, PatchElements.of("<p id=\"n\">b0</p>"));
            registry.broadcast(a, SseEvent.data("a1\nsecond line"));
            List<EventStreamParser.Event> events = both.awaitEvents(3);
            assertEquals(List.of("message", "datastar-patch-elements", "message"), types(events));
            assertEquals(List.of("a0", "elements <p id=\"n\">b0</p>", "a1\nsecond line"), data(events));
            onlyA.awaitEvents(2);
            // the bytes of a's events on both streams, without their id lines, are the same
            assertEquals(withoutIds(onlyA.raw(), "a0"), withoutIds(both.raw(), "a0"));
            assertEquals(withoutIds(onlyA.raw(), "a1"), withoutIds(both.raw(), "a1"));
            assertTrue(events.stream().allMatch(e -> !e.lastEventId().isEmpty()), "every event has an id");
            assertFalse(events.get(0).lastEventId().equals(onlyA.events().get(0).lastEventId()),
                    "the stream's id is not the channel's");
        }
    }

    /** The frame whose data starts with {@code data}, without its id line. */
    static String withoutIds(String raw, String data) {
        for (String frame : raw.split("\n\n")) {
            if (frame.contains("data: " + data)) {
                return frame.lines().filter(line -> !line.startsWith("id:")).collect(Collectors.joining("\n"));
            }
        }
        return null;
    }

    @Test
    void oneLastEventIdResumesEveryChannelWithExactlyWhatItMissedInEachChannelsOrder() {
        String a = unique("room");
        String b = unique("notes");
        String c = unique("banner");
        String lastSeen;
        try (SseStream tab = connect("bob", a, b, c)) {
            registry.broadcast(a, SseEvent.data("a0"));
            registry.broadcast(b, SseEvent.data("b0"));
            tab.awaitEvents(2);
            lastSeen = tab.lastEventId();
        }
        registry.broadcast(b, SseEvent.data("b1"));
        registry.broadcast(a, SseEvent.data("a1"));
        registry.broadcast(b, SseEvent.data("b2"));
        registry.broadcast(c, SseEvent.data("c0"));
        try (SseStream again = resume("bob", lastSeen, a, b, c)) {
            registry.broadcast(a, SseEvent.data("a2"));
            List<String> received = data(again.awaitEvents(5));
            assertEquals(List.of("a1", "a2"), only(received, "a"));
            assertEquals(List.of("b1", "b2"), only(received, "b"));
            assertEquals(List.of("c0"), only(received, "c"));
            assertEquals(5, received.size(), "none twice: " + received);
        }
    }

    static List<String> only(List<String> data, String prefix) {
        return data.stream().filter(d -> d.startsWith(prefix)).toList();
    }

    @Test
    void aStreamThatGotNoEventYetResumesFromWhereItStarted() {
        String a = unique("quiet");
        String b = unique("busy");
        registry.broadcast(a, SseEvent.data("a-before")); // nobody there yet: not recorded
        String start;
        try (SseStream tab = connect("bob", a, b)) {
            Eventually.equalTo(true, () -> tab.lastEventId() != null, "the stream's first frame gives its position");
            start = tab.lastEventId();
            assertEquals(List.of(), tab.events(), "the position frame dispatches nothing");
        }
        registry.create(b, null);
        registry.broadcast(a, SseEvent.data("a0"));
        registry.broadcast(b, SseEvent.data("b0"));
        try (SseStream again = resume("bob", start, a, b)) {
            assertEquals(List.of("a0", "b0"), data(again.awaitEvents(2)).stream().sorted().toList());
        }
    }

    @Test
    void hundredReconnectsUnderPublishingOnTwoChannelsLoseAndDuplicateNothing() throws Exception {
        String a = unique("fast");
        String b = unique("slow");
        AtomicBoolean publishing = new AtomicBoolean(true);
        try (SseStream first = connect("bob", a, b)) {
            Thread publisher = new Thread(() -> {
                int n = 0;
                while (publishing.get()) {
                    registry.broadcast(a, SseEvent.data("a" + n));
                    if (n % 3 == 0) {
                        registry.broadcast(b, SseEvent.data("b" + n / 3));
                    }
                    n++;
                    LockSupport.parkNanos(1_000_000); // the publisher's pace, not a synchronisation
                }
            });
            publisher.start();
            List<EventStreamParser.Event> firstEvents = first.takeEvents(3);
            List<String> received = new ArrayList<>(data(firstEvents));
            String lastId = firstEvents.get(firstEvents.size() - 1).lastEventId();
            first.close();
            for (int reconnect = 0; reconnect < 100; reconnect++) {
                try (SseStream tab = resume("bob", lastId, a, b)) {
                    List<EventStreamParser.Event> kept = tab.takeEvents(ThreadLocalRandom.current().nextInt(1, 10));
                    String resumedFrom = lastId;
                    assertFalse(kept.stream().anyMatch(e -> e.type().equals("resync")),
                            () -> "history was long enough; resumed from " + resumedFrom + ": " + kept);
                    received.addAll(data(kept));
                    lastId = kept.get(kept.size() - 1).lastEventId();
                }
            }
            publishing.set(false);
            publisher.join();
            List<String> fromA = only(received, "a");
            List<String> fromB = only(received, "b");
            assertEquals(IntStream.range(0, fromA.size()).mapToObj(n -> "a" + n).toList(), fromA,
                    "every event of a exactly once, in order, across 100 reconnects");
            assertEquals(IntStream.range(0, fromB.size()).mapToObj(n -> "b" + n).toList(), fromB,
                    "every event of b exactly once, in order");
            assertTrue(fromA.size() > 100 && fromB.size() > 10, received.size() + " events");
        }
    }

    @Test
    void aForgedOrForeignIdIsAResyncOfEachChannelNeverAnError() {
        String a = unique("room");
        String b = unique("notes");
        registry.create(a, null);
        for (String forged : List.of("garbage", ",x", "1-2,3-4", "=%%%,x", ":zzzzzzzzzzzzzzzzzzzz-1,a-1", "a".repeat(5000),
                registry.position(List.of(a)))) {
            try (SseStream tab = resume("bob", forged, a, b)) {
                assertEquals(200, tab.status());
                List<EventStreamParser.Event> events = tab.awaitEvents(2);
                assertEquals(List.of("resync", "resync"), types(events), "for " + forged);
                // a single node knows the id is not one of its own; a cluster node cannot tell it from one expired
                assertEquals(Stream.of(a, b).sorted().toList(), data(events).stream()
                                .map(d -> d.replaceAll("\\{\"channel\":\"([^\"]+)\",\"reason\":\"(unknown-id|expired)\"}", "$1"))
                                .sorted().toList(), "the data names each channel, for " + forged);
                registry.broadcast(b, SseEvent.data("after"));
                tab.awaitData("after");
            }
        }
    }

    @Test
    void tooManyChannelsAChannelTwiceOrNoneIs400AndARefusedChannelIs403WithNoStream() {
        String[] seventeen = IntStream.range(0, 17).mapToObj(i -> unique("many") + i).toArray(String[]::new);
        assertEquals(400, HttpCalls.get(stream(seventeen), "bob").statusCode());
        assertEquals(400, HttpCalls.get(stream("twice", "twice"), "bob").statusCode());
        assertEquals(400, HttpCalls.get(server.uri("sse/stream"), "bob").statusCode());
        assertEquals(400, HttpCalls.get(stream("bad%20name"), "bob").statusCode());
        String open = unique("open");
        var refused = HttpCalls.get(stream(open, "secret-plans"), "bob");
        assertEquals(403, refused.statusCode());
        assertEquals(List.of(), registry.users(open), "nothing registered");
        assertFalse(registry.channels().stream().anyMatch(info -> info.name().equals(open)));
        String[] sixteen = Arrays.copyOf(seventeen, 16);
        try (SseStream tab = connect("bob", sixteen)) {
            for (String channel : sixteen) {
                registry.broadcast(channel, SseEvent.data(channel));
            }
            tab.awaitEvents(16);
            System.out.printf("multi-channel stream: 16 channels, id of %d characters: %s%n",
                    tab.lastEventId().length(), tab.lastEventId());
            assertTrue(tab.lastEventId().length() <= 223, tab.lastEventId());
        }
    }

    @Test
    void killOrDisconnectOfOneChannelLeavesTheStreamOnTheOthersAndPresenceCountsTheUserPerChannel() {
        String a = unique("doomed");
        String b = unique("kept");
        String c = unique("kicked");
        try (SseStream tab = connect("bob", a, b, c);
             SseStream other = connect("bob", b, c)) {
            Eventually.equalTo(List.of("bob"), () -> registry.distinctUsers(a), "bob on a");
            assertEquals(List.of("bob", "bob"), registry.users(b), "two streams of bob on b");
            assertEquals(1, registry.connections(a).size());
            assertEquals(a, registry.connections(a).get(0).channel());
            assertEquals(b, registry.connections(b).get(0).channel());
            registry.kill(a);
            registry.disconnect(c, "bob");
            Eventually.equalTo(List.of(), () -> registry.users(c), "bob left c");
            registry.broadcast(b, SseEvent.data("still here"));
            tab.awaitData("still here");
            other.awaitData("still here");
            assertFalse(tab.ended());
            // each stream is told it gets nothing more from the channels it was removed from
            assertEquals(List.of(resync(a, "removed"), resync(c, "removed")), data(tab.events("resync")));
            assertEquals(List.of(resync(c, "removed")), data(other.events("resync")));
            assertEquals(List.of(), registry.users(a));
            assertEquals(List.of("bob", "bob"), registry.users(b));
            registry.disconnect(b, "bob"); // their last channel: the streams end
            tab.awaitEnd();
            other.awaitEnd();
        }
    }

    @Test
    void exclusionAndSendToOneReachTheStreamOnce() {
        String a = unique("room");
        String b = unique("notes");
        try (SseStream tab = connect("bob", a, b);
             SseStream carol = SseStream.connect(server.channel(a), "carol")) {
            registry.broadcast(a, SseEvent.data("to all but bob"), Set.of(tab.connectionId()));
            registry.broadcast(b, SseEvent.data("b-marker"));
            assertTrue(registry.send(tab.connectionId(), SseEvent.data("just bob")));
            tab.awaitData("just bob");
            tab.awaitData("b-marker");
            carol.awaitData("to all but bob");
            // no order between channels is promised (in a cluster b's event goes through the backplane, the send not)
            assertEquals(List.of("b-marker", "just bob"), data(tab.events()).stream().sorted().toList(),
                    "each once, and not the event bob was excluded from");
        }
    }

    @Test
    void aSharedStreamListsItsUserOncePerTab() {
        String a = unique("tabs");
        String key = "k" + Long.toString(System.nanoTime(), 36) + "0123456789abcdef";
        try (SseStream shared = SseStream.connect(server.uri("sse/stream?channel=" + a + "&tabs=3&client=" + key),
                "bob")) {
            Eventually.equalTo(List.of("bob", "bob", "bob"), () -> registry.users(a), "three tabs");
            assertEquals(List.of("bob"), registry.distinctUsers(a));
            assertEquals(204, setTabs("bob", key, 2));
            assertEquals(List.of("bob", "bob"), registry.users(a));
            assertEquals(404, setTabs("carol", key, 9), "not carol's stream");
            assertEquals(400, setTabs("bob", key, 0));
            assertEquals(400, tabsStatus("bob", "[1]"));
            assertEquals(List.of("bob", "bob"), registry.users(a));
            assertFalse(shared.ended());
        }
        assertEquals(400, HttpCalls.get(server.uri("sse/stream?channel=x&tabs=3&client=short"), "bob").statusCode());
    }

    /** The status of {@code user}'s POST of {@code client} {@code key}'s tab count {@code tabs} (JSON). */
    static int setTabs(String user, String key, int tabs) {
        return tabsStatus(user, "{\"client\":\"" + key + "\",\"tabs\":" + tabs + "}");
    }

    static int tabsStatus(String user, String body) {
        return HttpCalls.postJson(server.uri("sse/stream/tabs"), user, body).statusCode();
    }

    @Test
    void aPageRenderedAtAPositionGetsEverythingPublishedAfterIt() {
        String a = unique("page");
        String b = unique("inbox");
        String single = registry.position(a);
        String both = registry.position(List.of(a, b));
        for (int n = 0; n < 5; n++) {
            registry.broadcast(a, SseEvent.data("a" + n));
            registry.broadcast(b, SseEvent.data("b" + n));
        }
        try (SseStream page = SseStream.connect(server.uri("sse/channels/" + a + "?lastEventId="
                + URLEncoder.encode(single, StandardCharsets.UTF_8)), "bob");
             SseStream multi = resume("bob", both, a, b)) {
            assertEquals(List.of("a0", "a1", "a2", "a3", "a4"), data(page.awaitEvents(5)));
            List<String> received = data(multi.awaitEvents(10));
            assertEquals(List.of("a0", "a1", "a2", "a3", "a4"), only(received, "a"));
            assertEquals(List.of("b0", "b1", "b2", "b3", "b4"), only(received, "b"));
        }
        String id = registry.broadcastForId(a, SseEvent.data("a5"), Set.of()).toCompletableFuture().join();
        assertEquals(registry.position(a), id, "the id the event got is the channel's position after it");
    }
}
