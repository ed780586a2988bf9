package dev.broadcaster.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.SseStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;

/**
 * Junk in Redis (a cluster without a secret) breaks nothing: a stream entry the engine did not write means "no
 * replay" ({@code resync}, HTTP 200), never a 500; a bus message that is not one is skipped and counted, and the
 * bus goes on.
 */
class RedisJunkTest {

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start("junk", 2, Map.of());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aJunkStreamEntryMakesAResumeOnAnotherNodeAResyncNotA500() {
        for (Map<String, String> junk : List.of(Map.of("junk", "1"), Map.of("e", "no newline in it"),
                Map.of("e", "name\nnot-a-number\ndata"))) {
            String channel = "poison-" + junk.hashCode();
            String firstId;
            try (SseStream bobOnA = SseStream.connect(Cluster.stream(cluster.node(0), channel), "bob")) {
                Cluster.broadcast(cluster.node(0), channel, "real");
                firstId = bobOnA.awaitData("real").lastEventId();
                try (Jedis jedis = cluster.redis.jedis()) {
                    jedis.xadd("broadcaster:stream:" + channel, StreamEntryID.NEW_ENTRY, junk);
                }
                Cluster.broadcast(cluster.node(0), channel, "after the junk");
                bobOnA.awaitData("after the junk");
            }
            // node b never had the channel: it asks Redis for what followed firstId
            SseStream resumed = SseStream.open(Cluster.stream(cluster.node(1), channel), "bob", firstId);
            try (resumed) {
                assertEquals(200, resumed.status(), "resume with junk " + junk + ": " + resumed.errorBody());
                EventStreamParser.Event resync = resumed.awaitEvent(e -> "resync".equals(e.type()), "resync");
                assertTrue(resync.data().contains("\"channel\":\"" + channel + "\""), resync.data());
                Cluster.broadcast(cluster.node(0), channel, "live");
                resumed.awaitData("live");
                assertFalse(resumed.events().stream().anyMatch(e -> "after the junk".equals(e.data())),
                        "nothing replayed across the junk");
            }
            try (SseStream history = SseStream.connect(
                    cluster.node(1).uri("sse/channels/" + channel + "?history=10"), "carol")) {
                Cluster.broadcast(cluster.node(0), channel, "later");
                history.awaitData("later");
                assertEquals(List.of("real", "after the junk", "live", "later"),
                        history.events().stream().map(EventStreamParser.Event::data).toList(),
                        "history on connect leaves the junk out");
            }
        }
    }

    @Test
    void junkOnTheBusIsSkippedAndCountedAndTheBusGoesOn() {
        String channel = "lobby";
        long before = Cluster.rejected(cluster.node(0));
        try (SseStream bobOnA = SseStream.connect(Cluster.stream(cluster.node(0), channel), "bob")) {
            try (Jedis jedis = cluster.redis.jedis()) {
                for (String junk : List.of("hello", "E\tx", "E\tx\tnot-a-number\tlobby\t\t1-0\n\n\nforged",
                        "E\tx\t1\tlobby\t\tnot-an-id\n\n\nforged", "E\tx\t1\tlobby\t\t1-0\nno body", "S\tx",
                        "K\tx", "Q\tx\tlobby")) {
                    jedis.publish("broadcaster:bus", junk);
                }
            }
            Cluster.broadcast(cluster.node(1), channel, "still delivered");
            bobOnA.awaitData("still delivered");
            assertFalse(bobOnA.events().stream().anyMatch(e -> "forged".equals(e.data())), "no junk delivered");
            assertFalse(bobOnA.ended(), "the stream stays open");
            Eventually.equalTo(before + 8, () -> Cluster.rejected(cluster.node(0)),
                    "rejected bus messages in node a's readiness data");
        }
    }
}
