package dev.broadcaster.rooms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.broadcaster.rooms.it.support.Server;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The example's hardening (issue 12, points 7, 16 and 17), tested from the outside on a real server: what an
 * attacker or a careless client sends, and what the users of the room observe.
 */
class ExampleHardeningIT extends DeployedRooms {

    // ---- point 7: an undeliverable message fails for the poster ------------------------------------

    @Test
    void aMessageTooLargeToBroadcastIsRefusedWith413AndIsNeitherDeliveredNorCounted() {
        String room = Server.room("big");
        try (SseStream carol = SseStream.connect(events(room), "carol")) {
            HttpResponse<String> big = post(room, "bob", "y".repeat(70_000));
            assertEquals(413, big.statusCode(), big.body());
            assertTrue(big.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), big.headers().toString());
            assertTrue(big.body().contains("max-message-size"), big.body());

            HttpResponse<String> after = post(room, "bob", "after");
            assertEquals(204, after.statusCode(), after.body());
            assertEquals("1", after.headers().firstValue("X-Message-Count").orElse(null), "the refused message was counted");
            carol.awaitEvent("datastar-patch-signals", "signals {\"count\":1}");
            assertEquals(List.of(RoomsIT.messageHtml("bob", "after", 1)),
                    RoomsIT.posted(carol).stream().map(e -> RoomsIT.untimed(e.data())).toList());
            assertTrue(carol.events().stream().noneMatch(e -> e.data().contains("yyyy")), "part of the big message arrived");
        }
    }

    // ---- point 16: the room name never reaches a script --------------------------------------------

    @Test
    void aRoomNameThatIsNotAChannelNameIsNotFoundOnEveryRoomEndpoint() {
        List<String> attacks = List.of(
                "x%27);alert(document.domain);(%27",     // the reported reflected XSS
                "x%27+alert(1)+%27",
                "a%20b",
                "%3Cscript%3E",
                "x".repeat(129),
                "broadcaster:admin");
        for (String room : attacks) {
            for (String page : List.of("", "/htmx")) {
                HttpResponse<String> answer = HttpCalls.get(raw("rooms/" + room + page), "bob");
                assertEquals(404, answer.statusCode(), room + page + ": " + answer.body());
                assertFalse(answer.body().contains("alert"), "the name came back: " + answer.body());
            }
            SseStream stream = SseStream.open(raw("rooms/" + room + "/events"), "bob");
            assertEquals(404, stream.status(), room + "/events: " + stream.errorBody());
            HttpResponse<String> posted = HttpCalls.postForm(raw("rooms/" + room + "/messages"), "bob", "text", "hi");
            assertEquals(404, posted.statusCode(), room + "/messages: " + posted.body());
        }
    }

    @Test
    void theRoomPagesBuildNoScriptFromTheRoomName() {
        String room = Server.room("page");
        for (String page : List.of("", "/htmx")) {
            HttpResponse<String> answer = HttpCalls.get(uri("rooms/" + room + page), "bob");
            assertEquals(200, answer.statusCode(), answer.body());
            String html = answer.body();
            List<Map<String, String>> elements = elements(html);
            for (Map<String, String> element : elements) {
                element.forEach((name, value) -> {
                    if (scriptAttribute(name)) {
                        assertFalse(value.contains(room), page + ": the room name is inside the script of "
                                + name + "=\"" + value + "\"");
                    }
                });
            }
            for (String script : inlineScripts(html)) {
                assertFalse(script.contains(room), page + ": the room name is inside an inline script: " + script);
            }
            // the stream's URL is still on the page, as plain data (the Datastar page's with the position it renders)
            String events = "/rooms/rooms/" + room + "/stream";
            assertTrue(elements.stream().map(e -> e.get("data-events-url"))
                            .anyMatch(url -> events.equals(url) || url != null && url.startsWith(events + "?lastEventId=")),
                    page + ": no data-events-url for the room in " + html);
        }
    }

    // ---- point 17: posting follows the ChannelAuthorizer; the counts stay bounded ------------------

    @Test
    void carolCannotPostIntoBobsPrivateRoomNorOpenItsPages() {
        try (SseStream bob = SseStream.connect(events("private-bob"), "bob")) {
            HttpResponse<String> form = post("private-bob", "carol", "hello from carol");
            assertEquals(403, form.statusCode(), form.body());
            HttpResponse<String> json = HttpCalls.send(HttpRequest.newBuilder(uri("rooms/private-bob/messages"))
                    .header("Authorization", HttpCalls.basic("carol")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hello again\"}")).build());
            assertEquals(403, json.statusCode(), json.body());
            for (String page : List.of("", "/htmx")) {
                assertEquals(403, HttpCalls.get(uri("rooms/private-bob" + page), "carol").statusCode(), page);
            }

            HttpResponse<String> own = post("private-bob", "bob", "note to self");
            assertEquals(204, own.statusCode(), own.body());
            String count = own.headers().firstValue("X-Message-Count").orElseThrow();
            bob.awaitEvent("datastar-patch-signals", "signals {\"count\":" + count + "}");
            assertTrue(bob.events().stream().noneMatch(e -> e.data().contains("carol")), "bob got carol's post: " + bob.events());
        }
    }

    @Test
    void theMessageCountsAreKeptForABoundedNumberOfRooms() throws Exception {
        String prefix = Server.room("count");
        String first = prefix + "-first";
        assertEquals(204, post(first, "bob", "one").statusCode());
        assertTrue(HttpCalls.get(uri("rooms/" + first + "/htmx"), "bob").body().contains("<span id=\"counter\">1</span>"));

        // 1,000 more rooms (the bound) posted after it: its count is the least recently used, and dropped
        Semaphore inFlight = new Semaphore(8);
        List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            inFlight.acquire();
            HttpRequest request = HttpRequest.newBuilder(uri("rooms/" + prefix + "-" + i + "/messages"))
                    .header("Authorization", HttpCalls.basic("bob"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString("text=x")).build();
            posts.add(HttpCalls.sendAsync(request).whenComplete((r, e) -> inFlight.release()));
        }
        for (CompletableFuture<HttpResponse<String>> answer : posts) {
            assertEquals(204, answer.get().statusCode(), answer.get().body());
        }
        assertTrue(HttpCalls.get(uri("rooms/" + first + "/htmx"), "bob").body().contains("<span id=\"counter\">0</span>"),
                "the count of the least recently posted-to room was kept past the bound");
        assertTrue(HttpCalls.get(uri("rooms/" + prefix + "-999/htmx"), "bob").body().contains("<span id=\"counter\">1</span>"));
        // the known rooms are never dropped
        assertTrue(HttpCalls.get(uri("rooms/lobby/htmx"), "bob").statusCode() == 200);
    }

    // ---- point 17: the Datastar SDK conformance endpoint -------------------------------------------

    @Test
    void theDatastarSdkEndpointNeedsASignedInUser() {
        String input = "{\"events\":[{\"type\":\"patchSignals\",\"signals\":{\"a\":1}}]}";
        HttpResponse<String> anonymous = HttpCalls.get(uri("datastar-sdk/test?datastar=" + HttpCalls.encode(input)), null);
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        HttpResponse<String> bob = HttpCalls.get(uri("datastar-sdk/test?datastar=" + HttpCalls.encode(input)), "bob");
        assertEquals(200, bob.statusCode(), bob.body());
        assertTrue(bob.body().endsWith("event: datastar-patch-signals\ndata: signals {\"a\":1}\n\n"), bob.body());
    }

    @Test
    void theDatastarSdkEndpointRefusesAnInputOverOneMebibyteWith413() {
        String small = sdkInput(512 * 1024);
        HttpResponse<String> accepted = postSdk(small);
        assertEquals(200, accepted.statusCode(), accepted.body());
        assertTrue(accepted.body().contains("data: signals {\"pad\":\"xxx"), "no event in the answer");

        HttpResponse<String> refused = postSdk(sdkInput(1024 * 1024 + 1));
        assertEquals(413, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("larger than"), refused.body());
    }

    /** Input a page cannot have sent is 400 with a reason (the library's {@code Signals}, then the example's own rules). */
    @Test
    void malformedDatastarSdkInputIs400NeverA500() {
        for (String input : List.of("not json", "[1]", "{\"events\":[]} trailing", "{\"a\":1,\"a\":2}",
                "{\"events\":[{\"type\":\"patchElements\",\"elements\":\"<p>\",\"namespace\":\"svg2\"}]}",
                "{\"events\":[{\"type\":\"patchElements\",\"elements\":\"<p>\",\"viewTransitionSelector\":\"#a\\n#b\"}]}",
                "{\"events\":[{\"type\":\"patchSignals\",\"signals\":{},\"retryDuration\":1.5}]}",
                "{\"events\":{}}")) {
            HttpResponse<String> post = postSdk(input);
            assertEquals(400, post.statusCode(), input + ": " + post.body());
            HttpResponse<String> get = HttpCalls.get(uri("datastar-sdk/test?datastar=" + HttpCalls.encode(input)), "bob");
            assertEquals(400, get.statusCode(), input + ": " + get.body());
            assertFalse(get.body().contains("Exception"), get.body());
        }
        HttpResponse<String> notJson = postSdk("not json");
        assertTrue(notJson.body().contains("Expected the Datastar signals as a JSON object"), notJson.body());
    }

    @Test
    void clientsThatDoNotReadTheDatastarSdkAnswerHoldNoServerThread() throws Exception {
        // about 1 MiB of input whose answer is about 6 MiB: far more than the socket buffers hold
        StringBuilder elements = new StringBuilder();
        while (elements.length() < 1000 * 1024) {
            elements.append("a\\n");
        }
        byte[] body = ("{\"events\":[{\"type\":\"patchElements\",\"elements\":\"" + elements + "b\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        int baseline = activeServerThreads();
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                Socket client = new Socket();
                client.setReceiveBufferSize(4096);
                client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), base.getPort()), 5000);
                client.getOutputStream().write(("POST " + base.getPath() + "datastar-sdk/test HTTP/1.1\r\n"
                        + "Host: localhost:" + base.getPort() + "\r\nAuthorization: " + HttpCalls.basic("bob") + "\r\n"
                        + "Content-Type: application/json\r\nAccept: text/event-stream\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().write(body);
                client.getOutputStream().flush();
                clients.add(client);
            }
            for (Socket client : clients) {
                // the answer has started (its status line), and then the client reads no more
                byte[] head = client.getInputStream().readNBytes(12);
                assertEquals("HTTP/1.1 200", new String(head, StandardCharsets.US_ASCII));
            }
            // the server's threads are free again long before Liberty's 60 s write timeout would free them
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int active = activeServerThreads();
            while (active > baseline + 3 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos()); // poll interval
                active = activeServerThreads();
            }
            Server.record("Datastar SDK endpoint: " + clients.size() + " clients not reading, active server threads "
                    + active + " (before them: " + baseline + ")");
            assertTrue(active <= baseline + 3, clients.size() + " clients that do not read hold " + active
                    + " active server threads (before them: " + baseline + ")");
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    /** Liberty's Default Executor threads running a task now (MicroProfile Metrics, vendor scope). */
    private int activeServerThreads() {
        assumeTrue(Server.liberty(), "reads Open Liberty's thread pool metric");
        HttpResponse<String> metrics = HttpCalls.get(uri("/metrics?scope=vendor"), null);
        assertEquals(200, metrics.statusCode(), metrics.body());
        return metrics.body().lines()
                .filter(line -> line.startsWith("threadpool_activeThreads") && line.contains("Default_Executor"))
                .map(line -> (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no threadpool_activeThreads in " + metrics.body()));
    }

    // ---- point 17: the server listens on the loopback interface only -------------------------------

    @Test
    void theServerIsNotReachableFromAnotherInterfaceOfThisMachine() throws Exception {
        assumeTrue(Server.liberty(), "the binding is the example's Open Liberty configuration (server.xml)");
        Optional<InetAddress> external = nonLoopbackAddress();
        assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address");
        int port = base.getPort();
        try (Socket local = new Socket()) {
            local.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        }
        try (Socket remote = new Socket()) {
            remote.connect(new InetSocketAddress(external.get(), port), 5000);
            throw new AssertionError("port " + port + " answered on " + external.get().getHostAddress());
        } catch (IOException expected) {
            Server.record("port " + port + " on " + external.get().getHostAddress() + ": " + expected.getMessage());
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** {@code path} sent exactly as written (already percent-encoded where needed). */
    private URI raw(String path) {
        String root = base.toExternalForm();
        return URI.create((root.endsWith("/") ? root : root + "/") + path);
    }

    private URI events(String room) {
        return uri("rooms/" + room + "/events");
    }

    private HttpResponse<String> post(String room, String user, String text) {
        return HttpCalls.postForm(uri("rooms/" + room + "/messages"), user, "text", text);
    }

    private HttpResponse<String> postSdk(String input) {
        return HttpCalls.send(HttpRequest.newBuilder(uri("datastar-sdk/test"))
                .header("Authorization", HttpCalls.basic("bob")).header("Content-Type", "application/json")
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(input, StandardCharsets.UTF_8)).build());
    }

    /** A valid test input of exactly {@code bytes} bytes: one patchSignals event with a padding signal. */
    private static String sdkInput(int bytes) {
        String head = "{\"events\":[{\"type\":\"patchSignals\",\"signals\":{\"pad\":\"";
        String tail = "\"}}]}";
        return head + "x".repeat(bytes - head.length() - tail.length()) + tail;
    }

    /** Attributes whose value a browser library evaluates as script (Datastar expressions, htmx and DOM handlers). */
    private static boolean scriptAttribute(String name) {
        return name.startsWith("on") || name.startsWith("hx-on") || name.startsWith("data-on")
                || name.startsWith("data-init") || name.startsWith("data-effect") || name.startsWith("data-text")
                || name.startsWith("data-signals") || name.startsWith("data-computed") || name.startsWith("data-attr")
                || name.startsWith("data-show") || name.startsWith("data-class") || name.startsWith("data-style");
    }

    private static final Pattern TAG = Pattern.compile("<([a-zA-Z][a-zA-Z0-9-]*)((?:\\s+[^\\s=>/]+(?:\\s*=\\s*(?:\"[^\"]*\"|'[^']*'|[^\\s>]+))?)*)\\s*/?>");
    private static final Pattern ATTRIBUTE = Pattern.compile("([^\\s=>/]+)(?:\\s*=\\s*(\"[^\"]*\"|'[^']*'|[^\\s>]+))?");
    private static final Pattern SCRIPT = Pattern.compile("<script[^>]*>(.*?)</script>", Pattern.DOTALL);

    /** Every start tag's attributes, names lower-cased and values entity-decoded, as a browser's parser gives them. */
    static List<Map<String, String>> elements(String html) {
        List<Map<String, String>> elements = new ArrayList<>();
        Matcher tag = TAG.matcher(html);
        while (tag.find()) {
            Map<String, String> attributes = new LinkedHashMap<>();
            Matcher attribute = ATTRIBUTE.matcher(tag.group(2));
            while (attribute.find()) {
                String value = attribute.group(2) == null ? "" : attribute.group(2);
                if (value.startsWith("\"") || value.startsWith("'")) {
                    value = value.substring(1, value.length() - 1);
                }
                attributes.put(attribute.group(1).toLowerCase(), decodeEntities(value));
            }
            elements.add(Collections.unmodifiableMap(attributes));
        }
        return elements;
    }

    static List<String> inlineScripts(String html) {
        List<String> scripts = new ArrayList<>();
        Matcher script = SCRIPT.matcher(html);
        while (script.find()) {
            scripts.add(script.group(1));
        }
        return scripts;
    }

    /** Decodes character references (numeric, and the named ones an escaper writes), as the HTML parser does. */
    static String decodeEntities(String value) {
        Matcher reference = Pattern.compile("&(#[0-9]+|#[xX][0-9a-fA-F]+|amp|lt|gt|quot|apos);").matcher(value);
        StringBuilder out = new StringBuilder();
        while (reference.find()) {
            String name = reference.group(1);
            String decoded = switch (name) {
                case "amp" -> "&";
                case "lt" -> "<";
                case "gt" -> ">";
                case "quot" -> "\"";
                case "apos" -> "'";
                default -> new String(Character.toChars(name.startsWith("#x") || name.startsWith("#X")
                        ? Integer.parseInt(name.substring(2), 16) : Integer.parseInt(name.substring(1))));
            };
            reference.appendReplacement(out, Matcher.quoteReplacement(decoded));
        }
        reference.appendTail(out);
        return out.toString();
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }
}
