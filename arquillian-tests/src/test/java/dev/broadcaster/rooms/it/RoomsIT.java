package dev.broadcaster.rooms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.broadcaster.rooms.it.support.Server;
import dev.broadcaster.support.EventStreamParser.Event;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.RawSseClient;
import dev.broadcaster.support.SseStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The example application (target/rooms.war, unchanged) on a real server, tested from the outside as
 * browsers use it: Basic auth, HTTP/1.1, the raw bytes of each SSE stream parsed by the WHATWG rules.
 * The same class runs on Open Liberty (RESTEasy, {@code -Pliberty}) and Payara Micro (Jersey,
 * {@code -Ppayara}). Each test uses rooms of its own.
 */
class RoomsIT extends DeployedRooms {

    /** The time a message line carries: hours and minutes, UTC. */
    private static final Pattern TIME = Pattern.compile(" data-time=\"(\\d\\d):(\\d\\d)\"");

    // ---- delivery ----------------------------------------------------------------------------------

    @Test
    void aMessagePostedThroughTheEjbReachesEveryTabOfTheRoomAndNoOtherRoom() {
        String room = Server.room("deliver");
        String other = Server.room("elsewhere");
        try (SseStream alice = SseStream.connect(events(room), "alice");
             SseStream bobTab1 = SseStream.connect(events(room), "bob");
             SseStream bobTab2 = SseStream.connect(events(room), "bob");
             SseStream carol = SseStream.connect(events(other), "carol")) {
            assertStreamHeaders(alice);
            recordStreamStart(alice);

            HttpResponse<String> posted = post(room, "alice", "hello <everyone>");
            assertEquals(204, posted.statusCode(), posted.body());
            long count = Long.parseLong(posted.headers().firstValue("X-Message-Count").orElseThrow());
            assertEquals(1, count);

            for (SseStream tab : List.of(alice, bobTab1, bobTab2)) {
                awaitMessage(tab, "alice", "hello &lt;everyone&gt;", count);
                awaitAppend(tab, "alice", "hello &lt;everyone&gt;");
                tab.awaitEvent("datastar-patch-signals", "signals {\"count\":" + count + "}");
            }

            // a later message in the other room reaches carol: what she did not get by then, she never gets
            assertEquals(204, post(other, "carol", "marker").statusCode());
            awaitMessage(carol, "carol", "marker", 1);
            carol.awaitEvent("datastar-patch-signals", "signals {\"count\":1}");
            assertTrue(carol.events().stream().noneMatch(e -> e.data().contains("everyone")),
                    "carol (other room) got the message: " + carol.events());

            // and each tab of the room got it once, in the order published: htmx, Datastar append, signals
            assertEquals(204, post(room, "bob", "fence").statusCode());
            for (SseStream tab : List.of(alice, bobTab1, bobTab2)) {
                tab.awaitEvent("datastar-patch-signals", "signals {\"count\":2}");
                List<Event> about = tab.events().stream().filter(e -> e.data().contains("everyone")).toList();
                assertEquals(List.of("message", "datastar-patch-elements"), about.stream().map(Event::type).toList(),
                        tab + ": " + about);
                assertEquals(1, tab.events().stream().filter(e -> e.data().equals("signals {\"count\":1}")).count());
            }
        }
    }

    // ---- presence ----------------------------------------------------------------------------------

    @Test
    void presenceListsWhoIsOnlineWhenUsersJoinAndLeave() {
        String room = Server.room("presence");
        try (SseStream alice = SseStream.connect(events(room), "alice")) {
            awaitPresence(alice, 0, "alice");

            int beforeBob = alice.mark();
            SseStream bob = SseStream.connect(events(room), "bob");
            awaitPresence(alice, beforeBob, "alice", "bob");
            awaitPresence(bob, 0, "alice", "bob");

            // a second tab of bob's is not a second bob: it gets the current presence once, and presence is not
            // rendered again (the distinct users did not change), neither when it opens nor when it closes
            int beforeTab = alice.mark();
            SseStream bobTab2 = SseStream.connect(events(room), "bob");
            awaitPresence(bobTab2, 0, "alice", "bob");
            bobTab2.close();

            // he closes the other: gone (once the server noticed, at a heartbeat, and the leave grace is over)
            long closed = System.nanoTime();
            bob.close();
            awaitPresence(alice, beforeTab, "alice");
            List<String> presenceSince = alice.events().subList(beforeTab, alice.mark()).stream()
                    .filter(RoomsIT::isHtmxPresence).map(e -> e.data()).toList();
            assertEquals(List.of(htmxPresence(presenceHtml("alice"))), presenceSince, "alice's presence since bob's second tab opened");
            Server.record("presence after a normal close (FIN) of bob's last tab: "
                    + Duration.ofNanos(System.nanoTime() - closed).toMillis() + " ms (heartbeat "
                    + Server.heartbeat().toMillis() + " ms)");
            assertFalse(alice.ended());
        }
    }

