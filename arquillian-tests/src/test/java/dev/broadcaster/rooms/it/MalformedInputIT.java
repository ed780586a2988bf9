package dev.broadcaster.rooms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.rooms.it.support.Server;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Malformed input to the built-in endpoints on a real server (its own URI handling and JSON-P provider): raw
 * braces in the URI, names made of dots, out-of-range retries, publish bodies that are too deep, hold a huge
 * number, repeat a key, carry trailing text or exceed {@code broadcaster.max-publish-size}. Each is a 4xx with a
 * reason, never a 500.
 */
class MalformedInputIT extends DeployedRooms {

    /**
     * Raw braces: in a path, 400 on both servers. In a query, Liberty's {@code getRequestUri()} refuses them (400
     * now, 500 before); Payara's Jersey percent-encodes the query first and serves the request as usual.
     */
    @Test
    void rawBracesInAnSsePathOrQueryAreNever500() {
        for (String target : List.of("sse/channels/{a}", "sse/{x}/status", "sse/channels/lobby?x={a}",
                "sse/channels/lobby?x=}")) {
            for (String method : List.of("GET", "DELETE")) {
                String answer = raw(method, base.getPath() + target, "alice");
                Server.record(method + " " + target + " -> " + answer.lines().findFirst().orElse(""));
                boolean inPath = !target.contains("?");
                if (inPath || Server.liberty()) {
                    assertTrue(answer.startsWith("HTTP/1.1 400"), method + " " + target + ": " + answer);
                } else {
                    assertFalse(answer.startsWith("HTTP/1.1 5"), method + " " + target + ": " + answer);
                }
                assertFalse(answer.contains("Exception"), answer);
            }
        }
    }

    /**
     * A name made of dots is refused by the library: 400 on Liberty. On Payara, {@code .} and {@code ..} segments
     * are the container's business before the application (seen answering 200 or 400 from run to run; not
     * investigated further), so there only {@code ...} is checked for 400; on both, no such channel exists
     * afterwards.
     */
    @Test
    void channelNamesMadeOnlyOfDotsNeverNameAChannel() {
        for (String dots : List.of(".", "..", "...")) {
            if (Server.payara() && !dots.equals("...")) {
                continue;
            }
            String answer = raw("GET", base.getPath() + "sse/channels/" + dots, "bob");
            Server.record("GET sse/channels/" + dots + " as bob -> " + answer.lines().findFirst().orElse(""));
            assertTrue(answer.startsWith("HTTP/1.1 400"), dots + ": " + answer);
        }
        HttpResponse<String> status = HttpCalls.get(uri("sse/status"), "alice");
        assertFalse(status.body().matches("(?s).*\"\\.+\":.*"), status.body());
    }

    @Test
    void publishBodiesThatAreTooDeepTooLongAmbiguousOrTooLargeAreRefused() {
        String room = Server.room("malformed");
        try (SseStream bob = SseStream.connect(uri("sse/channels/" + room), "bob")) {
            for (String body : List.of(
                    message("[".repeat(2_000) + "]".repeat(2_000)),
                    message("[".repeat(200_000) + "]".repeat(200_000)),
                    message("1" + "0".repeat(100_000)),
                    "{\"type\":\"patchSignals\",\"signals\":{\"n\":0." + "9".repeat(5_000) + "}}",
                    "{\"type\":\"event\",\"event\":\"first\",\"event\":\"second\",\"data\":\"d\"}",
                    "{\"type\":\"event\",\"event\":\"e\",\"data\":\"d\"} trailing",
                    "{\"type\":\"event\",\"event\":\"e\",\"data\":\"d\",\"retryDuration\":18446744073709556616}",
                    "{\"type\":\"event\",\"event\":\"e\",\"data\":\"d\",\"retryDuration\":9223372036854775807}")) {
                HttpResponse<String> response = publish(room, body);
                Server.record("publish " + body.substring(0, Math.min(50, body.length())) + "… -> " + response.statusCode());
                assertEquals(400, response.statusCode(), body.substring(0, Math.min(80, body.length())) + ": " + response.body());
            }
            HttpResponse<String> huge = publish(room, message("\"" + "x".repeat(2 * 1024 * 1024) + "\""));
            assertEquals(413, huge.statusCode(), huge.body());

            assertEquals(202, publish(room, "{\"type\":\"event\",\"event\":\"e\",\"data\":\"fence\",\"retryDuration\":3600000}")
                    .statusCode());
            bob.awaitEvent("e", "fence");
            assertTrue(bob.raw().contains("retry: 3600000\n"), bob.raw());
            assertEquals(1, bob.events("e").size() + bob.events("second").size() + bob.events("message").size(),
                    "only the fence was delivered: " + bob.raw());
        }
    }

    // ---------------------------------------------------------------------------------------------

    private HttpResponse<String> publish(String room, String body) {
        return HttpCalls.send(HttpRequest.newBuilder(uri("sse/channels/" + room)).header("Authorization", HttpCalls.basic("alice"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    private static String message(String data) {
        return "{\"type\":\"message\",\"messageType\":\"m\",\"data\":" + data + "}";
    }

    /** A request with a raw target (the JDK client refuses braces), as {@code user}; the answer's head and start of body. */
    private String raw(String method, String target, String user) {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(20_000);
            String request = method + " " + target + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nAuthorization: " + HttpCalls.basic(user) + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            int n;
            while (answer.size() < 4096 && (n = in.read(buffer)) > 0) {
                answer.write(buffer, 0, n);
                String text = answer.toString(StandardCharsets.ISO_8859_1);
                if (text.contains("\r\n\r\n")) {
                    if (text.toLowerCase(java.util.Locale.ROOT).contains("content-type: text/event-stream")) {
                        break; // an open stream never ends by itself: its head is the answer
                    }
                    // head received; read what follows of a short refusal body
                    socket.setSoTimeout(2_000);
                }
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError(method + " " + target + ": no complete answer", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
