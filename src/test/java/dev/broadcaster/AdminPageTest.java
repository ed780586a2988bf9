package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.RawSseClient;
import dev.broadcaster.support.ServerBean;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The live admin page ({@code /sse/admin}) and its feed of snapshots ({@code /sse/admin/events}). */
// a small backlog, so that a stalled reader is evicted after a few events (healthy readers keep up: the admin
// feed sends a few small snapshots per second at most)
@InProcessServer(config = "broadcaster.queue-size=8")
class AdminPageTest {

    static TestServer server; // started by @InProcessServer
    @ServerBean
    static ChannelRegistry registry;

    static URI adminEvents() {
        return server.uri("sse/admin/events");
    }

    @Test
    void thePageIsServedToAdminsOnly() {
        var page = HttpCalls.get(server.uri("sse/admin"), "alice");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"),
                page.headers().toString());
        String html = page.body();
        assertTrue(html.contains("<title>Broadcaster admin</title>"), html);
        assertTrue(html.contains("new EventSource(page + '/events')"), "subscribes to the admin feed");
        assertTrue(html.contains("addEventListener('snapshot'"), "renders the snapshots");
        assertTrue(html.contains("window.confirm("), "asks before killing or disconnecting");
        assertTrue(html.contains("method: 'DELETE', credentials: 'same-origin'"), "calls the admin endpoints");
        assertFalse(html.contains("<script src"), "no external script");
        assertFalse(html.contains("setInterval"), "no polling");