    @Test
    void presenceDropsAClientThatVanishedWithAResetWithinTwoHeartbeats() {
        String room = Server.room("vanish");
        try (SseStream alice = SseStream.connect(events(room), "alice")) {
            awaitPresence(alice, 0, "alice");
            int beforeBob = alice.mark();
            RawSseClient bob = RawSseClient.connect(events(room), "bob");
            awaitPresence(alice, beforeBob, "alice", "bob");
            int beforeReset = alice.mark();

            long reset = System.nanoTime();
            bob.vanish();
            awaitPresence(alice, beforeReset, "alice");
            Duration took = Duration.ofNanos(System.nanoTime() - reset);
            Duration heartbeat = Server.heartbeat();
            Server.record("presence after a reset (RST): " + took.toMillis() + " ms (heartbeat "
                    + heartbeat.toMillis() + " ms)");
            // two heartbeats, plus the tick the first one may wait for, the presence leave grace (the example's is
            // the default, 2 s) and the presence rendering
            Duration limit = heartbeat.multipliedBy(2).plusSeconds(2).plusMillis(1000);
            assertTrue(took.compareTo(limit) <= 0,
                    "a reset client left presence after " + took.toMillis() + " ms, more than " + limit.toMillis());
        }
    }

    // ---- force-disconnect and kill -----------------------------------------------------------------

    @Test
    void forceDisconnectingAUserEndsEveryTabOfThatUserInThatChannelAndNoOtherStream() {
        String room = Server.room("disconnect");
        String other = Server.room("untouched");
        try (SseStream alice = SseStream.connect(events(room), "alice");
             SseStream bobTab1 = SseStream.connect(events(room), "bob");
             SseStream bobTab2 = SseStream.connect(events(room), "bob");
             SseStream carol = SseStream.connect(events(room), "carol");
             SseStream bobElsewhere = SseStream.connect(events(other), "bob")) {
            awaitPresence(alice, 0, "alice", "bob", "carol");
            int before = alice.mark();

            HttpResponse<String> refused = HttpCalls.delete(uri("sse/channels/" + room + "/users/alice"), "bob");
            assertEquals(403, refused.statusCode(), "bob is no admin: " + refused.body());

            HttpResponse<String> answer = HttpCalls.delete(uri("sse/channels/" + room + "/users/bob"), "alice");
            assertEquals(200, answer.statusCode(), answer.body());
            assertEquals("{\"closed\":2}", answer.body());
            bobTab1.awaitEnd();
            bobTab2.awaitEnd();
            awaitPresence(alice, before, "alice", "carol");

            assertEquals(204, post(room, "carol", "still here").statusCode());
            assertEquals(204, post(other, "bob", "me too").statusCode());
            awaitMessage(alice, "carol", "still here", 1);
            awaitMessage(carol, "carol", "still here", 1);
            awaitMessage(bobElsewhere, "bob", "me too", 1);
            assertFalse(alice.ended() || carol.ended() || bobElsewhere.ended(), "a stream that was not bob's in "
                    + room + " ended");
            assertTrue(bobTab1.events().stream().noneMatch(e -> e.data().contains("still here")));
        }
    }

