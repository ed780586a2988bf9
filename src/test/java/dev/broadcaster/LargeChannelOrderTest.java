package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.broadcaster.support.KnownClusterBug;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.ServerBean;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A channel larger than the library fans out on the publisher's thread (32 connections): its
 * broadcasts are handed out later, on the executor, and must still reach every connection in publish
 * order, with sends to one connection and a kill taking their place in that order.
 */
@InProcessServer
class LargeChannelOrderTest {

    static final int TABS = 40;
    static final int EVENTS = 80; // below the default queue-size (100): none of the tabs falls behind far enough to be evicted

    static TestServer server; // started by @InProcessServer
    @ServerBean
    static ChannelRegistry registry;

    @KnownClusterBug("kill and a send to a connection here overtake this node's broadcasts still on the backplane")
    @Test
    void broadcastsSendAndKillReachEveryConnectionInTheOrderTheyWereMade() {
        List<SseStream> tabs = new ArrayList<>();
        try {
            for (int i = 0; i < TABS; i++) {
                tabs.add(SseStream.connect(server.uri("sse/channels/crowd-order"), i % 2 == 0 ? "bob" : "carol"));
            }
            Eventually.equalTo(TABS, () -> registry.connections("crowd-order").size(), "every tab subscribed");
            SseStream first = tabs.get(0);
            for (int i = 0; i < EVENTS; i++) {
                registry.broadcast("crowd-order", SseEvent.data("e" + i));
            }
            registry.send(first.connectionId(), SseEvent.data("to the first tab only"));
            registry.broadcast("crowd-order", SseEvent.data("last"));
            registry.kill("crowd-order");

            List<String> expected = new ArrayList<>(IntStream.range(0, EVENTS).mapToObj(i -> "e" + i).toList());
            expected.add("last");
            expected.add("{\"channel\":\"crowd-order\",\"reason\":\"killed\"}"); // the kill's stop
            for (SseStream tab : tabs) {
                tab.awaitEnd();
                List<String> received = tab.events().stream().map(e -> e.data()).toList();
                List<String> wanted = new ArrayList<>(expected);
                if (tab == first) {
                    wanted.add(EVENTS, "to the first tab only");
                }
                assertEquals(wanted, received, "every event before the kill, once, in order, then the stop");
            }
        } finally {
            tabs.forEach(SseStream::close);
        }
    }
}
