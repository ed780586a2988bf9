package dev.broadcaster.cluster.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import dev.broadcaster.cluster.ClusterEngine;
import dev.broadcaster.cluster.ClusterNode;
import dev.broadcaster.support.Eventually;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Two engines on one in-memory backplane keep the engine contract the Redis engine keeps, without Redis. */
class InMemoryClusterEngineTest {

    /** A node that records what its engine calls, and on which thread. */
    static final class RecordingNode implements ClusterNode {
        final String id;
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final List<ConnectionInfo> local = new CopyOnWriteArrayList<>();

        RecordingNode(String id) {
            this.id = id;
        }

        private void record(String call) {
            calls.add(call);
            threads.add(Thread.currentThread().getName());
        }

        @Override public String id() { return id; }
        @Override public void deliver(String channel, ClusterEngine.IdentifiedEvent event, Set<String> exclude,
                                      String origin, long opId) {
            record("deliver " + channel + " " + event.event().data() + " id=" + event.id() + " from " + origin);
        }
        @Override public void deliverTo(String connectionId, SseEvent event) { record("to " + connectionId + " " + event.data()); }
        @Override public void kill(String channel) { record("kill " + channel); }
        @Override public void disconnect(String channel, String user) { record("disconnect " + channel + " " + user); }
        @Override public void presenceChanged(String channel) { record("presence " + channel); }
        @Override public void undelivered(String channel, SseEvent event, Set<String> exclude, long opId) {
            record("undelivered " + channel + " " + event.data());
        }
        @Override public void missed(String channel) { record("missed " + channel); }
        @Override public void backplaneLost() { record("lost"); }
        @Override public void backplaneRecovered() { record("recovered"); }
        @Override public Collection<ConnectionInfo> localConnections() { return local; }

        List<String> delivered() {
            return calls.stream().filter(c -> c.startsWith("deliver ")).toList();
        }
    }

    static InMemoryClusterEngine engine(String backplane, RecordingNode node) {
        InMemoryClusterEngine engine = new InMemoryClusterEngine(backplane, Duration.ofSeconds(1), 3);
        engine.start(node);
        return engine;
    }

    @Test
    void aPublishOnOneNodeReachesBothInOneOrderWithIncreasingIdsOnTheEnginesThread() {
        RecordingNode a = new RecordingNode("a");
        RecordingNode b = new RecordingNode("b");
        try (InMemoryClusterEngine onA = engine("two-nodes", a); InMemoryClusterEngine onB = engine("two-nodes", b)) {
            for (int n = 1; n <= 10; n++) {
                assertTrue((n % 2 == 0 ? onA : onB).publish("room", SseEvent.data("n" + n), Set.of(), n));
            }
            Eventually.equalTo(10, () -> b.delivered().size(), "every event on b");
            Eventually.equalTo(10, () -> a.delivered().size(), "every event on a");
            assertEquals(a.delivered(), b.delivered(), "one order, the same ids, on both nodes");
            assertTrue(a.threads.stream().noneMatch(t -> t.equals(Thread.currentThread().getName())),
                    "never delivered on the publisher's thread: " + a.threads);
            ClusterEngine.Replay latest = onB.latest("room", 10);
            List<String> order = a.delivered().stream().map(c -> c.split(" ")[2]).toList();
            assertEquals(order.subList(7, 10), latest.events().stream().map(e -> e.event().data()).toList(),
                    "the history keeps the last history-size events");
            String kept = latest.events().get(0).id();
            assertEquals(order.subList(8, 10), onA.replay("room", kept).orElseThrow().events().stream()
                    .map(e -> e.event().data()).toList());
            String dropped = a.delivered().get(0).replaceAll(".* id=(\\S+) .*", "$1");
            assertTrue(onA.replay("room", dropped).isEmpty(), "an event no longer kept: resync");
        }
    }

    @Test
    void presenceSendKillAndDisconnectCrossNodesKillAndDisconnectForTheOthersOnly() {
        RecordingNode a = new RecordingNode("a");
        RecordingNode b = new RecordingNode("b");
        try (InMemoryClusterEngine onA = engine("crossing", a); InMemoryClusterEngine onB = engine("crossing", b)) {
            ConnectionInfo carol = new ConnectionInfo("c1", "room", "carol",
                    Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)); // as the backplane keeps it
            onB.joined(carol);
            Eventually.equalTo(List.of(carol), () -> onA.connections("room"), "carol listed from a");
            // the presence announcement reaches each node on the backplane's thread, maybe after the listing
            Eventually.equalTo(true, () -> a.calls.contains("presence room") && b.calls.contains("presence room"),
                    "presence announced to both nodes");
            onA.send("c1", SseEvent.data("hi"));
            Eventually.equalTo(true, () -> b.calls.contains("to c1 hi"), "the send reaches b");
            onA.disconnect("room", "carol");
            onA.kill("room");
            Eventually.equalTo(true, () -> b.calls.contains("kill room"), "the kill reaches b");
            assertTrue(b.calls.contains("disconnect room carol"));
            assertFalse(a.calls.contains("kill room") || a.calls.contains("disconnect room carol"),
                    "the node that killed has already closed its own: " + a.calls);
            onB.left(carol);
            Eventually.equalTo(List.of(), () -> onA.connections("room"), "carol gone");
        }
    }

    @Test
    void aBackplaneDownRefusesPublishesAndItsReturnRegistersAgainAndAsksForAResync() {
        RecordingNode a = new RecordingNode("a");
        try (InMemoryClusterEngine onA = engine("flaky", a)) {
            a.local.add(new ConnectionInfo("c1", "room", "bob", Instant.now()));
            InMemoryBackplane backplane = InMemoryBackplane.named("flaky").orElseThrow();
            backplane.down();
            Eventually.equalTo(true, () -> a.calls.contains("lost"), "backplane lost");
            assertFalse(onA.ready());
            assertFalse(onA.publish("room", SseEvent.data("alone"), Set.of(), 1), "the node delivers it itself");
            backplane.up();
            Eventually.equalTo(true, () -> a.calls.contains("recovered"), "told to resync");
            assertTrue(onA.ready());
            Eventually.equalTo(1, () -> onA.connections("room").size(), "its connections registered again");
            assertNotEquals(-1, a.calls.indexOf("lost"));
        }
        assertTrue(InMemoryBackplane.named("flaky").isEmpty(), "the backplane goes with its last engine");
    }
}