    @Test
    void aPageStreamOfTheRoomAndTheUsersNotificationsResumesBothFromOneIdAndLeavingTheRoomKeepsIt() {
        String room = Server.room("two-channels");
        URI stream = uri("rooms/" + room + "/stream");
        String lastSeen;
        try (SseStream bob = SseStream.connect(stream, "bob")) {
            // its first frame is an id: of both channels' positions (RESTEasy wrote it without its id before)
            dev.broadcaster.support.Eventually.equalTo(true, () -> bob.lastEventId() != null, "the stream's position");
            awaitPresence(bob, 0, "bob");
            assertEquals(204, post(room, "alice", "first").statusCode());
            awaitMessage(bob, "alice", "first", 1);
            lastSeen = bob.lastEventId();
        }
        assertEquals(204, post(room, "alice", "while away").statusCode());
        // bob's notifications, through the library's endpoint (alice publishes)
        assertEquals(202, HttpCalls.postJson(uri("sse/channels/private-bob"), "alice",
                "{\"type\":\"event\",\"event\":\"notification\",\"data\":\"<li>for bob</li>\"}").statusCode());
        try (SseStream bob = SseStream.connect(stream, "bob", lastSeen)) {
            awaitMessage(bob, "alice", "while away", 2);
            bob.awaitEvent("notification", "<li>for bob</li>");
            assertEquals(1, posted(bob).size(), "the missed message once: " + bob.events());
            HttpResponse<String> answer = HttpCalls.delete(uri("sse/channels/" + room + "/users/bob"), "alice");
            // bob's first stream, which this client closed, counts until the server's next write to it fails (a
            // container sees a closed socket only then: Payara did not yet once in CI)
            assertTrue(answer.body().equals("{\"closed\":1}") || answer.body().equals("{\"closed\":2}"),
                    answer.body());
            HttpResponse<String> users = HttpCalls.get(uri("sse/channels/" + room + "/users"), "alice");
            assertFalse(users.body().contains("\"bob\""), "bob is gone from the room: " + users.body());
            bob.awaitEvent("resync", "{\"channel\":\"" + room + "\",\"reason\":\"removed\"}");
            assertEquals(202, HttpCalls.postJson(uri("sse/channels/private-bob"), "alice",
                    "{\"type\":\"event\",\"event\":\"notification\",\"data\":\"<li>still yours</li>\"}").statusCode());
            bob.awaitEvent("notification", "<li>still yours</li>");
            assertFalse(bob.ended(), "the stream stays open on bob's notifications");
        }
        // the library's own stream of several channels
        try (SseStream both = SseStream.connect(uri("sse/stream?channel=" + room + "&channel=private-carol"), "carol")) {
            assertEquals(204, post(room, "alice", "to both").statusCode());
            awaitMessage(both, "alice", "to both", 3);
            assertEquals(403, HttpCalls.get(uri("sse/stream?channel=" + room + "&channel=private-bob"), "carol")
                    .statusCode(), "carol may not join bob's notifications");
        }
    }

    @Test
    void killingAChannelEndsEveryStreamOfThatChannelAndNoOther() {
        String room = Server.room("kill");
        String other = Server.room("survivor");
        try (SseStream alice = SseStream.connect(events(room), "alice");
             SseStream bob = SseStream.connect(events(room), "bob");
             SseStream aliceElsewhere = SseStream.connect(events(other), "alice");
             SseStream carolElsewhere = SseStream.connect(events(other), "carol")) {
            HttpResponse<String> refused = HttpCalls.delete(uri("sse/channels/" + room), "carol");
            assertEquals(403, refused.statusCode(), "carol is no admin: " + refused.body());

            HttpResponse<String> answer = HttpCalls.delete(uri("sse/channels/" + room), "alice");
            assertEquals(200, answer.statusCode(), answer.body());
            assertEquals("{\"closed\":2}", answer.body());
            alice.awaitEnd();
            bob.awaitEnd();

            assertEquals(204, post(other, "carol", "after the kill").statusCode());
            awaitMessage(aliceElsewhere, "carol", "after the kill", 1);
            awaitMessage(carolElsewhere, "carol", "after the kill", 1);
            assertFalse(aliceElsewhere.ended() || carolElsewhere.ended(), "a stream of another channel ended");
        }
    }

    // ---- transactions ------------------------------------------------------------------------------

