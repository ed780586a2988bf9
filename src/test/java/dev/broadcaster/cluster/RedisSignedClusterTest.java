package dev.broadcaster.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.StreamEntryID;

/**
 * With {@code broadcaster.cluster.secret}, the nodes obey only what a node with the secret wrote: whoever else
 * writes to Redis cannot send events to clients, kill channels, disconnect users or plant history; what they
 * send is counted in each node's readiness data.
 */
class RedisSignedClusterTest {

    private static final String FORGED = "<img src=x onerror=alert(1)>";
    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start("signed", 2, Map.of("broadcaster.cluster.secret", "correct horse battery staple"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aForgedEventKillAndDisconnectReachNobodyAndAreCounted() {
        String channel = "lobby";
        long[] before = cluster.nodes.stream().mapToLong(Cluster::rejected).toArray();
        try (SseStream bobOnA = SseStream.connect(Cluster.stream(cluster.node(0), channel), "bob");
             SseStream carolOnB = SseStream.connect(Cluster.stream(cluster.node(1), channel), "carol")) {
            Cluster.broadcast(cluster.node(1), channel, "signed and delivered");
            bobOnA.awaitData("signed and delivered");
            try (Jedis jedis = cluster.redis.jedis()) {
                jedis.publish("broadcaster:bus", "E\tforged-node\t1\t" + channel + "\t\t1796160000000-0\n\n\n" + FORGED);
                jedis.publish("broadcaster:bus", "K\tforged-node\t" + channel);
                jedis.publish("broadcaster:bus", "D\tforged-node\t" + channel + "\ncarol");
            }
            Cluster.broadcast(cluster.node(1), channel, "after the forgeries");
            bobOnA.awaitData("after the forgeries");
            carolOnB.awaitData("after the forgeries");
            for (SseStream client : List.of(bobOnA, carolOnB)) {
                assertFalse(client.events().stream().anyMatch(e -> FORGED.equals(e.data())), "no forged event");
                assertFalse(client.ended(), "neither killed nor disconnected");
            }
            for (int i = 0; i < cluster.nodes.size(); i++) {
                NodeProcess node = cluster.node(i);
                Eventually.equalTo(before[i] + 3, () -> Cluster.rejected(node), "forged messages counted on " + node);
            }
        }
    }

    @Test
    void aSignedMessageWithItsDataChangedIsRefused() throws Exception {
        String channel = "tampered";
        BlockingQueue<String> captured = new LinkedBlockingQueue<>();
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onMessage(String bus, String message) {
                captured.add(message);
            }
        };
        Thread eavesdropper = new Thread(() -> {
            try (Jedis jedis = cluster.redis.jedis()) {
                jedis.subscribe(listener, "broadcaster:bus");
            }
        });
        eavesdropper.start();
        try (SseStream bobOnA = SseStream.connect(Cluster.stream(cluster.node(0), channel), "bob")) {
            Eventually.equalTo(true, listener::isSubscribed, "eavesdropping");
            long before = Cluster.rejected(cluster.node(0));
            Cluster.broadcast(cluster.node(1), channel, "original");
            bobOnA.awaitData("original");
            String original = null;
            while (original == null || !original.endsWith("original")) {
                original = captured.poll(10, TimeUnit.SECONDS);
                assertTrue(original != null, "the signed message seen on the bus");
            }
            assertTrue(original.startsWith("#"), "a signed message: " + original.substring(0, 60));
            try (Jedis jedis = cluster.redis.jedis()) {
                jedis.publish("broadcaster:bus", original.replace("original", FORGED));
                jedis.publish("broadcaster:bus", original.replace("\t" + channel + "\t", "\tother\t"));
                jedis.publish("broadcaster:bus", original.substring(original.indexOf('\n') + 1)); // signature cut off
            }
            Cluster.broadcast(cluster.node(1), channel, "next");
            bobOnA.awaitData("next");
            assertFalse(bobOnA.events().stream().anyMatch(e -> FORGED.equals(e.data())), "no altered event");
            Eventually.equalTo(before + 3, () -> Cluster.rejected(cluster.node(0)), "altered messages counted");
        } finally {
            listener.unsubscribe();
            eavesdropper.join();
        }
    }

    @Test
    void aStreamEntryNotWrittenByANodeIsNeverReplayed() {
        String channel = "planted";
        String firstId;
        try (SseStream bobOnA = SseStream.connect(Cluster.stream(cluster.node(0), channel), "bob")) {
            Cluster.broadcast(cluster.node(0), channel, "real");
            firstId = bobOnA.awaitData("real").lastEventId();
            try (Jedis jedis = cluster.redis.jedis()) {
                // well formed, as an unsigned cluster writes it, but without the signature
                jedis.xadd("broadcaster:stream:" + channel, StreamEntryID.NEW_ENTRY, Map.of("e", "\n\n" + FORGED));
            }
        }
        long before = Cluster.rejected(cluster.node(1));
        try (SseStream resumed = SseStream.open(Cluster.stream(cluster.node(1), channel), "bob", firstId)) {
            assertEquals(200, resumed.status(), resumed.errorBody());
            resumed.awaitEvent(e -> "resync".equals(e.type()), "resync instead of the planted entry");
            Cluster.broadcast(cluster.node(0), channel, "live");
            resumed.awaitData("live");
            assertFalse(resumed.events().stream().anyMatch(e -> FORGED.equals(e.data())), "nothing planted replayed");
        }
        try (SseStream history = SseStream.connect(cluster.node(1).uri("sse/channels/" + channel + "?history=10"),
                "carol")) {
            Cluster.broadcast(cluster.node(0), channel, "later");
            history.awaitData("later");
            assertEquals(List.of("real", "live", "later"),
                    history.events().stream().map(EventStreamParser.Event::data).toList(), "history without the planted entry");
        }
        assertTrue(Cluster.rejected(cluster.node(1)) >= before + 2, "the planted entry counted on node b");
    }

    @Test
    void presenceWorksSigned() {
        String channel = "room";
        for (NodeProcess node : cluster.nodes) {
            HttpCalls.postJson(node.uri("control/presence/" + channel), "alice", "");
        }
        long before = Cluster.rejected(cluster.node(0));
        try (SseStream watcher = SseStream.connect(Cluster.stream(cluster.node(0), channel), "dave")) {
            try (SseStream carolOnB = SseStream.connect(Cluster.stream(cluster.node(1), channel), "carol")) {
                watcher.awaitEvent(e -> "presence".equals(e.type()) && e.data().equals("dave,carol"),
                        "presence with carol, announced by a signed message");
            }
            watcher.awaitEvent(e -> "presence".equals(e.type()) && e.data().equals("dave"), "carol left");
        }
        assertEquals(before, Cluster.rejected(cluster.node(0)), "nothing of the nodes' own refused");
    }

    @Test
    void aResumeOnAnotherNodeReplaysTheSignedEntries() {
        String channel = "resume-signed";
        String firstId;
        try (SseStream bobOnA = SseStream.connect(Cluster.stream(cluster.node(0), channel), "bob")) {
            for (int n = 1; n <= 3; n++) {
                Cluster.broadcast(cluster.node(0), channel, "n" + n);
            }
            firstId = bobOnA.awaitData("n1").lastEventId();
            bobOnA.awaitData("n3");
        }
        long before = Cluster.rejected(cluster.node(1));
        try (SseStream resumed = SseStream.connect(Cluster.stream(cluster.node(1), channel), "bob", firstId)) {
            resumed.awaitData("n3");
            assertEquals(List.of("n2", "n3"), resumed.events().stream().map(EventStreamParser.Event::data).toList());
        }
        assertEquals(before, Cluster.rejected(cluster.node(1)), "nothing refused");
    }
}
