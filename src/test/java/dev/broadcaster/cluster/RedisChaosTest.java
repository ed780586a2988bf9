package dev.broadcaster.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.ChaosProxy;
import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes, each reaching a real Redis through its own {@link dev.broadcaster.support.ChaosProxy}, bob subscribed on
 * node a and carol on node b; during each fault both nodes publish. The rule every client must see: each event
 * received once and, after the last {@code resync} it got, in each publisher's order; and every event it did not
 * receive answered by a {@code resync}. Each test prints a row of the table the README shows: events published during
 * the fault on each node, events each client received of them and the resyncs it got, and how long after the fault
 * ended (or, for a fault nobody repairs, after it began) both clients received what was published next.
 */
class RedisChaosTest {

    private static final int DURING = 5;
    private static final List<String> TABLE = new CopyOnWriteArrayList<>();
    /** Small enough for a burst to overflow it; every other fault publishes far less. */
    private static final Map<String, String> SETTINGS = Map.of("broadcaster.cluster.max-queued", "50",
            "broadcaster.queue-size", "1000");
    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.startBehindProxies("chaos", 2, SETTINGS);
    }

    /** What one client saw of the events published during a fault. */
    record Seen(int received, int resyncs) {
        @Override
        public String toString() {
            return received + " + " + resyncs + " resync";
        }
    }

    @AfterEach
    void healTheNetwork() {
        cluster.proxies.forEach(ChaosProxy::pass);
    }

    @AfterAll
    static void stopClusterAndPrintTable() {
        if (cluster != null) {
            cluster.close();
        }
        System.out.println("| fault | published during (a / b) | bob on a received | carol on b received | recovered in |");
        System.out.println("|---|---|---|---|---|");
        TABLE.forEach(System.out::println);
    }

    @Test
    void aSilentlyDroppedSubscriptionIsNoticedAndItsClientsResync() {
        run("deaf", "subscriber of b blackholed", fault -> {
                cluster.proxy(1).blackhole(link -> link.sent("SUBSCRIBE"));
                fault.publishDuring();
                // nobody repairs this: node b must notice by itself, reconnect and resync its clients
            }, true);
    }

    @Test
    void aNodeCutOffSilentlyRecoversAndEveryClientIsWholeOrResyncs() {
        run("blackhole", "everything of b blackholed", fault -> {
                cluster.proxy(1).blackholeAll();
                cluster.proxy(1).blackhole(link -> true);
                fault.publishDuring();
                Eventually.equalTo(false, () -> Cluster.ready(cluster.node(1)), "node b not ready");
                fault.publishDuring();
                cluster.proxy(1).pass();
            }, false);
    }

    @Test
    void aRedisRestartLosesNothingSilently() {
        run("restart", "Redis restarted (data lost)", fault -> {
                cluster.redis.stop();
                Eventually.equalTo(false, () -> Cluster.ready(cluster.node(0)), "node a not ready");
                Eventually.equalTo(false, () -> Cluster.ready(cluster.node(1)), "node b not ready");
                fault.publishDuring();
                cluster.redis.startAgain();
            }, false);
    }

    @Test
    void whenOneNodesPathIsCutTheOtherNodesClientsResyncForWhatOnlyItsClientsGot() {
        run("cut", "path of b cut (reset, refused)", fault -> {
                cluster.proxy(1).cut();
                Eventually.equalTo(false, () -> Cluster.ready(cluster.node(1)), "node b not ready");
                Eventually.equalTo(true, () -> Cluster.ready(cluster.node(0)), "node a still ready");
                fault.publishDuring();
                cluster.proxy(1).pass();
            }, false);
    }

    @Test
    void aWriterQueueThatOverflowsIsAnOutageNotASilentLocalDelivery() {
        run("overflow", "queue of b overflowed (Redis slow)", fault -> {
                cluster.proxy(1).delay(Duration.ofMillis(200));
                fault.burst(1, 300);
                Eventually.equalTo(false, () -> Cluster.ready(cluster.node(1)), "node b not ready");
                cluster.proxy(1).pass();
            }, false);
    }

    @Test
    void whatACutOffNodeCouldNotPassOnReachesTheOthersOnceItIsBackAndPresenceConverges() {
        NodeProcess a = cluster.node(0);
        NodeProcess b = cluster.node(1);
        Eventually.equalTo(true, () -> Cluster.ready(a) && Cluster.ready(b), "both nodes ready before the fault");
        String room = "converge";
        String doomed = "converge-doomed";
        HttpCalls.postJson(a.uri("control/presence/" + room), "alice", "");
        HttpCalls.postJson(b.uri("control/presence/" + room), "alice", "");
        try (SseStream bob = SseStream.connect(Cluster.stream(a, room), "bob");
             SseStream carol = SseStream.connect(Cluster.stream(b, room), "carol");
             SseStream bobInDoomed = SseStream.connect(Cluster.stream(a, doomed), "bob")) {
            bob.awaitEvent(e -> "presence".equals(e.type()) && e.data().equals("bob,carol"), "carol present on a");
            cluster.proxy(1).cut();
            Eventually.equalTo(false, () -> Cluster.ready(b), "node b not ready");
            // while b is cut off: carol leaves, dave comes, and b kills a channel bob is on
            carol.close();
            try (SseStream dave = SseStream.connect(Cluster.stream(b, room), "dave")) {
                HttpResponse<String> killed = HttpCalls.delete(b.uri("sse/channels/" + doomed), "alice");
                assertEquals(200, killed.statusCode(), killed.body());
                long healed = System.nanoTime();
                cluster.proxy(1).pass();
                bob.awaitEvent(e -> "presence".equals(e.type()) && e.data().equals("bob,dave"),
                        "presence on a: carol gone, dave there");
                Duration converged = Duration.ofNanos(System.nanoTime() - healed);
                bobInDoomed.awaitEnd();
                assertEquals("bob,dave", Cluster.text(a, "control/users/" + room));
                System.out.println("presence converged " + converged.toMillis() + " ms after the path to Redis healed"
                        + " (node timeout " + Cluster.HEARTBEAT + ")");
                assertTrue(converged.compareTo(Duration.parse("PT" + Cluster.HEARTBEAT).multipliedBy(2)) <= 0,
                        "presence converged " + converged.toMillis() + " ms after the network healed: more than two"
                                + " node timeouts");
            }
        }
    }

    // ---- the scenario every fault runs in ---------------------------------------------------------------

    interface Fault {
        void inject(Faulted fault);
    }

    /** What a fault does while it lasts: publish on both nodes, and remember what it published. */
    static final class Faulted {
        private final String channel;
        private final Map<String, List<String>> published = new LinkedHashMap<>(); // by node, in order
        private final Map<String, Integer> next = new HashMap<>();

        Faulted(String channel) {
            this.channel = channel;
            published.put("a", new ArrayList<>());
            published.put("b", new ArrayList<>());
        }

        /** Publishes {@value RedisChaosTest#DURING} events on each node. */
        void publishDuring() {
            for (int i = 0; i < DURING; i++) {
                for (String node : List.of("a", "b")) {
                    int n = next.merge(node, 1, Integer::sum);
                    String data = node + "-" + n;
                    Cluster.broadcast(cluster.node(node.equals("a") ? 0 : 1), channel, data);
                    published.get(node).add(data);
                }
            }
        }

        /** Publishes {@code count} events as fast as node {@code index} can (its control endpoint's loop). */
        void burst(int index, int count) {
            String node = index == 0 ? "a" : "b";
            dev.broadcaster.support.HttpCalls.postJson(cluster.node(index).uri("control/burst/" + channel + "/" + count),
                    "alice", node + "-burst");
            for (int n = 1; n <= count; n++) {
                published.get(node).add(node + "-burst " + n);
            }
        }

        List<String> all() {
            List<String> all = new ArrayList<>();
            published.values().forEach(all::addAll);
            return all;
        }
    }

    private static void run(String channel, String name, Fault fault, boolean repairsItself) {
        NodeProcess a = cluster.node(0);
        NodeProcess b = cluster.node(1);
        Eventually.equalTo(true, () -> Cluster.ready(a) && Cluster.ready(b), "both nodes ready before the fault");
        try (SseStream bob = SseStream.connect(Cluster.stream(a, channel), "bob");
             SseStream carol = SseStream.connect(Cluster.stream(b, channel), "carol")) {
            Cluster.broadcast(a, channel, "before");
            bob.awaitData("before");
            carol.awaitData("before");
            int bobFrom = bob.mark();
            int carolFrom = carol.mark();

            long began = System.nanoTime();
            Faulted faulted = new Faulted(channel);
            fault.inject(faulted);
            long ended = repairsItself ? began : System.nanoTime();

            Eventually.equalTo(true, () -> Cluster.ready(a), "node a ready after the fault");
            Eventually.equalTo(true, () -> Cluster.ready(b), "node b ready after the fault");
            // what was missed is answered by a resync before the clients count as recovered
            List<String> during = faulted.all();
            for (SseStream client : List.of(bob, carol)) {
                int from = client == bob ? bobFrom : carolFrom;
                Eventually.equalTo(true, () -> received(client, from).containsAll(during)
                        || client.events().subList(from, client.events().size()).stream()
                                .anyMatch(e -> "resync".equals(e.type())),
                        client + " received every event published during the fault, or a resync");
            }
            Cluster.broadcast(a, channel, "after on a");
            Cluster.broadcast(b, channel, "after on b");
            for (SseStream client : List.of(bob, carol)) {
                client.awaitData("after on a");
                client.awaitData("after on b");
            }
            Duration recovered = Duration.ofNanos(System.nanoTime() - ended);

            Seen bobSaw = check(bob, bobFrom, faulted);
            Seen carolSaw = check(carol, carolFrom, faulted);
            TABLE.add("| " + name + " | " + faulted.published.get("a").size() + " / " + faulted.published.get("b").size()
                    + " | " + bobSaw + " | " + carolSaw + " | " + recovered.toMillis() + " ms"
                    + (repairsItself ? " after it began" : "") + " |");
        }
    }

    private static Set<String> received(SseStream client, int from) {
        Set<String> got = new HashSet<>();
        List<EventStreamParser.Event> events = client.events();
        for (EventStreamParser.Event event : events.subList(from, events.size())) {
            got.add(event.data());
        }
        return got;
    }

    /** The rule, for one client: once each; in order after its last resync; every miss answered by a resync. */
    private static Seen check(SseStream client, int from, Faulted faulted) {
        List<EventStreamParser.Event> events = client.events();
        events = events.subList(from, events.size());
        List<String> data = events.stream().filter(e -> !"resync".equals(e.type())).map(EventStreamParser.Event::data)
                .toList();
        assertEquals(data.size(), new HashSet<>(data).size(), client + " got an event twice: " + data);
        int lastResync = -1;
        int resyncs = 0;
        for (int i = 0; i < events.size(); i++) {
            if ("resync".equals(events.get(i).type())) {
                lastResync = i;
                resyncs++;
            }
        }
        List<String> afterResync = events.subList(lastResync + 1, events.size()).stream()
                .filter(e -> !"resync".equals(e.type())).map(EventStreamParser.Event::data).toList();
        for (List<String> order : faulted.published.values()) {
            List<String> seenInOrder = afterResync.stream().filter(order::contains).toList();
            List<String> expected = order.stream().filter(seenInOrder::contains).toList();
            assertEquals(expected, seenInOrder, client + ": after its last resync, events out of their order");
        }
        int received = (int) faulted.all().stream().filter(data::contains).count();
        if (received < faulted.all().size()) {
            assertTrue(resyncs > 0, client + " missed " + (faulted.all().size() - received) + " events and got no resync: "
                    + data);
        }
        int after = events.stream().map(EventStreamParser.Event::data).toList().indexOf("after on a");
        assertTrue(after > lastResync, client + ": the events published after recovery came after its last resync");
        return new Seen(received, resyncs);
    }
}