    @Test
    void aBroadcastFiredInATransactionThatRollsBackIsNeverDelivered() {
        String room = Server.room("rollback");
        try (SseStream alice = SseStream.connect(events(room), "alice");
             SseStream bob = SseStream.connect(events(room), "bob")) {
            HttpResponse<String> rolledBack = HttpCalls.postForm(uri("rooms/" + room + "/messages?rollback=true"), "alice",
                    "text", "ghost");
            assertEquals(204, rolledBack.statusCode(), rolledBack.body());
            assertEquals("true", rolledBack.headers().firstValue("X-Rolled-Back").orElse(null));

            // published after the rolled-back one: once it is here, the other would have been too
            assertEquals(204, post(room, "bob", "marker").statusCode());
            for (SseStream tab : List.of(alice, bob)) {
                awaitMessage(tab, "bob", "marker", 1);
                tab.awaitEvent("datastar-patch-signals", "signals {\"count\":1}");
                assertTrue(tab.events().stream().noneMatch(e -> e.data().contains("ghost")),
                        tab + " received the rolled-back broadcast: " + tab.events());
            }
        }
    }

    @Test
    void aBroadcastFiredInATransactionThatCommitsIsDeliveredExactlyOnce() {
        String room = Server.room("commit");
        try (SseStream alice = SseStream.connect(events(room), "alice")) {
            assertEquals(204, post(room, "bob", "once").statusCode());
            assertEquals(204, post(room, "bob", "fence").statusCode());
            alice.awaitEvent("datastar-patch-signals", "signals {\"count\":2}");
            List<Event> once = alice.events().stream().filter(e -> e.data().contains("bob</span>: once"))
                    .map(RoomsIT::untimed).toList();
            assertEquals(List.of(
                    new Event("message", messageHtml("bob", "once", 1), once.get(0).lastEventId()),
                    new Event("datastar-patch-elements", appendData("bob", "once"), once.get(1).lastEventId())),
                    once);
            assertEquals(1, alice.events().stream().filter(e -> e.data().equals("signals {\"count\":1}")).count());
            assertEquals(3, alice.events().stream().filter(e -> e.data().contains("bob</span>: fence")
                    || e.data().equals("signals {\"count\":2}")).count());
        }
    }

    // ---- resume ------------------------------------------------------------------------------------

    @Test
    void reconnectingWithLastEventIdReplaysExactlyTheMissedEventsInOrderThenGoesLive() {
        String room = Server.room("resume");
        try (SseStream bob = SseStream.connect(events(room), "bob")) {
            awaitPresence(bob, 0, "bob");
            SseStream alice = SseStream.connect(events(room), "alice");
            awaitPresence(alice, 0, "bob", "alice");
            awaitPresence(bob, 0, "bob", "alice");
            assertEquals(204, post(room, "bob", "before").statusCode());
            Event lastSeen = alice.awaitEvent("datastar-patch-signals", "signals {\"count\":1}");
            String lastEventId = lastSeen.lastEventId();
            assertFalse(lastEventId.isEmpty(), "events carry ids");

            // alice's tab goes away; meanwhile her leaving shows and two messages are posted
            int beforeLeave = bob.mark();
            alice.close();
            awaitPresence(bob, beforeLeave, "bob");
            assertEquals(204, post(room, "bob", "missed one").statusCode());
            assertEquals(204, post(room, "bob", "missed two").statusCode());
            bob.awaitEvent("datastar-patch-signals", "signals {\"count\":3}");
            // presence is current state, not history: it is sent without an id and not replayed
            List<Event> missed = after(bob.events(), lastEventId).stream().filter(e -> !isPresence(e)).toList();
            assertEquals(6, missed.size(), "bob saw: " + missed);

            int beforeReturn = bob.mark();
            try (SseStream back = SseStream.connect(events(room), "alice", lastEventId)) {
                List<Event> replayed = back.awaitEvents(missed.size());
                assertEquals(missed, replayed.subList(0, missed.size()), "the replay");
                // then the current presence once, and live: alice's return shows, and the next message arrives once
                awaitPresence(back, missed.size(), "bob", "alice");
                awaitPresence(bob, beforeReturn, "bob", "alice");
                assertEquals(204, post(room, "bob", "live").statusCode());
                back.awaitEvent("datastar-patch-signals", "signals {\"count\":4}");
                List<Event> all = back.events().stream().filter(e -> !isPresence(e)).toList();
                Set<String> ids = new HashSet<>();
                for (Event event : all) {
                    assertTrue(ids.add(event.lastEventId()), "id " + event.lastEventId() + " twice: " + all);
                }
                assertEquals(1, all.stream().filter(e -> untimed(e.data()).equals(messageHtml("bob", "live", 4))).count());
                assertEquals(all, sortedById(all), "events out of order: " + all);
            }
        }
    }

