package dev.broadcaster.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What clients see when a node dies or Redis goes away, with real processes killed. */
class RedisClusterFailureTest {

    @Test
    void aNodeKilledWithSigkillLeavesPresenceWithinTwoHeartbeats() {
        try (Cluster cluster = Cluster.start("kill", 2, Map.of())) {
            NodeProcess survivor = cluster.node(0);
            NodeProcess doomed = cluster.node(1);
            String channel = "lobby";
            HttpCalls.postJson(survivor.uri("control/presence/" + channel), "alice", "");
            try (SseStream bob = SseStream.connect(Cluster.stream(survivor, channel), "bob");
                 SseStream carol = SseStream.connect(Cluster.stream(doomed, channel), "carol")) {
                bob.awaitEvent(e -> "presence".equals(e.type()) && e.data().equals("bob,carol"), "carol present");
                bob.takeEvents(1); // forget the presence seen so far: what follows is after the kill
                long killed = System.nanoTime();
                doomed.kill();
                bob.awaitEvent(e -> "presence".equals(e.type()) && e.data().equals("bob"), "carol gone");
                Duration gone = Duration.ofNanos(System.nanoTime() - killed);
                System.out.println("carol left presence " + gone.toMillis() + " ms after her node was killed (heartbeat "
                        + Cluster.HEARTBEAT + ")");
                assertTrue(gone.compareTo(Duration.parse("PT" + Cluster.HEARTBEAT).multipliedBy(2)) <= 0,
                        "carol left presence " + gone.toMillis() + " ms after her node died: more than two heartbeats");
                assertEquals("bob", Cluster.text(survivor, "control/users/" + channel));
            }
        }
    }

    @Test
    void whileRedisIsAwayLocalDeliveryGoesOnAndAfterwardsClientsResyncWithoutDuplicates() {
        try (Cluster cluster = Cluster.start("outage", 2, Map.of())) {
            NodeProcess a = cluster.node(0);
            NodeProcess b = cluster.node(1);
            String channel = "ticker";
            try (SseStream bobOnA = SseStream.connect(Cluster.stream(a, channel), "bob");
                 SseStream carolOnB = SseStream.connect(Cluster.stream(b, channel), "carol")) {
                Cluster.broadcast(a, channel, "before");
                bobOnA.awaitData("before");
                carolOnB.awaitData("before");

                cluster.redis.stop();
                Eventually.equalTo(false, () -> Cluster.ready(a), "node a not ready without Redis");
                Eventually.equalTo(false, () -> Cluster.ready(b), "node b not ready without Redis");
                assertTrue(Cluster.text(a, "control/ready").contains("backplane unavailable"),
                        Cluster.text(a, "control/ready"));
                Cluster.broadcast(a, channel, "during on a");
                Cluster.broadcast(b, channel, "during on b");
                String localId = bobOnA.awaitData("during on a").lastEventId();
                assertTrue(localId.matches("[0-9a-z]+~\\d+"), "an id of node a, not a Redis stream id: " + localId);
                carolOnB.awaitData("during on b");

                cluster.redis.startAgain();
                Eventually.equalTo(true, () -> Cluster.ready(a), "node a ready again");
                Eventually.equalTo(true, () -> Cluster.ready(b), "node b ready again");
                // bob's node lost the backplane (backplane-recovered); carol's node published alone meanwhile, so bob
                // may also be told so (peer-recovered), before or after
                bobOnA.awaitEvent(e -> "resync".equals(e.type()) && e.data().contains("backplane-recovered"),
                        "resync on a for its own outage");
                carolOnB.awaitEvent(e -> "resync".equals(e.type()), "resync on b");

                Cluster.broadcast(b, channel, "after");
                bobOnA.awaitData("after");
                carolOnB.awaitData("after");
                for (SseStream client : List.of(bobOnA, carolOnB)) {
                    List<String> data = client.events().stream().filter(e -> !"resync".equals(e.type()))
                            .map(EventStreamParser.Event::data).toList();
                    assertEquals(data.size(), new HashSet<>(data).size(), "nothing delivered twice: " + data);
                }
                assertEquals(List.of("before", "during on a", "after"), bobOnA.events().stream()
                        .filter(e -> !"resync".equals(e.type())).map(EventStreamParser.Event::data).toList());
                assertEquals(List.of("before", "during on b", "after"), carolOnB.events().stream()
                        .filter(e -> !"resync".equals(e.type())).map(EventStreamParser.Event::data).toList());
            }
        }
    }
}
