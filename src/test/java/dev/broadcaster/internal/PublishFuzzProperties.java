package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.SseEvent;
import dev.broadcaster.SseMessage;
import dev.broadcaster.datastar.ElementNamespace;
import dev.broadcaster.datastar.ElementPatchMode;
import dev.broadcaster.datastar.ExecuteScript;
import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.support.EventStreamParser.Event;
import dev.broadcaster.support.RawHttp;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * A fuzz of the HTTP publish endpoint on the in-process server: generated requests (publish bodies, valid and
 * corrupted in known ways; channel names; {@code Origin}, {@code Sec-Fetch-Site}, {@code Referer},
 * {@code Content-Type} and junk header values; users; query strings) sent over a raw socket while bob listens on
 * the channel {@value #CHANNEL}. For every request:
 *
 * <ol>
 *   <li>no 5xx;
 *   <li>a request this test's own model of the rules calls acceptable is 202, one it calls refused is not
 *       (requests with a query string may go either way: only the other checks apply to them);
 *   <li>bob receives exactly the events of the 202-answered requests to his channel, in order, each parsed
 *       into exactly the type and data the request asked for: nothing from a refused request, no forged field
 *       or event (checked after every accepted request and at the end of each property).
 * </ol>
 *
 * <p>The suite runs {@link #publishFuzz} (2,000 tries, fixed seed). The large run, 100,000 tries, runs only
 * when asked: {@code mvn -Dmaven.repo.local=... test-compile surefire:test@default-test
 * -Dtest=PublishFuzzProperties -Dfuzz.large=true}; it prints its figures ({@code fuzz: ...}) at the end.
 */
class PublishFuzzProperties extends SseInputGenerators {

    static final String CHANNEL = "fuzz";
    static final String ALLOWED = "https://allowed.example";
    static final int MAX_PUBLISH_SIZE = 32 * 1024;

    private static TestServer server;
    private static SseStream bob;
    private static RawHttp http;
    private static final Map<String, Integer> statuses = new TreeMap<>();
    private static final Map<String, Integer> reasons = new TreeMap<>();
    private static long tries;
    private static long delivered;
    private static long started;
    private static long sendingNanos;

    PublishFuzzProperties() {
        super(2_000);
    }

    @BeforeContainer
    static void start() {
        server = TestServer.builder()
                .config("broadcaster.allowed-origins", ALLOWED)
                .config("broadcaster.max-publish-size", String.valueOf(MAX_PUBLISH_SIZE))
                .start();
        bob = SseStream.connect(server.uri("sse/channels/" + CHANNEL), "bob");
        http = new RawHttp(server.base());
        started = System.nanoTime();
    }

    @AfterContainer
    static void stop() {
        if (http != null) {
            http.close();
        }
        if (bob != null) {
            bob.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Property(tries = 2_000, seed = "1207", shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void publishFuzz(@ForAll("requests") FuzzRequest request) {
        check(request);
    }

    @Property(tries = 100_000, seed = "1208", shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    @AddLifecycleHook(OnlyWhenAsked.class)
    void publishFuzzLarge(@ForAll("requests") FuzzRequest request) {
        check(request);
    }

    /** Skips the large run unless {@code -Dfuzz.large=true}. */
    static final class OnlyWhenAsked implements SkipExecutionHook {
        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            return Boolean.getBoolean("fuzz.large") ? SkipResult.doNotSkip() : SkipResult.skip("run with -Dfuzz.large=true");
        }
    }

    /** After all tries: one more event; bob gets exactly it, so nothing stray arrived after the last check. */
    @AfterProperty
    void nothingStrayAtTheEnd() {
        server.bean(dev.broadcaster.ChannelRegistry.class).broadcast(CHANNEL, SseEvent.named("end", "end"));
        List<Event> last = bob.takeEvents(1);
        assertEquals(List.of("end"), last.stream().map(Event::type).toList(), "after the last try: " + last);
        report();
    }

    /** Prints this property's figures and starts counting afresh. */
    private static void report() {
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "fuzz: %d tries in %.1f s (%.2f ms each, %.1f s of it in HTTP exchanges), "
                        + "%d events delivered, statuses %s, reasons (one request may have several) %s, %d cores, %s %s%n",
                tries, seconds, seconds * 1000 / Math.max(1, tries), sendingNanos / 1e9, delivered, statuses, reasons,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"), System.getProperty("java.version"));
        tries = 0;
        delivered = 0;
        sendingNanos = 0;
        statuses.clear();
        reasons.clear();
        started = System.nanoTime();
    }

    // ---------------------------------------------------------------------------------------------

    private static void check(FuzzRequest request) {
        tries++;
        long before = System.nanoTime();
        RawHttp.Response response = http.send("POST", request.target(), request.user(), request.body(), request.headers());
        sendingNanos += System.nanoTime() - before;
        int status = response.status();
        statuses.merge(String.valueOf(status), 1, Integer::sum);
        for (String reason : request.why().isEmpty() ? new String[] {request.verdict().name()} : request.why().split(", ")) {
            String category = category(reason);
            if (CATEGORIES.contains(category)) { // (a reason's own text may hold ", ")
                reasons.merge(category, 1, Integer::sum);
            }
        }
        assertTrue(status < 500, () -> "5xx for " + request + ": " + response.text());
        if (request.verdict() == Verdict.ACCEPT) {
            assertEquals(202, status, () -> "refused although acceptable: " + request + ": " + response.text());
        } else if (request.verdict() == Verdict.REFUSE) {
            assertNotEquals(202, status, () -> "accepted although it should be refused (" + request.why() + "): " + request);
        }
        if (status == 202 && CHANNEL.equals(request.channel())) {
            List<Event> received = bob.takeEvents(request.events().size());
            delivered += received.size();
            assertEquals(request.events(), received.stream().map(e -> new Expected(e.type(), e.data())).toList(),
                    () -> "what bob received for " + request);
        }
    }

    private static final List<String> CATEGORIES = List.of("foreign Origin", "foreign Referer", "Sec-Fetch-Site",
            "Content-Type", "user", "channel", "body of", "body", "invalid", "no \"event\"", "field with", "reserved name",
            "ACCEPT", "EITHER");

    /** The kind of a reason, without the generated value in it. */
    private static String category(String reason) {
        return CATEGORIES.stream().filter(reason::startsWith).findFirst().orElse(reason);
    }

    // ---------------------------------------------------------------------------------------------
    // The model

    enum Verdict { ACCEPT, REFUSE, EITHER }

    /** What an EventSource should dispatch: its type and data. */
    record Expected(String type, String data) {}

    record FuzzRequest(String target, String channel, String user, List<String> headers, byte[] body,
                       List<Expected> events, Verdict verdict, String why) {
        @Override
        public String toString() {
            return "POST " + target + " as " + user + " " + headers + " body "
                    + visible(new String(body, StandardCharsets.ISO_8859_1), 400) + " expecting " + verdict
                    + (why.isEmpty() ? "" : " (" + why + ")");
        }
    }

    /** One event of a body: the JSON fields, and what bob should see (null: the event is invalid). */
    record EventSpec(Map<String, Object> fields, Expected expected, String invalid) {}

    /** A channel in the path: raw form, decoded name (null: never bob's), and whether it is refused. */
    record ChannelSpec(String raw, String decoded, boolean refused) {}

    @Provide
    Arbitrary<FuzzRequest> requests() {
        Arbitrary<List<EventSpec>> events = Arbitraries.frequencyOf(Tuple.of(3, eventSpec().list().ofSize(1)),
                Tuple.of(1, eventSpec().list().ofMinSize(2).ofMaxSize(3)));
        Arbitrary<String> origin = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just("")), Tuple.of(3, Arbitraries.just("OWN")), Tuple.of(1, Arbitraries.just("OWN-UPPER")),
                Tuple.of(1, Arbitraries.of(ALLOWED, "https://ALLOWED.example:443")),
                Tuple.of(2, Arbitraries.of("http://evil.example", "null", "https://allowed.example:8443", "http://allowed.example",
                        "OWN/path", "http://127.0.0.1", "file://", " ", "http://[::1]:80")),
                Tuple.of(1, headerValue()));
        Arbitrary<String> site = Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.just("")),
                Tuple.of(3, Arbitraries.of("same-origin", "none", "cross-site", "same-site", "Same-Origin")),
                Tuple.of(1, headerValue()));
        Arbitrary<String> referer = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just("")),
                Tuple.of(2, Arbitraries.of("OWN/page", "http://evil.example/page", ALLOWED + "/x", "OWN")),
                Tuple.of(1, headerValue()));
        Arbitrary<String> contentType = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just("application/json")),
                Tuple.of(2, Arbitraries.of("application/json; charset=utf-8", "Application/JSON;charset=UTF-8", "application/json;x=y")),
                Tuple.of(2, Arbitraries.of("", "text/plain", "application/x-www-form-urlencoded", "text/json",
                        "application/json; charset=no-such", "application/jsonp", "multipart/form-data; boundary=a")),
                Tuple.of(1, headerValue()));
        Arbitrary<String> user = Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.just("alice")),
                Tuple.of(1, Arbitraries.of("bob", "")));
        Arbitrary<String> query = Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just("")),
                Tuple.of(1, Arbitraries.of("?x={a}", "?history=abc", "?a=b&c", "?x=}", "?lastEventId=%00", "?%41")),
                // RFC 3986 query characters and braces (Jersey's Grizzly container, the test server, answers 500 to other
                // raw characters such as '<' or '[', and to malformed %-escapes, itself, before the application)
                Tuple.of(1, Arbitraries.strings().alpha().numeric().withChars("-._~!$&'()*+,;=:@/?{}").ofMaxLength(30)
                        .map(q -> "?" + q)));
        Arbitrary<String> corruption = Arbitraries.frequencyOf(Tuple.of(14, Arbitraries.just("none")),
                Tuple.of(1, Arbitraries.of("duplicate", "trailing", "truncate", "deep", "number", "oversize", "utf8",
                        "notObject", "duplicateInEvent", "wrapperTrailing")));
        Arbitrary<Tuple.Tuple4<String, String, String, String>> browser = Combinators.combine(origin, site, referer, contentType)
                .as(Tuple::of);
        return Combinators.combine(events, channel(), browser, user, query, headerValue(), corruption,
                Arbitraries.longs()).as(PublishFuzzProperties::request);
    }

    private static FuzzRequest request(List<EventSpec> events, ChannelSpec channel,
                                       Tuple.Tuple4<String, String, String, String> browser, String user, String query,
                                       String junk, String corruption, long seed) {
        Random random = new Random(seed);
        String own = "http://" + server.base().getHost() + ":" + server.base().getPort();
        List<String> headers = new ArrayList<>();
        List<String> why = new ArrayList<>();
        String origin = browser.get1().replace("OWN-UPPER", own.toUpperCase(Locale.ROOT)).replace("OWN", own);
        String site = browser.get2();
        String referer = browser.get3().replace("OWN", own);
        String contentType = browser.get4();
        if (!origin.isEmpty()) {
            headers.add("Origin: " + origin);
        }
        if (!site.isEmpty()) {
            headers.add("Sec-Fetch-Site: " + site);
        }
        if (!referer.isEmpty()) {
            headers.add("Referer: " + referer);
        }
        if (!contentType.isEmpty()) {
            headers.add("Content-Type: " + contentType);
        }
        headers.add("X-Fuzz: " + junk);
        if (random.nextInt(4) == 0) {
            headers.add("Sec-Fetch-Dest: " + (random.nextBoolean() ? "empty" : junk));
        }

        // this test's model of the rules (not the library's code)
        if (!origin.isEmpty()) {
            String o = origin.trim().toLowerCase(Locale.ROOT).replaceFirst("^(https://[^/]*):443$", "$1");
            if (!(o.equals(own) || o.equals(ALLOWED))) {
                why.add("foreign Origin");
            }
        } else if (!site.isEmpty()) {
            String s = site.trim().toLowerCase(Locale.ROOT);
            if (!(s.equals("same-origin") || s.equals("none"))) {
                why.add("Sec-Fetch-Site " + s);
            }
        } else if (!referer.isEmpty()) {
            if (!(referer.startsWith(own + "/") || referer.equals(own) || referer.startsWith(ALLOWED + "/"))) {
                why.add("foreign Referer");
            }
        }
        String type = contentType.trim().toLowerCase(Locale.ROOT);
        if (!(type.equals("application/json") || type.equals("application/json; charset=utf-8")
                || type.equals("application/json;charset=utf-8") || type.equals("application/json;x=y"))) {
            why.add("Content-Type " + contentType);
        }
        if (!user.equals("alice")) {
            why.add("user " + user);
        }
        if (channel.refused()) {
            why.add("channel " + channel.raw());
        }
        events.stream().filter(e -> e.invalid() != null).forEach(e -> why.add(e.invalid()));

        String json = render(events, random).trim();
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        switch (corruption) {
            case "duplicate" -> body = utf8(json.replaceFirst("\\{", "{\"exclude\":[],\"exclude\":[],"));
            case "duplicateInEvent" -> body = utf8(json.replaceFirst("\"type\"", "\"type\":\"x\",\"type\""));
            case "trailing" -> body = utf8(json + random(random, List.of(" x", "{}", "]", "}", " null", "\"")));
            case "wrapperTrailing" -> body = utf8(json + "," + json);
            case "truncate" -> body = utf8(json.substring(0, random.nextInt(json.length()))); // never the last '}'
            case "deep" -> {
                int depth = 64 + random.nextInt(400);
                body = utf8("{\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "," + json.substring(1));
            }
            case "number" -> body = utf8("{\"n\":" + "7".repeat(257 + random.nextInt(5_000)) + "," + json.substring(1));
            case "oversize" -> body = utf8("{\"pad\":\"" + "p".repeat(MAX_PUBLISH_SIZE) + "\"," + json.substring(1));
            case "utf8" -> {
                int quote = json.indexOf("\":\"") + 3;
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                bytes.writeBytes(utf8(json.substring(0, quote)));
                bytes.write(random.nextBoolean() ? 0xFF : 0xC3);
                bytes.writeBytes(utf8(json.substring(quote)));
                body = bytes.toByteArray();
            }
            case "notObject" -> body = utf8(random(random, List.of("[]", "\"x\"", "", "  ", "null", "[" + json + "]", "1")));
            default -> { }
        }
        if (!corruption.equals("none")) {
            why.add("body " + corruption);
        }
        if (body.length > MAX_PUBLISH_SIZE) {
            why.add("body of " + body.length + " bytes");
        }
        Verdict verdict = !why.isEmpty() ? Verdict.REFUSE : query.isEmpty() ? Verdict.ACCEPT : Verdict.EITHER;
        List<Expected> expected = events.stream().map(EventSpec::expected).toList();
        return new FuzzRequest("/sse/channels/" + channel.raw() + query, channel.decoded(), user.isEmpty() ? null : user,
                headers, body, expected, verdict, String.join(", ", why));
    }

    private Arbitrary<ChannelSpec> channel() {
        return Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.just(new ChannelSpec(CHANNEL, CHANNEL, false))),
                Tuple.of(1, Arbitraries.of(new ChannelSpec("%66uzz", CHANNEL, false), new ChannelSpec("fu%7Az", CHANNEL, false))),
                Tuple.of(2, Arbitraries.of("fuzz-other", "a.b", "x:y@z", ".x", "FUZZ", "f_u-z.z")
                        .map(name -> new ChannelSpec(name, name, false))),
                Tuple.of(2, Arbitraries.of(".", "..", "...", "%2E%2E", "a%20b", "%0A", "x".repeat(129), "%7Ba%7D",
                                "%C3%A9", "broadcaster:admin", "%2F", "a%00b", "fuzz%0D%0Aevent:x")
                        .map(raw -> new ChannelSpec(raw, null, true))));
    }

    private Arbitrary<EventSpec> eventSpec() {
        Arbitrary<String> names = Arbitraries.frequencyOf(Tuple.of(12, singleLine()),
                Tuple.of(1, Arbitraries.of("message", "chat", "", "a b")), Tuple.of(1, Arbitraries.just(null)));
        Arbitrary<EventSpec> generic = Combinators.combine(names, singleLineOrNull(),
                Arbitraries.longs().between(0, SseEvent.MAX_RETRY.toMillis()).injectNull(0.6),
                text(textFragment(), 20).filter(t -> !t.isEmpty())) // empty data: among badValue
                .as((name, id, retry, data) -> {
                    Map<String, Object> fields = new java.util.LinkedHashMap<>();
                    fields.put("type", "event");
                    if (name != null) {
                        fields.put("event", name);
                    }
                    if (id != null) {
                        fields.put("eventId", id);
                    }
                    if (retry != null) {
                        fields.put("retryDuration", retry);
                    }
                    fields.put("data", data);
                    if (name == null) {
                        return new EventSpec(fields, null, "no \"event\" name");
                    }
                    return spec(fields, () -> new SseEvent(name, id, retry == null ? null : Duration.ofMillis(retry), data),
                            name);
                });
        Arbitrary<EventSpec> forged = Combinators.combine(singleLine(), Arbitraries.of("\n", "\r", "\u0000", "\r\n"),
                        Arbitraries.of("event", "eventId"))
                .as((text, breaker, field) -> {
                    Map<String, Object> fields = new java.util.LinkedHashMap<>();
                    fields.put("type", "event");
                    fields.put(field, text + breaker + "data: forged");
                    fields.put("data", "x");
                    if (field.equals("eventId")) {
                        fields.put("event", "e");
                    }
                    return new EventSpec(fields, null, "field with " + visible(breaker, 5));
                });
        Arbitrary<EventSpec> badValue = Arbitraries.of(
                Map.<String, Object>of("type", "event", "event", "resync", "data", "x"),
                Map.<String, Object>of("type", "event", "event", "closing", "data", "x"),
                Map.<String, Object>of("type", "event", "event", "e", "data", ""),
                Map.<String, Object>of("type", "nope", "data", "x"),
                Map.<String, Object>of("type", "event", "event", "e", "data", "x", "retryDuration", new Raw("3600001")),
                Map.<String, Object>of("type", "event", "event", "e", "data", "x", "retryDuration", new Raw("18446744073709556616")),
                Map.<String, Object>of("type", "event", "event", "e", "data", "x", "retryDuration", new Raw("9223372036854775807")),
                Map.<String, Object>of("type", "event", "event", "e", "data", "x", "retryDuration", new Raw("-1")),
                Map.<String, Object>of("type", "event", "event", "e", "data", "x", "retryDuration", new Raw("1.5")),
                Map.<String, Object>of("type", "event", "event", "e", "data", "x", "retryDuration", new Raw("1e999999999")),
                Map.<String, Object>of("type", "event", "event", "e", "data", new Raw("[1,2]")),
                Map.<String, Object>of("type", "patchElements", "elements", "<p>", "mode", "sideways"))
                .map(fields -> new EventSpec(new java.util.LinkedHashMap<>(fields), null, "invalid " + fields));
        Arbitrary<EventSpec> patch = Combinators.combine(html(), Arbitraries.of("#a", "main > p", "").injectNull(0.5),
                        Arbitraries.of(ElementPatchMode.values()),
                        // html, svg, mathml and names the wire does not know (case matters)
                        Arbitraries.of("html", "svg", "mathml", "SVG", "xhtml").injectNull(0.6),
                        Arbitraries.of("#panel", "main > ul", "", "#a\ndata: forged", "#a\r").injectNull(0.6))
                .as((elements, selector, mode, namespace, transitionScope) -> {
                    Map<String, Object> fields = new java.util.LinkedHashMap<>();
                    fields.put("type", "patchElements");
                    fields.put("elements", elements);
                    if (selector != null) {
                        fields.put("selector", selector);
                    }
                    fields.put("mode", mode.name().toLowerCase(Locale.ROOT));
                    if (namespace != null) {
                        fields.put("namespace", namespace);
                    }
                    if (transitionScope != null) {
                        fields.put("useViewTransition", new Raw("true"));
                        fields.put("viewTransitionSelector", transitionScope);
                    }
                    return spec(fields, () -> new PatchElements(elements, selector, mode,
                                    namespace == null ? null : ElementNamespace.fromWireName(namespace),
                                    transitionScope != null, transitionScope, null, null),
                            "datastar-patch-elements");
                });
        Arbitrary<EventSpec> script = text(textFragment(), 10).map(code -> {
            Map<String, Object> fields = new java.util.LinkedHashMap<>();
            fields.put("type", "executeScript");
            fields.put("script", code);
            return spec(fields, () -> new ExecuteScript(code, true, List.of(), null, null), "datastar-patch-elements");
        });
        return Arbitraries.frequencyOf(Tuple.of(20, generic), Tuple.of(4, patch), Tuple.of(4, script),
                Tuple.of(1, forged), Tuple.of(1, badValue));
    }

    /** The spec of an event the library would build as {@code message}, or an invalid one if building it throws. */
    private static EventSpec spec(Map<String, Object> fields, java.util.function.Supplier<SseMessage> message, String name) {
        try {
            SseEvent event = message.get().toEvent();
            if (ControlEvents.reserved(event.name())) {
                return new EventSpec(fields, null, "reserved name");
            }
            return new EventSpec(fields, new Expected(event.name() == null ? "message" : event.name(), event.data()), null);
        } catch (IllegalArgumentException e) {
            return new EventSpec(fields, null, "invalid: " + e.getMessage());
        }
    }

    /** A JSON value written as is. */
    record Raw(String json) {}

    // ---------------------------------------------------------------------------------------------
    // JSON written with varying whitespace, escapes and wrapping

    private static String render(List<EventSpec> events, Random random) {
        if (events.size() == 1 && random.nextBoolean()) {
            return ws(random) + object(events.get(0).fields(), random) + ws(random);
        }
        StringBuilder json = new StringBuilder("{").append(ws(random)).append("\"events\"").append(ws(random)).append(':')
                .append(ws(random)).append('[');
        for (int i = 0; i < events.size(); i++) {
            json.append(i == 0 ? "" : ",").append(ws(random)).append(object(events.get(i).fields(), random));
        }
        json.append(']').append(ws(random));
        if (random.nextInt(4) == 0) {
            json.append(",\"exclude\":[\"no-such-connection\"]");
        }
        return json.append('}').append(ws(random)).toString();
    }

    private static String object(Map<String, Object> fields, Random random) {
        StringBuilder json = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            json.append(first ? "" : ",").append(ws(random)).append(string(field.getKey(), random)).append(ws(random))
                    .append(':').append(ws(random)).append(value(field.getValue(), random));
            first = false;
        }
        return json.append(ws(random)).append('}').toString();
    }

    private static String value(Object value, Random random) {
        if (value instanceof Raw raw) {
            return raw.json();
        }
        if (value instanceof Long number) {
            return number.toString();
        }
        return string((String) value, random);
    }

    private static String string(String text, Random random) {
        StringBuilder json = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && random.nextInt(3) == 0) {
                json.append(String.format("\\u%04x\\u%04x", (int) c, (int) text.charAt(i + 1))); // a pair as one
                i++;
            } else if (c < 0x20 || (c > 0x7E && !Character.isSurrogate(c) && random.nextInt(3) == 0)
                    || (c == '/' && random.nextBoolean())) {
                json.append(c == '/' ? "\\/" : String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"').toString();
    }

    private static String ws(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> " ";
            case 1 -> "\n  ";
            case 2 -> "\r\n\t";
            default -> "";
        };
    }

    private static <T> T random(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------------
    // Generators

    /** A header value: printable ASCII, tabs and Latin-1 letters (never CR or LF, which would end the header). */
    private static Arbitrary<String> headerValue() {
        return Arbitraries.strings().withCharRange(' ', '~').withChars('\t', 'é', 'ÿ').ofMaxLength(60);
    }

    @Override
    protected Arbitrary<String> repeatedCodePoint() {
        return codePoint().flatMap(cp -> Arbitraries.integers().between(100, 2_000 / cp.length()).map(cp::repeat));
    }

    @Override
    protected Arbitrary<String> specialFragment() {
        return Arbitraries.of("\r", "\n", "\r\n", "\n\n", "\0", ":", ": ", "\uFEFF", "\u2028", "\u0085", "data: x",
                "event: evil", "id: forged", "retry: 1", "\n\ndata: injected\n\n", "\r\rid: x\r\r", "\n: comment\n",
                "\"", "\\", "\\u0000", "}", "{\"type\":\"event\"}", "\uD83D\uDE00");
    }
}