    // ---- the pages --------------------------------------------------------------------------------

    @Test
    void everyPageLinksTheStylesheetWhichTheApplicationServesAsCss() {
        String room = Server.room("styled");
        for (String page : List.of("", "rooms/" + room, "rooms/" + room + "/htmx", "rooms/" + room + "/shared",
                "rooms/" + room + "/htmx4")) {
            HttpResponse<String> answer = HttpCalls.get(uri(page), "bob");
            assertEquals(200, answer.statusCode(), page);
            assertTrue(answer.body().contains("<link rel=\"stylesheet\" href=\"" + base.getPath() + "assets/rooms.css\">"),
                    page + ": " + answer.body());
            assertTrue(answer.body().contains("<span class=\"user\" data-initial=\"B\">bob</span>"), page);
        }
        HttpResponse<String> css = HttpCalls.get(uri("assets/rooms.css"), "bob");
        assertEquals(200, css.statusCode());
        assertTrue(css.headers().firstValue("Content-Type").orElse("").startsWith("text/css"), css.headers().toString());
        assertTrue(css.headers().firstValue("Cache-Control").orElse("").contains("max-age=86400"), css.headers().toString());
        assertTrue(css.body().contains("#messages > li[data-time]::after"), "the stylesheet shows the messages' times");
    }

    // ---- access ------------------------------------------------------------------------------------

    @Test
    void subscribingWithoutCredentialsIsRefusedWith401AndABasicChallenge() {
        for (String path : List.of("rooms/lobby/events", "sse/channels/lobby", "sse/status")) {
            SseStream anonymous = SseStream.open(uri(path), null);
            assertEquals(401, anonymous.status(), path);
            String challenge = anonymous.headers().firstValue("WWW-Authenticate").orElse("");
            assertTrue(challenge.startsWith("Basic"), path + ": WWW-Authenticate was '" + challenge + "'");
            Server.record(path + " anonymously: 401, WWW-Authenticate: " + challenge);
        }
    }

    @Test
    void bobMayNotJoinCarolsPrivateChannelButCarolMay() {
        for (String path : List.of("sse/channels/private-carol", "rooms/private-carol/events")) {
            SseStream bob = SseStream.open(uri(path), "bob");
            assertEquals(403, bob.status(), path + ": " + bob.errorBody());
            try (SseStream carol = SseStream.connect(uri(path), "carol")) {
                assertFalse(carol.connectionId().isEmpty());
            }
        }
    }

    // ---- the Datastar SDK test endpoint ------------------------------------------------------------

    @Test
    void theDatastarSdkTestEndpointAnswersExactlyTheSpecifiedBytes() {
        String input = "{\"events\":[{\"type\":\"patchElements\",\"elements\":\"<div id=\\\"feed\\\">1</div>\"},"
                + "{\"type\":\"patchSignals\",\"signals\":{\"a\":1},\"eventId\":\"e1\",\"retryDuration\":2000}]}";
        assertSdkAnswer("GET", input, "event: datastar-patch-elements\ndata: elements <div id=\"feed\">1</div>\n\n"
                + "event: datastar-patch-signals\nid: e1\nretry: 2000\ndata: signals {\"a\":1}\n\n");
    }

