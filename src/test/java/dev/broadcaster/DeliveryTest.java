package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.ServerBean;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

// the ordering test publishes 500 events at once: a backlog that large is allowed here
@InProcessServer(config = "broadcaster.queue-size=1000")
class DeliveryTest {

    static TestServer server; // started by @InProcessServer
    @ServerBean
    static ChannelRegistry registry;

    static List<String> data(SseStream stream) {
        return stream.events().stream().map(EventStreamParser.Event::data).toList();
    }

    @Test
    void excludedConnectionDoesNotReceiveTheBroadcast() {
        try (SseStream sender = SseStream.connect(server.channel("chat"), "bob");
             SseStream other = SseStream.connect(server.channel("chat"), "carol")) {
            var response = HttpCalls.postJson(server.channel("chat"), "alice",
                    "{\"type\":\"event\",\"event\":\"chat\",\"data\":\"hi from bob\",\"exclude\":[\""
                            + sender.connectionId() + "\"]}");
            assertEquals(202, response.statusCode());
            assertEquals("{\"connections\":1}", response.body());
            other.awaitData("hi from bob");
            registry.broadcast("chat", SseEvent.data("to everyone"), Set.of());
            sender.awaitData("to everyone");
            other.awaitData("to everyone");
            assertEquals(List.of("to everyone"), data(sender), "the excluded tab saw only the later event");
        }
    }

    @Test
    void sendToOneReachesOnlyThatConnection() {
        try (SseStream tab1 = SseStream.connect(server.channel("direct"), "bob");
             SseStream tab2 = SseStream.connect(server.channel("direct"), "bob")) {
            assertTrue(registry.send(tab2.connectionId(), SseEvent.named("private", "just you")));
            tab2.awaitData("just you");
            registry.broadcast("direct", SseEvent.data("everyone"));
            tab1.awaitData("everyone");
            tab2.awaitData("everyone");
            assertEquals(List.of("everyone"), data(tab1));
            assertEquals(List.of("just you", "everyone"), data(tab2));
            assertFalse(registry.send("no-such-connection", SseEvent.data("lost")));
        }
    }

    @Test
    void eventsFromOnePublisherArriveInPublishOrder() {
        try (SseStream a = SseStream.connect(server.channel("ordered"), "bob");
             SseStream b = SseStream.connect(server.channel("ordered"), "carol")) {
            for (int i = 0; i < 500; i++) {
                registry.broadcast("ordered", SseEvent.data("n" + i));
            }
            List<String> expected = java.util.stream.IntStream.range(0, 500).mapToObj(i -> "n" + i).toList();
            assertEquals(expected, a.awaitEvents(500).stream().map(EventStreamParser.Event::data).toList());
            assertEquals(expected, b.awaitEvents(500).stream().map(EventStreamParser.Event::data).toList());
        }
    }

    @Test
    void publishEndpointSendsEveryEventOfABatchInOrder() {
        try (SseStream tab = SseStream.connect(server.channel("batch"), "bob")) {
            var response = HttpCalls.postJson(server.channel("batch"), "alice", """
                    {"events": [
                      {"type": "patchElements", "elements": "<div id=\\"a\\">1</div>"},
                      {"type": "patchSignals", "signals": {"count": 2}},
                      {"type": "executeScript", "script": "go()"},
                      {"type": "message", "messageType": "note", "data": {"text": "hi"}}
                    ]}""");
            assertEquals(202, response.statusCode(), response.body());
            List<EventStreamParser.Event> events = tab.awaitEvents(4);
            assertEquals("datastar-patch-elements", events.get(0).type());
            assertEquals("datastar-patch-signals", events.get(1).type());
            assertEquals("signals {\"count\":2}", events.get(1).data());
            assertEquals("mode append\nselector body\nelements <script data-effect=\"el.remove()\">go()</script>",
                    events.get(2).data());
            assertEquals("message", events.get(3).type());
            assertTrue(events.get(3).data().startsWith("{\"type\":\"note\",\"data\":{\"text\":\"hi\"},\"timestamp\":\""),
                    events.get(3).data());
        }
    }

    @Test
    void publishEndpointTakesTheNamespaceAndTheViewTransitionSelector() {
        try (SseStream tab = SseStream.connect(server.channel("svg"), "bob")) {
            var response = HttpCalls.postJson(server.channel("svg"), "alice", """
                    {"events": [
                      {"type": "patchElements", "elements": "<circle id=\\"dot\\" r=\\"2\\"/>", "selector": "#chart",
                       "mode": "append", "namespace": "svg", "useViewTransition": true,
                       "viewTransitionSelector": "#chart-panel"},
                      {"type": "patchElements", "elements": "<p id=\\"p\\">1</p>", "namespace": "html",
                       "viewTransitionSelector": ""}
                    ]}""");
            assertEquals(202, response.statusCode(), response.body());
            List<EventStreamParser.Event> events = tab.awaitEvents(2);
            assertEquals("selector #chart\nmode append\nnamespace svg\nuseViewTransition true\n"
                    + "viewTransitionSelector #chart-panel\nelements <circle id=\"dot\" r=\"2\"/>", events.get(0).data());
            assertEquals("elements <p id=\"p\">1</p>", events.get(1).data(), "defaults are not written");
        }
    }

    @Test
    void malformedPublishBodiesAreRejectedWithAReason() {
        assertBadRequest("not json", "not valid JSON");
        assertBadRequest("[1,2]", "must be a JSON object");
        assertBadRequest("{\"type\":\"teleport\"}", "unknown type 'teleport'");
        assertBadRequest("{\"type\":\"patchElements\",\"elements\":\"<p id=x></p>\",\"mode\":\"sideways\"}",
                "unknown patch mode 'sideways'");
        assertBadRequest("{\"events\":[{\"type\":\"event\",\"data\":\"x\"}]}", "events[0]: \"event\" is required");
        assertBadRequest("{\"type\":\"patchSignals\"}", "needs \"signals\"");
        assertBadRequest("{\"type\":\"patchElements\",\"elements\":\"<p id=x></p>\",\"namespace\":\"SVG\"}",
                "unknown namespace 'SVG'; expected one of html, svg, mathml");
        assertBadRequest("{\"type\":\"patchElements\",\"elements\":\"<p id=x></p>\",\"namespace\":true}",
                "\"namespace\" must be a string");
        assertBadRequest("{\"type\":\"patchElements\",\"elements\":\"<p id=x></p>\",\"useViewTransition\":true,"
                + "\"viewTransitionSelector\":\"#a\\ndata: elements <script>x()</script>\"}",
                "viewTransitionSelector must be a single line");
        assertBadRequest("{\"type\":\"patchElements\",\"elements\":\"<p id=x></p>\",\"viewTransitionSelector\":[\"#a\"]}",
                "\"viewTransitionSelector\" must be a string");
        assertBadRequest("{\"type\":\"event\",\"event\":\"x\",\"data\":\"y\",\"retryDuration\":\"soon\"}",
                "retryDuration");
    }

    private static void assertBadRequest(String body, String reason) {
        var response = HttpCalls.postJson(server.channel("anything"), "alice", body);
        assertEquals(400, response.statusCode(), body);
        assertTrue(response.body().contains(reason), "'" + response.body() + "' should mention '" + reason + "'");
    }
}
