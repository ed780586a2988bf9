package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.datastar.PatchSignals;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.NoStackTracesLogged;
import dev.broadcaster.support.RawHttp;
import dev.broadcaster.support.ServerBean;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Input the built-in endpoints must refuse with a 4xx and a reason, never a 500 or a stack trace: raw URI
 * template braces, channel names made of dots, out-of-range retry durations, and publish bodies that are
 * too large, too deep, too long a number, ambiguous (duplicate keys) or followed by more text.
 */
@ExtendWith(NoStackTracesLogged.class)
@InProcessServer(config = "broadcaster.max-publish-size=" + MalformedInputTest.MAX_PUBLISH_SIZE)
class MalformedInputTest {

    static final int MAX_PUBLISH_SIZE = 32 * 1024;

    static TestServer server; // started by @InProcessServer
    @ServerBean
    static ChannelRegistry registry;
    RawHttp http;

    @BeforeEach
    void connect() {
        http = new RawHttp(server.base());
    }

    @AfterEach
    void disconnect() {
        http.close();
    }

    // ---- point 8: raw braces ---------------------------------------------------------------------

    /**
     * Raw braces in a query (point 8). Jersey's Grizzly container (the in-process server) percent-encodes a raw
     * query before the application sees it, and refuses raw braces in a path itself, before any application code
     * runs; so in-process this shows that no brace reaches the routing as a URI template (never a 500, nothing
     * logged). Liberty, where the routing met them and answered 500, is in {@code MalformedInputIT}.
     */
    @Test
    void rawBracesInAQueryAreNeverA500() {
        for (String target : List.of("/sse/channels/lobby?x={a}", "/sse/channels/lobby?x=}", "/sse/status?{x}",
                "/sse/channels/lobby/users?{", "/sse/channels/lobby?history={h}")) {
            for (String method : List.of("GET", "POST", "DELETE")) {
                RawHttp.Response response = http.send(method, target, "alice",
                        method.equals("POST") ? json("x").getBytes(StandardCharsets.UTF_8) : null,
                        method.equals("POST") ? List.of("Content-Type: application/json") : List.of());
                assertTrue(response.status() < 500, method + " " + target + ": " + response.status() + " " + response.text());
                assertFalse(response.text().contains("Exception"), response.text());
            }
        }
    }

    @Test
    void aHistoryThatIsNotAWholeNumberIs400SayingSo() {
        for (String history : List.of("abc", "99999999999", "-1", "1.5", "%7Bh%7D")) {
            RawHttp.Response response = http.send("GET", "/sse/channels/lobby?history=" + history, "bob", null,
                    List.of("Accept: text/event-stream"));
            assertEquals(400, response.status(), history + ": " + response.text());
            assertTrue(response.text().contains("history"), response.text());
        }
    }

    // ---- point 9: names made of dots -------------------------------------------------------------

    @Test
    void channelNamesMadeOnlyOfDotsAreRefused() {
        for (String dots : List.of(".", "..", "...", "....")) {
            RawHttp.Response subscribe = http.send("GET", "/sse/channels/" + dots, "bob", null, List.of("Accept: text/event-stream"));
            assertEquals(400, subscribe.status(), dots + ": " + subscribe.text());
            assertTrue(subscribe.text().contains("dots"), subscribe.text());
            assertEquals(400, http.send("POST", "/sse/channels/" + dots, "alice", json("x").getBytes(StandardCharsets.UTF_8),
                    List.of("Content-Type: application/json")).status(), dots);
            assertEquals(400, http.send("DELETE", "/sse/channels/" + dots, "alice", null, List.of()).status(), dots);
            assertThrows(IllegalArgumentException.class, () -> registry.broadcast(dots, SseEvent.data("x")), dots);
        }
        assertEquals(400, http.send("GET", "/sse/channels/%2E%2E", "bob", null, List.of()).status());
        assertTrue(registry.channels().stream().noneMatch(c -> c.name().matches("\\.+")), registry.channels().toString());
        for (String fine : List.of(".hidden", "a.b", "v1.2.", "..x")) {
            try (SseStream tab = SseStream.connect(server.uri("sse/channels/" + fine), "bob")) {
                assertEquals(List.of("bob"), registry.users(fine));
            }
        }
    }