    /** Inputs of the official Datastar SDK test suite (sdk/tests/golden), with the outputs its ADR prescribes. */
    @Test
    void theDatastarSdkTestEndpointPassesCasesOfTheOfficialSuite() {
        // golden/get/removeSignalsWithAllOptions: input and output as in the suite
        assertSdkAnswer("GET", "{\"events\":[{\"type\":\"patchSignals\",\"signals\":{\"one\":null,"
                        + "\"two\":{\"alpha\":null}},\"eventId\":\"event1\",\"retryDuration\":2000}]}",
                "event: datastar-patch-signals\nid: event1\nretry: 2000\ndata: signals {\"one\":null,\"two\":{\"alpha\":null}}\n\n");
        // golden/get/sendTwoEvents
        assertSdkAnswer("GET", "{\"events\":[{\"type\":\"patchElements\",\"elements\":\"<div>Merge</div>\"},"
                        + "{\"type\":\"patchElements\",\"elements\":\"<div>Merge 2</div>\"}]}",
                "event: datastar-patch-elements\ndata: elements <div>Merge</div>\n\n"
                        + "event: datastar-patch-elements\ndata: elements <div>Merge 2</div>\n\n");
        // golden/get/executeScriptWithDefaults
        assertSdkAnswer("GET", "{\"events\":[{\"type\":\"executeScript\",\"script\":\"console.log('hello');\","
                        + "\"autoRemove\":true}]}",
                "event: datastar-patch-elements\ndata: mode append\ndata: selector body\n"
                        + "data: elements <script data-effect=\"el.remove()\">console.log('hello');</script>\n\n");
        // golden/get/patchElementsWithDefaults: defaults are not written
        assertSdkAnswer("GET", "{\"events\":[{\"type\":\"patchElements\",\"elements\":\"<div>Merge</div>\","
                        + "\"mode\":\"outer\",\"useViewTransition\":false}]}",
                "event: datastar-patch-elements\ndata: elements <div>Merge</div>\n\n");
        // golden/post/readSignalsFromBody: the input comes as the request body (DELETE: see below)
        for (String method : List.of("POST", "PUT", "PATCH")) {
            assertSdkAnswer(method, "{\"events\":[{\"type\":\"patchElements\",\"elements\":\"<div>Merge</div>\"}]}",
                    "event: datastar-patch-elements\ndata: elements <div>Merge</div>\n\n");
        }
    }

    /** Datastar 1.0.x options of patchElements, in the Go SDK's order (the suite has no case for them). */
    @Test
    void theDatastarSdkTestEndpointWritesTheNamespaceAndTheViewTransitionSelector() {
        assertSdkAnswer("POST", "{\"events\":[{\"type\":\"patchElements\",\"elements\":\"<circle r=\\\"1\\\"/>\","
                        + "\"selector\":\"#chart\",\"mode\":\"append\",\"namespace\":\"svg\",\"useViewTransition\":true,"
                        + "\"viewTransitionSelector\":\"#panel\"}]}",
                "event: datastar-patch-elements\ndata: selector #chart\ndata: mode append\ndata: namespace svg\n"
                        + "data: useViewTransition true\ndata: viewTransitionSelector #panel\n"
                        + "data: elements <circle r=\"1\"/>\n\n");
    }

    /** DELETE reads the {@code datastar} query parameter as GET does (the SDK specification since Datastar 1.0.x). */
    @Test
    void theDatastarSdkTestEndpointAcceptsDeleteWithTheQueryParameter() {
        assertSdkAnswer("DELETE?", "{\"events\":[{\"type\":\"patchElements\",\"elements\":\"<div>Merge</div>\"}]}",
                "event: datastar-patch-elements\ndata: elements <div>Merge</div>\n\n");
    }