        assertEquals(403, HttpCalls.get(server.uri("sse/admin"), "bob").statusCode());
        var anonymous = HttpCalls.get(server.uri("sse/admin"), null);
        assertEquals(401, anonymous.statusCode());
        assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
    }

    @Test
    void theFeedIsForAdminsOnly() {
        try (SseStream bob = SseStream.open(adminEvents(), "bob");
             SseStream anonymous = SseStream.open(adminEvents(), null)) {
            assertEquals(403, bob.status());
            assertEquals(401, anonymous.status());
        }
    }

    @Test
    void snapshotsFollowConnectionsTabsDisconnectsAndKills() {
        try (SseStream admin = SseStream.connect(adminEvents(), "alice")) {
            JsonObject current = awaitSnapshot(admin, s -> true, "the current snapshot, at once");
            assertTrue(channel(current, "adm-live").isEmpty(), current.toString());
            forget(admin);
            try (SseStream bobTab1 = SseStream.connect(server.channel("adm-live"), "bob")) {
                JsonObject one = awaitSettled(admin, s -> connections(s, "adm-live") == 1, "bob's first tab");
                JsonObject live = channel(one, "adm-live").orElseThrow();
                assertEquals(1, live.getInt("users"));
                assertEquals(Map.of("bob", 1), tabs(live));
                forget(admin);

                try (SseStream bobTab2 = SseStream.connect(server.channel("adm-live"), "bob")) {
                    JsonObject two = awaitSettled(admin, s -> connections(s, "adm-live") == 2, "bob's second tab");
                    live = channel(two, "adm-live").orElseThrow();
                    assertEquals(1, live.getInt("users"), "one distinct user in two tabs");
                    assertEquals(Map.of("bob", 2), tabs(live));
                    forget(admin);

                    try (SseStream carol = SseStream.connect(server.channel("adm-live"), "carol")) {
                        awaitSettled(admin, s -> connections(s, "adm-live") == 3, "carol joining");
                        forget(admin);
                        // what the page's "Disconnect" button calls
                        var disconnected = HttpCalls.delete(server.channel("adm-live/users/bob"), "alice");
                        assertEquals("{\"closed\":2}", disconnected.body());
                        JsonObject after = awaitSettled(admin, s -> connections(s, "adm-live") == 1, "bob gone");
                        assertEquals(Map.of("carol", 1), tabs(channel(after, "adm-live").orElseThrow()));
                        forget(admin);

                        // what the page's "Kill channel" button calls
                        assertEquals("{\"closed\":1}", HttpCalls.delete(server.channel("adm-live"), "alice").body());
                        awaitSettled(admin, s -> channel(s, "adm-live").isEmpty(), "the channel killed");
                        carol.awaitEnd();
                        bobTab1.awaitEnd();
                        bobTab2.awaitEnd();
                    }
                }
            }
        }
    }

    @Test
    void anEvictionIsCounted() {
        long before = registry.stats().evictions();
        try (SseStream admin = SseStream.connect(adminEvents(), "alice");
             RawSseClient stalled = RawSseClient.stalled(server.channel("adm-slow"), "carol")) {
            awaitSettled(admin, s -> connections(s, "adm-slow") == 1, "the stalled reader connected");
            String padding = "x".repeat(16 * 1024);
            for (int i = 0; i < 5000 && registry.stats().evictions() == before; i++) {
                registry.broadcast("adm-slow", SseEvent.named("n", i + " " + padding));
            }
            // evicted once the watchdog sees its write stuck (a full backlog alone is lag, not slowness)
            Eventually.equalTo(before + 1, () -> registry.stats().evictions(), "the stalled reader was evicted");
            JsonObject after = awaitSettled(admin, s -> s.getJsonNumber("evictions").longValue() == before + 1
                    && channel(s, "adm-slow").isEmpty(), "the eviction counted and the reader gone");
            assertEquals(registry.stats().evictions(), after.getJsonNumber("evictions").longValue());
        }
    }

    @Test
    void aBurstOfBroadcastsIsCoalescedIntoFewSnapshots() {
        registry.create("adm-burst", null);
        try (SseStream admin = SseStream.connect(adminEvents(), "alice")) {
            JsonObject start = awaitSnapshot(admin, s -> channel(s, "adm-burst").isPresent(), "the burst channel");
            long published = start.getJsonNumber("eventsPublished").longValue();
            assertEquals(published, registry.stats().eventsPublished());
            forget(admin);
            for (int i = 0; i < 200; i++) {
                var response = HttpCalls.postJson(server.channel("adm-burst"), "alice",
                        "{\"type\":\"event\",\"event\":\"n\",\"data\":\"" + i + "\"}");
                assertEquals(202, response.statusCode(), response.body());
            }
            JsonObject last = awaitSnapshot(admin,
                    s -> s.getJsonNumber("eventsPublished").longValue() == published + 200, "all 200 events counted");
            assertEquals(50, channel(last, "adm-burst").orElseThrow().getInt("history"), "history is full");
            long snapshots = admin.events().stream().filter(AdminPageTest::isSnapshot).count();
            assertTrue(snapshots < 50, snapshots + " snapshots for 200 broadcasts");
            // the snapshots themselves are neither publications nor changes
            assertEquals(published + 200, registry.stats().eventsPublished());
        }
    }

    @Test
    void aSnapshotShowsEveryFigureTheStatusEndpointGives() {
        try (SseStream admin = SseStream.connect(adminEvents(), "alice")) {
            JsonObject snapshot = awaitSnapshot(admin, s -> true, "the current snapshot");
            var status = HttpCalls.get(server.uri("sse/status"), "alice");
            assertEquals(200, status.statusCode(), status.body());
            JsonObject figures = parse(status.body());
            for (String key : figures.keySet()) {
                if (figures.get(key).getValueType() == JsonValue.ValueType.NUMBER && !key.equals("channels")) {
                    assertTrue(snapshot.containsKey(key), "the snapshot shows " + key + ": " + snapshot);
                }
            }
            assertEquals(figures.getInt("channels"), snapshot.getInt("channelCount"), snapshot.toString());
        }
    }

    @Test
    void theReservedChannelIsNeitherJoinableNorListed() {
        try (SseStream admin = SseStream.connect(adminEvents(), "alice")) {
            JsonObject snapshot = awaitSnapshot(admin, s -> true, "the current snapshot");
            assertTrue(channel(snapshot, "broadcaster:admin").isEmpty(), snapshot.toString());

            for (String user : new String[] {"bob", "alice"}) {
                try (SseStream refused = SseStream.open(server.channel("broadcaster:admin"), user)) {
                    assertEquals(403, refused.status(), user + ": " + refused.errorBody());
                    assertTrue(refused.errorBody().contains("reserved"), refused.errorBody());
                }
            }
            try (SseStream anonymous = SseStream.open(server.channel("broadcaster:admin"), null);
                 SseStream other = SseStream.open(server.channel("broadcaster:anything"), "bob")) {
                assertEquals(401, anonymous.status());
                assertEquals(403, other.status());
            }
            assertEquals(403, HttpCalls.postJson(server.channel("broadcaster:admin"), "alice",
                    "{\"type\":\"event\",\"event\":\"snapshot\",\"data\":\"{}\"}").statusCode());
            assertEquals(403, HttpCalls.delete(server.channel("broadcaster:admin"), "alice").statusCode());
            assertEquals(403, HttpCalls.get(server.channel("broadcaster:admin/users"), "alice").statusCode());
            assertThrows(IllegalArgumentException.class, () -> registry.create("broadcaster:admin", null));

            String listed = HttpCalls.get(server.uri("sse/channels"), "alice").body();
            assertFalse(listed.contains("broadcaster:"), listed);
            assertTrue(registry.channels().stream().noneMatch(c -> c.name().startsWith("broadcaster:")));
            assertFalse(admin.ended(), "the admin feed is still open");
        }
    }

    /** Waits for a snapshot matching {@code test} whose total of connections is the sum over its channels. */
    private static JsonObject awaitSettled(SseStream admin, Predicate<JsonObject> test, String what) {
        return awaitSnapshot(admin, s -> test.test(s) && s.getInt("connections") == s.getJsonArray("channels")
                .getValuesAs(JsonObject.class).stream().mapToInt(c -> c.getInt("connections")).sum()
                && s.getInt("channelCount") == s.getJsonArray("channels").size(), what);
    }

    private static JsonObject awaitSnapshot(SseStream admin, Predicate<JsonObject> test, String what) {
        EventStreamParser.Event event = admin.awaitEvent(e -> isSnapshot(e) && test.test(parse(e.data())),
                "a snapshot: " + what);
        return parse(event.data());
    }

    /** Forgets the events received so far: later waits see only snapshots sent after this. */
    private static void forget(SseStream admin) {
        admin.takeEvents(0);
    }

    private static boolean isSnapshot(EventStreamParser.Event event) {
        return event.type().equals("snapshot");
    }

    private static JsonObject parse(String json) {
        try (var reader = Json.createReader(new StringReader(json))) {
            return reader.readObject();
        }
    }

    private static Optional<JsonObject> channel(JsonObject snapshot, String name) {
        return snapshot.getJsonArray("channels").getValuesAs(JsonObject.class).stream()
                .filter(c -> c.getString("name").equals(name)).findFirst();
    }

    private static int connections(JsonObject snapshot, String name) {
        return channel(snapshot, name).map(c -> c.getInt("connections")).orElse(0);
    }

    private static Map<String, Integer> tabs(JsonObject channel) {
        return channel.getJsonArray("userTabs").stream().map(JsonValue::asJsonObject)
                .collect(Collectors.toMap(u -> u.getString("user"), u -> u.getInt("tabs")));
    }
}