    // ---- point 10: retry -------------------------------------------------------------------------

    @Test
    void retryDurationsOutOfRangeAre400AndTheCapIsOneHour() {
        for (String retry : List.of("18446744073709556616", "9223372036854775807", "9223372036854775808", "3600001",
                "-1", "1e999999999", "1e-999999999", "1.5", "\"5000\"", "1E+400")) {
            String body = "{\"type\":\"event\",\"event\":\"e\",\"data\":\"d\",\"retryDuration\":" + retry + "}";
            HttpResponse<String> response = HttpCalls.postJson(server.uri("sse/channels/retries"), "alice", body);
            assertEquals(400, response.statusCode(), retry + ": " + response.body());
            assertTrue(response.body().contains("retryDuration"), response.body());
        }
        try (SseStream tab = SseStream.connect(server.uri("sse/channels/retries"), "bob")) {
            for (String retry : List.of("3600000", "5000", "0", "1E+3", "2000.0")) {
                assertEquals(202, HttpCalls.postJson(server.uri("sse/channels/retries"), "alice",
                        "{\"type\":\"event\",\"event\":\"e\",\"data\":\"" + retry + "\",\"retryDuration\":" + retry + "}")
                        .statusCode(), retry);
            }
            tab.awaitData("2000.0");
            String raw = tab.raw();
            for (String line : List.of("retry: 3600000\n", "retry: 5000\n", "retry: 0\n", "retry: 1000\n", "retry: 2000\n")) {
                assertTrue(raw.contains(line), line + " in " + raw);
            }
        }
        assertEquals(Duration.ofHours(1), SseEvent.MAX_RETRY);
        assertThrows(IllegalArgumentException.class, () -> new SseEvent("e", null, Duration.ofMillis(3_600_001), "d"));
        assertThrows(IllegalArgumentException.class,
                () -> new PatchSignals("{}", false, null, Duration.ofDays(365)).toEvent());
        new SseEvent("e", null, SseEvent.MAX_RETRY, "d");
    }

    // ---- point 11: publish bodies ----------------------------------------------------------------