    private void assertSdkAnswer(String method, String input, String expected) {
        // any signed-in user may call the endpoint (anonymous: 401)
        HttpRequest.Builder request = HttpRequest.newBuilder()
                .header("Authorization", HttpCalls.basic("bob"))
                .header("Accept", "text/event-stream").header("datastar-request", "true")
                .timeout(Duration.ofSeconds(30));
        if (method.equals("DELETE?")) {
            request.uri(uri("datastar-sdk/test?datastar=" + URLEncoder.encode(input, StandardCharsets.UTF_8))).DELETE();
        } else if (method.equals("GET")) {
            request.uri(uri("datastar-sdk/test?datastar=" + URLEncoder.encode(input, StandardCharsets.UTF_8))).GET();
        } else {
            request.uri(uri("datastar-sdk/test")).header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(input, StandardCharsets.UTF_8));
        }
        HttpResponse<byte[]> response = HttpCalls.sendForBytes(request.build());
        assertEquals(200, response.statusCode(), method + " " + input);
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        assertTrue(contentType.startsWith("text/event-stream"), "Content-Type: " + contentType);
        String body = new String(response.body(), StandardCharsets.UTF_8);
        if (body.equals(expected)) {
            Server.record("Datastar SDK endpoint: exactly the expected bytes, Content-Type: " + contentType);
        } else if (Server.liberty() && body.equals("\n\n" + expected)) {
            Server.record("Datastar SDK endpoint: the expected bytes after a leading \"\\n\\n\" (RESTEasy), "
                    + "Content-Type: " + contentType);
        } else {
            assertEquals(escape(expected), escape(body), method + " " + input);
        }
    }

    @Test
    void healthReportsTheBroadcasterReady() {
        HttpResponse<String> ready = HttpCalls.get(uri("/health/ready"), null);
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().replace(" ", "").contains("\"name\":\"broadcaster\""), ready.body());
        assertTrue(ready.body().replace(" ", "").contains("\"status\":\"UP\""), ready.body());
    }

    @Test
    void metricsCanBeScrapedWithTheBroadcastersCounters() {
        String room = "metrics-" + System.nanoTime();
        try (SseStream tab = SseStream.connect(events(room), "bob")) {
            assertEquals(204, post(room, "alice", "counted").statusCode());
            awaitMessage(tab, "alice", "counted", 1);
            HttpResponse<String> metrics = HttpCalls.get(uri("/metrics?scope=application"), null);
            assertEquals(200, metrics.statusCode(), metrics.body());
            for (String name : List.of("broadcaster_connections", "broadcaster_channels", "broadcaster_events_published",
                    "broadcaster_evictions", "broadcaster_resyncs", "broadcaster_presence_renders",
                    "broadcaster_broadcast_latency", "broadcaster_delivery_latency")) {
                assertTrue(metrics.body().contains(name), name + " missing from:\n" + metrics.body());
            }
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private URI events(String room) {
        return uri("rooms/" + room + "/events");
    }

    private HttpResponse<String> post(String room, String user, String text) {
        return HttpCalls.postForm(uri("rooms/" + room + "/messages"), user, "text", text);
    }

    /** The htmx {@code message} event's data: the line (its time {@code hh:mm}, see {@link #untimed}) and the counter. */
    static String messageHtml(String user, String escapedText, long count) {
        return line(user, escapedText) + "\n<span id=\"counter\" hx-swap-oob=\"true\">" + count + "</span>";
    }

    /** The Datastar patch appending the line to {@code #messages} (its time {@code hh:mm}, see {@link #untimed}). */
    static String appendData(String user, String escapedText) {
        return "selector #messages\nmode append\nelements " + line(user, escapedText);
    }

    /** A message line: the author's initial and the time in attributes, the text exactly {@code user: text}. */
    private static String line(String user, String escapedText) {
        return "<li data-initial=\"" + user.substring(0, 1).toUpperCase(Locale.ROOT) + "\" data-time=\"hh:mm\">"
                + "<span class=\"author\">" + user + "</span>: " + escapedText + "</li>";
    }

    /** Waits for the htmx event of {@code user}'s message with the room's count {@code count}. */
    static Event awaitMessage(SseStream stream, String user, String escapedText, long count) {
        String expected = messageHtml(user, escapedText, count);
        return stream.awaitEvent(e -> e.type().equals("message") && untimed(e.data()).equals(expected),
                "message " + expected);
    }

    /** Waits for the Datastar patch appending {@code user}'s message. */
    static Event awaitAppend(SseStream stream, String user, String escapedText) {
        String expected = appendData(user, escapedText);
        return stream.awaitEvent(e -> e.type().equals("datastar-patch-elements") && untimed(e.data()).equals(expected),
                "Datastar append " + expected);
    }

    /**
     * {@code data} with the time of its message line as {@code hh:mm}, if that time is the server's clock's (UTC,
     * within five minutes of now: the test's clock is the server's); any other time stays, and fails a comparison.
     */
    static String untimed(String data) {
        Matcher time = TIME.matcher(data);
        if (!time.find()) {
            return data;
        }
        LocalTime shown = LocalTime.of(Integer.parseInt(time.group(1)), Integer.parseInt(time.group(2)));
        long apart = Math.abs(Duration.between(shown, LocalTime.now(ZoneOffset.UTC)).toMinutes());
        if (Math.min(apart, 24 * 60 - apart) > 5) {
            return data;
        }
        return data.substring(0, time.start()) + " data-time=\"hh:mm\"" + data.substring(time.end());
    }

    /** {@code event} with its data {@link #untimed}. */
    static Event untimed(Event event) {
        return new Event(event.type(), untimed(event.data()), event.lastEventId());
    }

    static String presenceHtml(String... users) {
        return "<ul id=\"presence\">" + List.of(users).stream()
                .map(u -> "<li data-initial=\"" + u.substring(0, 1).toUpperCase(Locale.ROOT) + "\">" + u + "</li>")
                .collect(Collectors.joining()) + "</ul>";
    }

    /** Waits until {@code stream} shows exactly {@code users} online, on the htmx and the Datastar page alike. */
    static void awaitPresence(SseStream stream, int from, String... users) {
        String html = presenceHtml(users);
        stream.awaitEventFrom(from, e -> e.type().equals("message") && e.data().equals(htmxPresence(html)),
                "htmx presence " + html);
        stream.awaitEventFrom(from, e -> e.type().equals("datastar-patch-elements") && e.data().equals("elements " + html),
                "Datastar presence " + html);
    }

    private static void assertStreamHeaders(SseStream stream) {
        String contentType = stream.headers().firstValue("Content-Type").orElse("");
        assertTrue(contentType.startsWith("text/event-stream"), "Content-Type: " + contentType);
        assertEquals("no-cache", stream.headers().firstValue("Cache-Control").orElse(""));
    }

    private static void recordStreamStart(SseStream stream) {
        String raw = stream.raw();
        String start = raw.substring(0, Math.min(raw.indexOf(": connected"), raw.length()));
        if (start.isEmpty()) {
            Server.record("an SSE stream starts with ': connected <id>' directly");
        } else if (start.equals("\n\n")) {
            Server.record("an SSE stream starts with \"\\n\\n\" before ': connected <id>'");
        } else {
            fail("unexpected bytes before ': connected': '" + escape(start) + "'");
        }
    }

    /** The events after the one with id {@code lastEventId}. */
    /** A presence event (htmx or Datastar): sent without an id, so it keeps the last event id before it. */
    private static boolean isPresence(Event event) {
        return isHtmxPresence(event) || event.data().startsWith("elements <ul id=\"presence\">");
    }

    /** The htmx pages' presence: an unnamed event whose list replaces {@code #presence} out of band. */
    static boolean isHtmxPresence(Event event) {
        return event.type().equals("message") && event.data().startsWith("<ul id=\"presence\" hx-swap-oob=\"true\">");
    }

    /** The htmx events of posted messages {@code stream} received (unnamed, as its presence renders are). */
    static List<Event> posted(SseStream stream) {
        return stream.events("message").stream().filter(e -> !isHtmxPresence(e)).toList();
    }

    /** The htmx pages' form of {@code presenceHtml}: swapped out of band. */
    static String htmxPresence(String presenceHtml) {
        return presenceHtml.replace("<ul id=\"presence\">", "<ul id=\"presence\" hx-swap-oob=\"true\">");
    }

    private static List<Event> after(List<Event> events, String lastEventId) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).lastEventId().equals(lastEventId)) {
                return new ArrayList<>(events.subList(i + 1, events.size()));
            }
        }
        throw new AssertionError("no event with id " + lastEventId + " in " + events);
    }

    /** Sorted by the sequence number of the ids ({@code <epoch>-<sequence>}). */
    private static List<Event> sortedById(List<Event> events) {
        return events.stream().sorted((a, b) -> Long.compare(sequence(a), sequence(b))).toList();
    }

    private static long sequence(Event event) {
        String id = event.lastEventId();
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }

    static String escape(String text) {
        return text.replace("\r", "\\r").replace("\n", "\\n\n");
    }
}
