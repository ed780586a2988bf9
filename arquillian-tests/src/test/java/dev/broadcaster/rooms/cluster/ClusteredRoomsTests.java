package dev.broadcaster.rooms.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser.Event;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.RedisServer;
import dev.broadcaster.support.SseStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The example clustered on two application servers of one kind, A and B, sharing one real {@code redis-server}, as
 * its users see it over HTTP: a room's stream ({@code rooms/{room}/events}, what its pages read), posting through the
 * room's form ({@code rooms/{room}/messages}, as alice) and the library's built-in listing and disconnect endpoints
 * ({@code sse/channels/...}, alice is an admin). The servers get the cluster's configuration from environment
 * variables (MicroProfile Config's environment source): engine {@code redis}, the Redis URI, a key prefix of this
 * run's own, a node timeout of {@value #NODE_TIMEOUT_SECONDS} s, a heartbeat of 1 s (as in the other app-server
 * suites: a tab that closed is noticed within a second) and a send timeout of 1 s (see below). The last test kills
 * server A.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ClusteredRoomsTests {

    static final int NODE_TIMEOUT_SECONDS = 3;
    static final Duration NODE_TIMEOUT = Duration.ofSeconds(NODE_TIMEOUT_SECONDS);
    private static final Pattern DISTINCT_USERS = Pattern.compile("\"distinctUsers\":\\[([^\\]]*)\\]");

    private RedisServer redis;
    AppServer a;
    AppServer b;

    /** Server {@code label} ({@code a} or {@code b}) of this kind, not started. */
    abstract AppServer server(String label, Path logs);

    /** The servers' kind, for the report ({@code liberty}, {@code payara}). */
    abstract String kind();

    @BeforeAll
    void startCluster() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopCluster, "stop-" + kind() + "-cluster"));
        Path logs = Path.of(System.getProperty("cluster.logs", "target/cluster-logs"));
        long start = System.nanoTime();
        redis = RedisServer.start();
        Map<String, String> cluster = Map.of(
                "BROADCASTER_CLUSTER_ENGINE", "redis",
                "BROADCASTER_CLUSTER_REDIS_URI", redis.uri(),
                "BROADCASTER_CLUSTER_PREFIX", "rooms-it-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36),
                "BROADCASTER_CLUSTER_NODE_TIMEOUT", NODE_TIMEOUT_SECONDS + "s",
                // as in the other app-server suites: a closed tab is noticed at the next heartbeat, within seconds
                "BROADCASTER_HEARTBEAT_INTERVAL", "1s",
                // slow-client eviction is not what this suite tests: with the default 100 ms, a reading subscriber on
                // Payara was once evicted ("write not completed within the send timeout") on a 2-core machine at load
                // average 17, its writing thread starved while the watchdog's ticks ran
                "BROADCASTER_SEND_TIMEOUT", "1s");
        a = server("a", logs);
        b = server("b", logs);
        a.start(cluster);
        b.start(cluster);
        a.awaitReady();
        b.awaitReady();
        record("Redis and two servers started, the example deployed and on Redis, in "
                + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms; CPU time of the servers' JVMs by then: "
                + a.cpuTime().toMillis() + " ms and " + b.cpuTime().toMillis() + " ms; load average "
                + java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    @AfterAll
    void stopCluster() {
        for (AutoCloseable part : Arrays.asList(b, a, redis)) {
            if (part != null) {
                try {
                    part.close();
                } catch (Exception e) {
                    record("could not stop " + part + ": " + e);
                }
            }
        }
    }

    @Test
    @Order(1)
    void messagesPostedOnEitherServerReachEverySubscriberOnBothServersOnceInOneOrder() {
        String room = room("order");
        Map<String, SseStream> subscribers = new LinkedHashMap<>();
        subscribers.put("bob on A", SseStream.connect(a.uri("rooms/" + room + "/events"), "bob"));
        subscribers.put("carol on A", SseStream.connect(a.uri("rooms/" + room + "/events"), "carol"));
        subscribers.put("bob on B", SseStream.connect(b.uri("rooms/" + room + "/events"), "bob"));
        subscribers.put("carol on B", SseStream.connect(b.uri("rooms/" + room + "/events"), "carol"));
        try {
            int posts = 12;
            for (int n = 1; n <= posts; n++) {
                post(n % 2 == 1 ? a : b, room, "m" + n); // odd ones on A, even ones on B
            }
            List<Event> first = null;
            for (Map.Entry<String, SseStream> subscriber : subscribers.entrySet()) {
                String who = subscriber.getKey();
                SseStream stream = subscriber.getValue();
                awaitMessage(stream, "m" + posts);
                stream.awaitCount(e -> !RoomEvents.isPresence(e), posts * RoomEvents.PER_POST,
                        "events of posted messages");
                List<Event> posted = RoomEvents.posted(stream);
                List<String> texts = RoomEvents.texts(posted);
                assertEquals(posts * RoomEvents.PER_POST, posted.size(), who + ": each post's events once: " + posted);
                assertEquals(posts, texts.size(), who + ": one message event per post: " + texts);
                assertEquals(posts, new HashSet<>(texts).size(), who + ": every message once: " + texts);
                assertEquals(texts.stream().filter(t -> odd(t)).toList(),
                        texts.stream().filter(t -> odd(t)).sorted(ClusteredRoomsTests::byNumber).toList(),
                        who + ": the messages posted on A in the order they were posted");
                assertEquals(texts.stream().filter(t -> !odd(t)).toList(),
                        texts.stream().filter(t -> !odd(t)).sorted(ClusteredRoomsTests::byNumber).toList(),
                        who + ": the messages posted on B in the order they were posted");
                assertIdsIncrease(who, posted);
                if (first == null) {
                    first = posted;
                } else {
                    assertEquals(first, posted, who + ": the same events, ids and order as bob on A");
                }
            }
            record("12 posts alternating between A and B: 36 events, the same ids and order on 4 subscribers, 2 per"
                    + " server; order: " + RoomEvents.texts(first));
        } finally {
            subscribers.values().forEach(SseStream::close);
        }
    }

    @Test
    @Order(2)
    void presenceOnEachServerListsTheUsersOfBoth() {
        String room = room("presence");
        try (SseStream bobOnA = SseStream.connect(a.uri("rooms/" + room + "/events"), "bob");
             SseStream carolOnB = SseStream.connect(b.uri("rooms/" + room + "/events"), "carol")) {
            TreeSet<String> both = new TreeSet<>(List.of("bob", "carol"));
            for (SseStream stream : List.of(bobOnA, carolOnB)) {
                awaitPresence(stream, 0, both);
            }
            for (AppServer server : List.of(a, b)) {
                Eventually.equalTo(both, () -> listedUsers(server, room), "the users " + server + " lists");
            }
            int mark = bobOnA.mark();
            carolOnB.close();
            awaitPresence(bobOnA, mark, new TreeSet<>(List.of("bob"))); // after the leave grace (2 s)
            Eventually.equalTo(new TreeSet<>(List.of("bob")), () -> listedUsers(b, room), "the users B lists");
        }
    }

    @Test
    @Order(3)
    void aDisconnectOnOneServerClosesTheUsersTabsOnTheOther() {
        String room = room("disconnect");
        try (SseStream carolOnB = SseStream.connect(b.uri("rooms/" + room + "/events"), "carol");
             SseStream carolOnA = SseStream.connect(a.uri("rooms/" + room + "/events"), "carol");
             SseStream bobOnB = SseStream.connect(b.uri("rooms/" + room + "/events"), "bob")) {
            awaitPresence(bobOnB, 0, new TreeSet<>(List.of("bob", "carol")));
            int mark = bobOnB.mark();
            HttpResponse<String> disconnect = HttpCalls.delete(a.uri("sse/channels/" + room + "/users/carol"),
                    "alice");
            assertEquals(200, disconnect.statusCode(), disconnect.body());
            carolOnB.awaitEnd();
            carolOnA.awaitEnd();
            awaitPresence(bobOnB, mark, new TreeSet<>(List.of("bob")));
            assertFalse(bobOnB.ended(), "bob's tab on B stays open");
            for (AppServer server : List.of(a, b)) {
                Eventually.equalTo(new TreeSet<>(List.of("bob")), () -> listedUsers(server, room),
                        "the users " + server + " lists");
            }
            post(a, room, "after the disconnect");
            awaitMessage(bobOnB, "after the disconnect");
            assertTrue(carolOnB.events().stream().noneMatch(e -> e.data().contains("after the disconnect")),
                    "carol's closed tab got nothing more");
        }
    }

    @Test
    @Order(4)
    void aClientResumesOnTheOtherServerWithTheIdItGotFromTheFirst() {
        String room = room("resume");
        try (SseStream carolOnB = SseStream.connect(b.uri("rooms/" + room + "/events"), "carol")) {
            String lastId;
            try (SseStream bobOnA = SseStream.connect(a.uri("rooms/" + room + "/events"), "bob")) {
                for (int n = 1; n <= 3; n++) {
                    post(a, room, "before " + n);
                }
                awaitMessage(bobOnA, "before 3");
                bobOnA.awaitCount(e -> !RoomEvents.isPresence(e), 3 * RoomEvents.PER_POST, "events of posts");
                lastId = bobOnA.lastEventId(); // what bob's EventSource would send when it reconnects
                List<Event> seen = RoomEvents.posted(bobOnA);
                assertEquals(seen.get(seen.size() - 1).lastEventId(), lastId, "the last id is a posted event's");
            } // bob's tab goes away; the load balancer will send it to B
            List<String> missed = List.of("while away 1", "while away 2", "while away 3");
            post(a, room, missed.get(0));
            post(b, room, missed.get(1));
            post(a, room, missed.get(2));
            awaitMessage(carolOnB, "while away 3");
            carolOnB.awaitCount(e -> !RoomEvents.isPresence(e), 6 * RoomEvents.PER_POST, "events of posts");
            List<Event> carols = RoomEvents.posted(carolOnB);
            List<Event> expected = carols.subList(indexOfId(carols, lastId) + 1, carols.size());
            try (SseStream bobOnB = SseStream.connect(b.uri("rooms/" + room + "/events"), "bob", lastId)) {
                bobOnB.awaitCount(e -> !RoomEvents.isPresence(e), expected.size(), "the missed events");
                post(a, room, "live again");
                awaitMessage(bobOnB, "live again");
                bobOnB.awaitCount(e -> !RoomEvents.isPresence(e), expected.size() + RoomEvents.PER_POST,
                        "the missed events and the live post");
                List<Event> resumed = RoomEvents.posted(bobOnB);
                assertEquals(List.of(), bobOnB.events("resync"), "no resync: every missed event was there");
                assertEquals(expected, resumed.subList(0, expected.size()),
                        "the events posted while away, on both servers, once, in the cluster's order, with the ids"
                                + " another subscriber saw");
                // posted one after the other, but through two servers: their order in the room is Redis's, which
                // need not be the order the HTTP calls returned in (a post returns before its server's writer sent it)
                assertEquals(new TreeSet<>(missed), new TreeSet<>(RoomEvents.texts(expected)));
                assertEquals(missed.size(), RoomEvents.texts(expected).size());
                assertEquals(List.of("live again"), RoomEvents.texts(resumed.subList(expected.size(),
                        resumed.size())), "then the live stream, nothing repeated");
            }
        }
    }

    @Test
    @Order(Integer.MAX_VALUE) // A stays dead
    void killingAServerWithSigkillRemovesItsUsersFromPresenceOnTheOtherWithinTwoNodeTimeouts() {
        String room = room("sigkill");
        try (SseStream bobOnA = SseStream.connect(a.uri("rooms/" + room + "/events"), "bob");
             SseStream carolOnB = SseStream.connect(b.uri("rooms/" + room + "/events"), "carol")) {
            awaitPresence(carolOnB, 0, new TreeSet<>(List.of("bob", "carol")));
            Eventually.equalTo(new TreeSet<>(List.of("bob", "carol")), () -> listedUsers(b, room), "B lists both");
            int mark = carolOnB.mark();
            long pid = a.requireJvm().pid();
            long killed = System.nanoTime();
            a.kill();
            bobOnA.awaitEnd(); // the kernel closed the dead server's sockets
            awaitPresence(carolOnB, mark, new TreeSet<>(List.of("carol")));
            Duration gone = Duration.ofNanos(System.nanoTime() - killed);
            record("SIGKILL of A (pid " + pid + "): its user left presence on B after " + gone.toMillis()
                    + " ms (node timeout " + NODE_TIMEOUT.toMillis() + " ms)");
            assertTrue(gone.compareTo(NODE_TIMEOUT.multipliedBy(2)) < 0, "bob left presence on B " + gone.toMillis()
                    + " ms after A was killed; expected within two node timeouts");
            assertEquals(new TreeSet<>(List.of("carol")), listedUsers(b, room), "B no longer lists A's users");
            post(b, room, "still here");
            awaitMessage(carolOnB, "still here");
        }
    }

    /** Posts {@code text} into {@code room} through the room's form on {@code server}, as alice. */
    static void post(AppServer server, String room, String text) {
        HttpResponse<String> response = HttpCalls.postForm(server.uri("rooms/" + room + "/messages"), "alice", "text",
                text);
        assertEquals(204, response.statusCode(), server + ": " + response.body());
    }

    /** Waits for the {@code message} event of the post {@code text}. */
    static void awaitMessage(SseStream stream, String text) {
        stream.awaitEvent(e -> RoomEvents.isPostedHtmx(e) && RoomEvents.text(e).equals(text), "message '" + text + "'");
    }

    /** Waits for a presence render at or after {@code from} listing exactly {@code users}. */
    static void awaitPresence(SseStream stream, int from, TreeSet<String> users) {
        stream.awaitEventFrom(from, e -> RoomEvents.isHtmxPresence(e) && RoomEvents.users(e).equals(users),
                "presence listing " + users);
    }

    /** The distinct users of {@code room} that {@code server} lists ({@code GET sse/channels/{room}/users}). */
    static TreeSet<String> listedUsers(AppServer server, String room) {
        HttpResponse<String> response = HttpCalls.get(server.uri("sse/channels/" + room + "/users"), "alice");
        assertEquals(200, response.statusCode(), server + ": " + response.body());
        Matcher matcher = DISTINCT_USERS.matcher(response.body());
        assertTrue(matcher.find(), response.body());
        TreeSet<String> users = new TreeSet<>();
        for (String quoted : matcher.group(1).split(",")) {
            if (!quoted.isBlank()) {
                users.add(quoted.trim().replace("\"", ""));
            }
        }
        return users;
    }

    private static void assertIdsIncrease(String subscriber, List<Event> events) {
        List<String> ids = events.stream().map(Event::lastEventId).toList();
        for (int i = 0; i < ids.size(); i++) {
            assertTrue(ids.get(i).matches("\\d+-\\d+"), subscriber + ": a Redis stream id: " + ids.get(i));
            if (i > 0) {
                String[] before = ids.get(i - 1).split("-");
                String[] after = ids.get(i).split("-");
                int order = Long.compare(Long.parseLong(before[0]), Long.parseLong(after[0]));
                assertTrue(order < 0 || order == 0 && Long.parseLong(before[1]) < Long.parseLong(after[1]),
                        subscriber + ": ids increase along the room: " + ids.get(i - 1) + " then " + ids.get(i));
            }
        }
    }

    private static int indexOfId(List<Event> events, String id) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).lastEventId().equals(id)) {
                return i;
            }
        }
        throw new AssertionError("id " + id + " not among " + events);
    }

    private static boolean odd(String text) {
        return Integer.parseInt(text.substring(1)) % 2 == 1;
    }

    private static int byNumber(String x, String y) {
        return Integer.compare(Integer.parseInt(x.substring(1)), Integer.parseInt(y.substring(1)));
    }

    /** A room (channel) name no other test uses. */
    private static String room(String prefix) {
        return prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    }

    void record(String fact) {
        System.out.println("[" + kind() + " cluster] " + fact);
    }
}