    @Test
    void aBodyLargerThanMaxPublishSizeIs413BeforeParsingEvenWhenChunked() throws Exception {
        String big = json("x".repeat(MAX_PUBLISH_SIZE));
        HttpResponse<String> declared = HttpCalls.postJson(server.uri("sse/channels/sizes"), "alice", big);
        assertEquals(413, declared.statusCode(), declared.body());
        assertTrue(declared.body().contains("max-publish-size"), declared.body());

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        byte[] bytes = ("{\"type\":\"event\",\"event\":\"e\",\"data\":\"" + "y".repeat(MAX_PUBLISH_SIZE * 4) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> chunked = client.send(HttpRequest.newBuilder(server.uri("sse/channels/sizes"))
                .header("Authorization", HttpCalls.basic("alice", "alice-pw"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, chunked.statusCode(), chunked.body());

        // just under the cap is read and parsed (and then refused as an event too large, a different 413)
        String fits = json("z".repeat(MAX_PUBLISH_SIZE - 100));
        HttpResponse<String> underCap = HttpCalls.postJson(server.uri("sse/channels/sizes"), "alice", fits);
        assertEquals(202, underCap.statusCode(), underCap.body());
    }

    @Test
    void deepNestingAndHugeNumbersAre400() {
        for (String body : List.of(
                messageWithData("[".repeat(2_000) + "]".repeat(2_000)),
                messageWithData("{\"a\":".repeat(2_000) + "1" + "}".repeat(2_000)),
                messageWithData("[".repeat(15_000) + "]".repeat(15_000)),
                messageWithData("[".repeat(65) + "]".repeat(65)),
                messageWithData("1" + "0".repeat(25_000)),
                "{\"type\":\"patchSignals\",\"signals\":{\"n\":" + "9".repeat(25_000) + "}}",
                "{\"type\":\"patchSignals\",\"signals\":{\"n\":0." + "9".repeat(25_000) + "}}",
                "[".repeat(5_000))) {
            HttpResponse<String> response = HttpCalls.postJson(server.uri("sse/channels/deep"), "alice", body);
            assertEquals(400, response.statusCode(), body.substring(0, 60) + ": " + response.body());
            assertFalse(response.body().contains("Exception"), response.body());
        }
        assertEquals(202, HttpCalls.postJson(server.uri("sse/channels/deep"), "alice",
                messageWithData("[".repeat(30) + "1" + "]".repeat(30))).statusCode());
        assertEquals(202, HttpCalls.postJson(server.uri("sse/channels/deep"), "alice",
                messageWithData("12345678901234567890123456789012345678901234567890.5e-3")).statusCode());
    }

    @Test
    void duplicateKeysAndTrailingTextAre400() {
        try (SseStream tab = SseStream.connect(server.uri("sse/channels/ambiguous"), "bob")) {
            for (String body : List.of(
                    "{\"type\":\"event\",\"event\":\"first\",\"event\":\"second\",\"data\":\"d\"}",
                    "{\"type\":\"event\",\"event\":\"e\",\"data\":\"d\",\"type\":\"event\"}",
                    "{\"events\":[{\"type\":\"event\",\"event\":\"e\",\"data\":\"a\",\"data\":\"b\"}]}",
                    "{\"events\":[{\"type\":\"event\",\"event\":\"e\",\"data\":\"a\"}],\"events\":[]}",
                    "{\"type\":\"patchSignals\",\"signals\":{\"a\":1,\"a\":2}}",
                    "{\"type\":\"event\",\"event\":\"e\",\"data\":\"d\"} trailing",
                    "{\"type\":\"event\",\"event\":\"e\",\"data\":\"d\"}{\"type\":\"event\",\"event\":\"e\",\"data\":\"d\"}",
                    "{\"type\":\"event\",\"event\":\"e\",\"data\":\"d\"}]",
                    "{\"type\":\"event\",\"event\":\"e\",\"data\":\"d\"",
                    "\"just a string\"", "[]", "", "   ", "nul")) {
                HttpResponse<String> response = HttpCalls.postJson(server.uri("sse/channels/ambiguous"), "alice", body);
                assertEquals(400, response.statusCode(), body + ": " + response.body());
            }
            assertEquals(202, HttpCalls.postJson(server.uri("sse/channels/ambiguous"), "alice",
                    "  {\"type\":\"event\",\"event\":\"e\",\"data\":\"fence\"}\r\n\t ").statusCode(), "whitespace is fine");
            tab.awaitData("fence");
            assertEquals(1, tab.events().size(), "nothing of the refused bodies was delivered: " + tab.raw());
        }
    }

    @Test
    void bytesThatAreNotUtf8Are400() throws IOException {
        byte[] body = "{\"type\":\"event\",\"event\":\"e\",\"data\":\"\u00ff\u00fe\"}".getBytes(StandardCharsets.ISO_8859_1);
        RawHttp.Response response = http.send("POST", "/sse/channels/bytes", "alice", body, List.of("Content-Type: application/json"));
        assertEquals(400, response.status(), response.text());
        RawHttp.Response latin1 = http.send("POST", "/sse/channels/bytes", "alice", body,
                List.of("Content-Type: application/json; charset=ISO-8859-1"));
        assertEquals(202, latin1.status(), latin1.text());
        RawHttp.Response unknown = http.send("POST", "/sse/channels/bytes", "alice", body,
                List.of("Content-Type: application/json; charset=x-no-such-charset"));
        assertEquals(415, unknown.status(), unknown.text());
    }

    static String json(String data) {
        return "{\"type\":\"event\",\"event\":\"message\",\"data\":\"" + data + "\"}";
    }

    static String messageWithData(String jsonValue) {
        return "{\"type\":\"message\",\"messageType\":\"m\",\"data\":" + jsonValue + "}";
    }
}
