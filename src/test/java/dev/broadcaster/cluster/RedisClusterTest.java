package dev.broadcaster.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three broadcaster nodes in their own JVMs on one real Redis behave as one broadcaster, as seen by clients
 * over HTTP: delivery and order across nodes, presence, disconnect and kill, send to one connection, resume
 * on another node.
 */
class RedisClusterTest {

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start("shared", 3, Map.of());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aBroadcastOnAnyNodeReachesEveryNodeOnceInOneOrderKeepingEachNodesPublishOrder() {
        String channel = "order";
        List<SseStream> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(SseStream.connect(Cluster.stream(cluster.node(i), channel), "bob"));
            }
            for (int n = 1; n <= 60; n++) {
                Cluster.broadcast(cluster.node(n % 3), channel, "event " + n);
            }
            List<String> firstOrder = null;
            List<String> firstIds = null;
            for (SseStream client : clients) {
                List<EventStreamParser.Event> events = client.awaitEvents(60);
                List<String> data = events.stream().map(EventStreamParser.Event::data).toList();
                assertEquals(60, new HashSet<>(data).size(), "every event once: " + data);
                for (int node = 0; node < 3; node++) {
                    int publishedThere = node;
                    List<Integer> fromNode = data.stream().map(d -> Integer.parseInt(d.substring(6)))
                            .filter(n -> n % 3 == publishedThere).toList();
                    assertEquals(fromNode.stream().sorted().toList(), fromNode,
                            "the events published through node " + node + " in the order they were published");
                }
                List<String> ids = events.stream().map(EventStreamParser.Event::lastEventId).toList();
                assertTrue(ids.stream().allMatch(id -> id.matches("\\d+-\\d+")), "Redis stream ids: " + ids);
                for (int i = 1; i < ids.size(); i++) {
                    String[] before = ids.get(i - 1).split("-");
                    String[] after = ids.get(i).split("-");
                    int order = Long.compare(Long.parseLong(before[0]), Long.parseLong(after[0]));
                    assertTrue(order < 0 || order == 0 && Long.parseLong(before[1]) < Long.parseLong(after[1]),
                            "ids increase along the channel: " + ids.get(i - 1) + " then " + ids.get(i));
                }
                if (firstOrder == null) {
                    firstOrder = data;
                    firstIds = ids;
                } else {
                    assertEquals(firstOrder, data, "one order on every node");
                    assertEquals(firstIds, ids, "the same ids on every node");
                }
            }
        } finally {
            clients.forEach(SseStream::close);
        }
    }

    @Test
    void presenceCountsAUserWithTabsOnTwoNodesOnce() {
        String channel = "room";
        for (NodeProcess node : cluster.nodes) {
            HttpCalls.postJson(node.uri("control/presence/" + channel), "alice", "");
        }
        try (SseStream watcher = SseStream.connect(Cluster.stream(cluster.node(0), channel), "dave")) {
            SseStream carolOnB = SseStream.connect(Cluster.stream(cluster.node(1), channel), "carol");
            SseStream carolOnC = SseStream.connect(Cluster.stream(cluster.node(2), channel), "carol");
            watcher.awaitEvent(e -> "presence".equals(e.type()) && e.data().equals("dave,carol"),
                    "presence with carol, on another node, once");
            for (NodeProcess node : cluster.nodes) {
                Eventually.equalTo("dave,carol", () -> Cluster.text(node, "control/users/" + channel),
                        "distinct users listed on " + node);
            }
            String listing = Cluster.text(cluster.node(2), "sse/channels/" + channel + "/users");
            assertTrue(listing.contains("\"users\":[\"dave\",\"carol\",\"carol\"]"), "users() lists carol's two tabs: "
                    + listing);
            carolOnB.close();
            Eventually.equalTo("dave,carol", () -> Cluster.text(cluster.node(0), "control/users/" + channel),
                    "carol still present with one tab left on node c");
            watcher.takeEvents(1); // forget the presence seen so far: what follows is after carol's last tab left
            carolOnC.close();
            watcher.awaitEvent(e -> "presence".equals(e.type()) && e.data().equals("dave"), "presence without carol");
        }
    }

    @Test
    void disconnectAndKillOnOneNodeCloseConnectionsOnEveryNode() {
        String channel = "moderated";
        try (SseStream bobOnA = SseStream.connect(Cluster.stream(cluster.node(0), channel), "bob");
             SseStream bobOnB = SseStream.connect(Cluster.stream(cluster.node(1), channel), "bob");
             SseStream carolOnC = SseStream.connect(Cluster.stream(cluster.node(2), channel), "carol")) {
            Eventually.equalTo("bob,carol", () -> Cluster.text(cluster.node(2), "control/users/" + channel),
                    "everyone registered");
            assertEquals(200, HttpCalls.delete(cluster.node(2).uri("sse/channels/" + channel + "/users/bob"), "alice")
                    .statusCode());
            bobOnA.awaitEnd();
            bobOnB.awaitEnd();
            Eventually.equalTo("carol", () -> Cluster.text(cluster.node(0), "control/users/" + channel),
                    "bob gone from the cluster's users");
            assertTrue(!carolOnC.ended(), "carol stays");
            assertEquals(200, HttpCalls.delete(cluster.node(0).uri("sse/channels/" + channel), "alice").statusCode());
            carolOnC.awaitEnd();
            Eventually.equalTo("", () -> Cluster.text(cluster.node(1), "control/users/" + channel), "channel empty");
        }
    }

    @Test
    void sendToOneConnectionReachesItOnAnotherNode() {
        String channel = "direct";
        try (SseStream carolOnC = SseStream.connect(Cluster.stream(cluster.node(2), channel), "carol")) {
            String id = carolOnC.connectionId();
            Eventually.equalTo("carol", () -> Cluster.text(cluster.node(0), "control/users/" + channel), "registered");
            assertEquals("true", HttpCalls.postJson(cluster.node(0).uri("control/send/" + id), "alice", "just for you")
                    .body());
            EventStreamParser.Event event = carolOnC.awaitData("just for you");
            assertEquals("direct", event.type());
            assertEquals("false", HttpCalls.postJson(cluster.node(0).uri("control/send/no-such-connection"), "alice",
                    "lost").body(), "an unknown connection is not found on any node");
        }
    }

    @Test
    void resumingOnAnotherNodeLosesAndRepeatsNothingWhilePublishingGoesOn() throws Exception {
        String channel = "resume";
        // reconnects to another node, as a load balancer may send it, while events keep coming
        Moved moved = moveWhilePublishing(n -> Cluster.broadcast(cluster.node(0), channel, "n" + n),
                Cluster.stream(cluster.node(0), channel), Cluster.stream(cluster.node(1), channel));
        assertEquals(moved.expected(), moved.received(), "every event after the first one seen, once, in order");
        assertTrue(moved.received().size() >= 40,
                "events were published while the client moved: " + moved.received().size());
    }

    @Test
    void aStreamOfTwoChannelsResumesOnAnotherNodeLosingAndRepeatingNothing() throws Exception {
        // the same stream, reconnected to another node
        Moved moved = moveWhilePublishing(
                n -> Cluster.broadcast(cluster.node(n % 2), n % 3 == 0 ? "multi-b" : "multi-a", "n" + n),
                cluster.node(0).uri("sse/stream?channel=multi-a&channel=multi-b"),
                cluster.node(2).uri("sse/stream?channel=multi-a&channel=multi-b"));
        List<String> received = moved.received();
        List<String> expected = moved.expected();
        assertEquals(expected, received.stream().sorted(Comparator.comparingInt(
                d -> Integer.parseInt(d.substring(1)))).toList(), "every event once");
        assertEquals(received.stream().filter(d -> Integer.parseInt(d.substring(1)) % 3 == 0).toList(),
                expected.stream().filter(d -> Integer.parseInt(d.substring(1)) % 3 == 0).toList(),
                "b's events in b's order");
        assertTrue(moved.afterMove().stream().noneMatch(e -> e.type().equals("resync")));
    }

    /**
     * What a client that moved received: the data of its events on both streams, the data of every event from the
     * first it saw to the last published ({@code n<first>} ... {@code n<last>}), and its events after the move.
     */
    private record Moved(List<String> received, List<String> expected, List<EventStreamParser.Event> afterMove) {
    }

    /**
     * Publishes event {@code n1}, {@code n2}, ... with {@code publish} (given n) on a thread of its own while bob
     * takes 20 events from {@code first}, closes it and opens {@code second} with the last id he saw; when 20 more
     * arrived there, publishing stops and bob waits for the last event published.
     */
    private static Moved moveWhilePublishing(IntConsumer publish, URI first, URI second) throws Exception {
        AtomicBoolean publishing = new AtomicBoolean(true);
        AtomicInteger published = new AtomicInteger();
        Thread publisher = new Thread(() -> {
            while (publishing.get()) {
                publish.accept(published.incrementAndGet());
            }
        });
        List<String> received = new ArrayList<>();
        SseStream before = SseStream.connect(first, "bob");
        publisher.start();
        try {
            before.awaitEvents(20);
            before.close();
            List<EventStreamParser.Event> seen = before.events();
            received.addAll(seen.stream().map(EventStreamParser.Event::data).toList());
            String lastId = seen.get(seen.size() - 1).lastEventId();
            try (SseStream after = SseStream.connect(second, "bob", lastId)) {
                after.awaitEvents(20);
                publishing.set(false);
                publisher.join();
                int total = published.get();
                after.awaitData("n" + total);
                received.addAll(after.events().stream().map(EventStreamParser.Event::data).toList());
                int firstSeen = Integer.parseInt(received.get(0).substring(1));
                List<String> expected = new ArrayList<>();
                for (int n = firstSeen; n <= total; n++) {
                    expected.add("n" + n);
                }
                return new Moved(received, expected, after.events());
            }
        } finally {
            publishing.set(false);
            publisher.join();
        }
    }

    @Test
    void aPositionTakenOnOneNodeResumesOnAnotherWithEverythingPublishedAfterIt() {
        String fresh = "position-fresh";
        String used = "position-used";
        Cluster.broadcast(cluster.node(0), used, "before");
        String freshPosition = Cluster.text(cluster.node(0), "control/position?channel=" + fresh);
        String usedPosition = Cluster.text(cluster.node(0), "control/position?channel=" + used);
        String streamPosition = Cluster.text(cluster.node(0), "control/position?channel=" + fresh + "&channel=" + used);
        for (int n = 1; n <= 5; n++) {
            Cluster.broadcast(cluster.node(1), fresh, "fresh " + n);
            Cluster.broadcast(cluster.node(1), used, "used " + n);
        }
        try (SseStream onFresh = SseStream.connect(Cluster.stream(cluster.node(2), fresh), "bob", freshPosition);
             SseStream onUsed = SseStream.connect(Cluster.stream(cluster.node(2), used), "bob", usedPosition);
             SseStream both = SseStream.connect(cluster.node(1).uri("sse/stream?channel=" + fresh + "&channel=" + used),
                     "bob", streamPosition)) {
            assertEquals(List.of("fresh 1", "fresh 2", "fresh 3", "fresh 4", "fresh 5"),
                    onFresh.awaitEvents(5).stream().map(EventStreamParser.Event::data).toList());
            assertEquals(List.of("used 1", "used 2", "used 3", "used 4", "used 5"),
                    onUsed.awaitEvents(5).stream().map(EventStreamParser.Event::data).toList());
            List<String> all = both.awaitEvents(10).stream().map(EventStreamParser.Event::data).toList();
            assertEquals(10, all.size(), all.toString());
            assertEquals(List.of("used 1", "used 2", "used 3", "used 4", "used 5"),
                    all.stream().filter(d -> d.startsWith("used")).toList());
        }
    }

    @Test
    void recentHistoryOnConnectComesFromTheClusterOnANodeThatSawNone() {
        String channel = "recent";
        try (SseStream early = SseStream.connect(Cluster.stream(cluster.node(0), channel), "bob")) {
            for (int n = 1; n <= 5; n++) {
                Cluster.broadcast(cluster.node(0), channel, "past " + n);
            }
            early.awaitData("past 5");
        }
        try (SseStream late = SseStream.connect(cluster.node(2).uri("sse/channels/" + channel + "?history=3"), "carol")) {
            late.awaitEvents(3);
            Cluster.broadcast(cluster.node(1), channel, "live");
            late.awaitData("live");
            assertEquals(List.of("past 3", "past 4", "past 5", "live"),
                    late.events().stream().map(EventStreamParser.Event::data).toList());
        }
    }

    @Test
    void resumingAfterAnEventNoLongerKeptGetsResync() {
        String channel = "long-gone";
        String staleId;
        try (SseStream early = SseStream.connect(Cluster.stream(cluster.node(0), channel), "bob")) {
            Cluster.broadcast(cluster.node(0), channel, "first");
            staleId = early.awaitData("first").lastEventId();
            for (int n = 0; n < 60; n++) { // history-size is 50
                Cluster.broadcast(cluster.node(1), channel, "later " + n);
            }
            early.awaitData("later 59");
        }
        try (SseStream late = SseStream.connect(Cluster.stream(cluster.node(2), channel), "bob", staleId)) {
            EventStreamParser.Event resync = late.awaitEvent(e -> "resync".equals(e.type()), "resync");
            assertTrue(resync.data().contains("\"channel\":\"long-gone\""), resync.data());
            Cluster.broadcast(cluster.node(0), channel, "after resync");
            late.awaitData("after resync");
            Set<String> data = new HashSet<>(late.events().stream().map(EventStreamParser.Event::data).toList());
            assertTrue(!data.contains("later 0"), "nothing replayed after a resync");
            assertNotEquals(null, late.lastEventId());
        }
    }
}
