package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.broadcaster.JsonMessage;
import dev.broadcaster.SseEvent;
import dev.broadcaster.SseMessage;
import dev.broadcaster.datastar.ElementPatchMode;
import dev.broadcaster.datastar.ExecuteScript;
import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.datastar.PatchSignals;
import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.EventStreamParser.Event;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Every message the library can send, encoded to wire bytes and read back with a spec-exact
 * {@link EventStreamParser} (fed in random chunks): exactly one event comes out, carrying exactly what
 * was sent, and nothing else (no comment, no retry unless sent, no half-finished event or line left
 * behind that could merge with the next frame).
 */
class EncodingRoundTripProperties {

    private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\r|\n");
    private static final String PROBE = "data: probe\n\n";

    // ---------------------------------------------------------------------------------------------
    // Properties

    /** A generic event comes back with its type, data (line breaks normalised), id and retry. */
    @Property(tries = 2000)
    void genericEventRoundTrips(@ForAll("singleLineOrNull") String name,
                                @ForAll("singleLineOrNull") String id,
                                @ForAll("retryMillisOrNull") Long retryMillis,
                                @ForAll("anyText") String data,
                                @ForAll long chunkSeed) {
        Duration retry = retryMillis == null ? null : Duration.ofMillis(retryMillis);
        if (data.isEmpty()) {
            assertThrows(IllegalArgumentException.class, () -> new SseEvent(name, id, retry, data), "empty data");
            return;
        }
        SseEvent event = new SseEvent(name, id, retry, data);

        String expectedType = name == null || name.isEmpty() ? "message" : name;
        String expectedId = id == null ? "" : id;
        Event received = roundTrip(event, chunkSeed, expectedId, retryMillis);

        assertEquals(expectedType, received.type(), "type");
        assertEquals(normalise(data), received.data(), "data");
        assertEquals(expectedId, received.lastEventId(), "last event id");
    }

    /** A name or id containing CR, LF or NUL is rejected when the event is built. */
    @Property(tries = 1000)
    void lineBreaksAndNulInNameOrIdAreRejected(@ForAll("withForbiddenChar") String bad,
                                              @ForAll("singleLineOrNull") String good) {
        assertThrows(IllegalArgumentException.class, () -> new SseEvent(bad, good, null, "x"), "name");
        assertThrows(IllegalArgumentException.class, () -> new SseEvent(good, bad, null, "x"), "id");
        assertThrows(IllegalArgumentException.class, () -> SseEvent.named(bad, "x"), "named");
        assertThrows(IllegalArgumentException.class, () -> SseEvent.data("x").withId(bad), "withId");
    }

    /** Datastar element patches: header lines as specified, then one {@code elements} line per HTML line. */
    @Property(tries = 2000)
    void patchElementsRoundTrips(@ForAll("html") String elements,
                                 @ForAll("selectorOrNull") String selector,
                                 @ForAll ElementPatchMode mode,
                                 @ForAll boolean useViewTransition,
                                 @ForAll("singleLineOrNull") String eventId,
                                 @ForAll("retryMillisOrNull") Long retryMillis,
                                 @ForAll long chunkSeed) {
        boolean hasSelector = selector != null && !selector.isEmpty();
        Assume.that(!elements.isBlank() || (mode == ElementPatchMode.REMOVE && hasSelector));
        Duration retry = retryMillis == null ? null : Duration.ofMillis(retryMillis);
        PatchElements patch = new PatchElements(elements, selector, mode, useViewTransition, eventId, retry);

        Event received = roundTrip(patch, chunkSeed, emptyIfNull(eventId), datastarRetry(retry));
        assertEquals("datastar-patch-elements", received.type(), "type");
        assertEquals(emptyIfNull(eventId), received.lastEventId(), "last event id");

        List<String> lines = lines(received.data());
        List<String> expected = new ArrayList<>();
        if (hasSelector) {
            expected.add("selector " + selector);
        }
        if (mode != ElementPatchMode.OUTER) {
            expected.add("mode " + mode.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (useViewTransition) {
            expected.add("useViewTransition true");
        }
        List<String> expectedElementLines = elements.isBlank()
                ? List.of()
                : splitLines(elements).stream().map(line -> "elements " + line).toList();
        expected.addAll(expectedElementLines);
        assertEquals(expected, lines, "data lines");

        // The same, as stated for a client: drop the header lines, what is left is the HTML.
        List<String> rest = lines.stream()
                .filter(line -> !line.startsWith("selector ") && !line.startsWith("mode ")
                        && !line.startsWith("useViewTransition "))
                .toList();
        assertEquals(expectedElementLines, rest, "elements lines");
        if (mode == ElementPatchMode.OUTER) {
            assertTrue(lines.stream().noneMatch(line -> line.startsWith("mode ")), "no mode line for outer");
        }
    }

    /** Datastar signal patches: every line is {@code signals <json line>}; the JSON comes back intact. */
    @Property(tries = 1500)
    void patchSignalsRoundTrips(@ForAll("jsonDocument") String json,
                                @ForAll boolean onlyIfMissing,
                                @ForAll("singleLineOrNull") String eventId,
                                @ForAll("retryMillisOrNull") Long retryMillis,
                                @ForAll long chunkSeed) {
        Duration retry = retryMillis == null ? null : Duration.ofMillis(retryMillis);
        PatchSignals patch = new PatchSignals(json, onlyIfMissing, eventId, retry);

        Event received = roundTrip(patch, chunkSeed, emptyIfNull(eventId), datastarRetry(retry));
        assertEquals("datastar-patch-signals", received.type(), "type");
        assertEquals(emptyIfNull(eventId), received.lastEventId(), "last event id");

        List<String> lines = lines(received.data());
        if (onlyIfMissing) {
            assertEquals("onlyIfMissing true", lines.get(0), "first line");
            lines = lines.subList(1, lines.size());
        }
        List<String> remainders = new ArrayList<>();
        for (String line : lines) {
            assertTrue(line.startsWith("signals "), () -> "not a signals line: " + visible(line));
            remainders.add(line.substring("signals ".length()));
        }
        String rejoined = String.join("\n", remainders);
        assertEquals(normalise(json), rejoined, "signals text");
        assertEquals(readJson(json), readJson(rejoined), "signals JSON");
    }

    /** Datastar script execution: {@code mode append}, {@code selector body}, then the script tag. */
    @Property(tries = 1500)
    void executeScriptRoundTrips(@ForAll("anyText") String script,
                                 @ForAll boolean autoRemove,
                                 @ForAll("attributes") List<String> attributes,
                                 @ForAll("singleLineOrNull") String eventId,
                                 @ForAll("retryMillisOrNull") Long retryMillis,
                                 @ForAll long chunkSeed) {
        Duration retry = retryMillis == null ? null : Duration.ofMillis(retryMillis);
        ExecuteScript execute = new ExecuteScript(script, autoRemove, attributes, eventId, retry);

        Event received = roundTrip(execute, chunkSeed, emptyIfNull(eventId), datastarRetry(retry));
        assertEquals("datastar-patch-elements", received.type(), "type");
        assertEquals(emptyIfNull(eventId), received.lastEventId(), "last event id");

        String data = received.data();
        assertTrue(data.startsWith("mode append\nselector body\n"), () -> "data starts " + visible(data));
        List<String> rest = lines(data.substring("mode append\nselector body\n".length()));
        List<String> remainders = new ArrayList<>();
        for (String line : rest) {
            assertTrue(line.startsWith("elements "), () -> "not an elements line: " + visible(line));
            remainders.add(line.substring("elements ".length()));
        }
        StringBuilder tag = new StringBuilder("<script");
        attributes.forEach(attribute -> tag.append(' ').append(attribute));
        if (autoRemove) {
            tag.append(" data-effect=\"el.remove()\"");
        }
        tag.append('>').append(normalise(script)).append("</script>");
        assertEquals(tag.toString(), String.join("\n", remainders), "script tag");
    }

    /** Typed JSON messages: the data is one JSON document whose type and data equal the input. */
    @Property(tries = 1000)
    void jsonMessageRoundTrips(@ForAll("jsonTextValue") String type,
                               @ForAll("stringMap") Map<String, String> payload,
                               @ForAll long chunkSeed) {
        JsonMessage message = JsonMessage.of(type, payload);

        Event received = roundTrip(message, chunkSeed, "", null);
        assertEquals("message", received.type(), "type");

        JsonObject document = readJson(received.data()).asJsonObject();
        assertEquals(type, document.getString("type"), "type field");
        JsonObject data = document.getJsonObject("data");
        Map<String, String> decoded = new LinkedHashMap<>();
        data.forEach((key, value) -> decoded.put(key, ((JsonString) value).getString()));
        assertEquals(payload, decoded, "data field");
        assertEquals(message.timestamp().toString(), document.getString("timestamp"), "timestamp field");
        assertFalse(document.containsKey("metadata"), "no metadata");
    }

    // ---------------------------------------------------------------------------------------------
    // Round trip

    private static Event roundTrip(SseMessage message, long chunkSeed, String expectedLastEventId,
                                   Long expectedRetry) {
        return roundTrip(message.toEvent(), chunkSeed, expectedLastEventId, expectedRetry);
    }

    /**
     * Encodes {@code event}, decodes the bytes as strict UTF-8 and feeds them to a fresh parser in random
     * chunks; checks that exactly one event and nothing else came out, and that the stream is left at an
     * event boundary (a following probe event arrives untouched).
     */
    private static Event roundTrip(SseEvent event, long chunkSeed, String expectedLastEventId,
                                   Long expectedRetry) {
        byte[] wire = SseEncoder.encode(event).wireBytes();
        String text = strictUtf8(wire);

        EventStreamParser whole = new EventStreamParser();
        List<Event> wholeEvents = whole.feed(text);

        EventStreamParser chunked = new EventStreamParser();
        List<Event> events = new ArrayList<>();
        Random random = new Random(chunkSeed);
        for (int start = 0; start < text.length(); ) {
            int size = random.nextBoolean() ? 1 + random.nextInt(8) : 1 + random.nextInt(4096);
            int end = Math.min(text.length(), start + size);
            events.addAll(chunked.feed(text.subSequence(start, end)));
            start = end;
        }

        assertEquals(1, events.size(), () -> "events from " + visible(text));
        assertEquals(wholeEvents, events, "chunked and whole parse agree");
        assertEquals(List.of(), chunked.comments(), "comments");
        assertEquals(expectedRetry, chunked.retry(), "retry");

        // Nothing is pending: no partial line, no data, no event type carried into the next event.
        assertEquals(List.of(new Event("message", "probe", expectedLastEventId)), chunked.feed(PROBE), "probe");
        return events.get(0);
    }

    private static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return fail("wire bytes are not valid UTF-8", e);
        }
    }

    private static Long datastarRetry(Duration retry) {
        if (retry == null || retry.isZero() || retry.equals(Duration.ofMillis(1000))) {
            return null; // the SSE default is not sent
        }
        return retry.toMillis();
    }

    private static String normalise(String text) {
        return LINE_BREAK.matcher(text).replaceAll("\n");
    }

    private static List<String> splitLines(String text) {
        return Arrays.asList(LINE_BREAK.split(text, -1));
    }

    private static List<String> lines(String data) {
        return Arrays.asList(data.split("\n", -1));
    }

    private static String emptyIfNull(String value) {
        return value == null ? "" : value;
    }

    private static JsonValue readJson(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readValue();
        }
    }

    /** The text with control characters made visible, for failure messages. */
    private static String visible(String text) {
        String shown = text.length() > 400 ? text.substring(0, 400) + "…(" + text.length() + " chars)" : text;
        StringBuilder out = new StringBuilder();
        shown.chars().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.append((char) c);
            }
        });
        return out.toString();
    }

    // ---------------------------------------------------------------------------------------------
    // Generators

    /** Any Unicode scalar value (no lone surrogates). */
    private static Arbitrary<String> codePoint() {
        return Arbitraries.integers().between(0, 0x10FFFF)
                .filter(cp -> cp < 0xD800 || cp > 0xDFFF)
                .map(Character::toString);
    }

    private static Arbitrary<String> controlChar() {
        return Arbitraries.oneOf(
                Arbitraries.chars().range('\u0000', '\u001F'),
                Arbitraries.chars().range('\u007F', '\u009F'))
                .map(String::valueOf);
    }

    /** Fragments that matter to an SSE reader: line breaks, NUL, BOM, spaces, colons, field look-alikes. */
    private static Arbitrary<String> specialFragment() {
        return Arbitraries.of("\r", "\n", "\r\n", "\n\r", "\r\r", "\n\n", "\r\n\r\n", "\0", " ", "  ", ":", ": ",
                "\uFEFF", "\t", "\u2028", "\u2029", "\u0085", "\uD83D\uDE00", "\uDBFF\uDFFF", "\uFFFD", "\uFFFF",
                "data: x", "data:", "event: evil", "id: forged", "retry: 1", ": comment", "\n: comment\n",
                "\n\ndata: injected\n\n", "\r\rid: x\r\r", "\n ", "\r  ", "\r\n :", "\n:", "\r::",
                "é", "日本語", "e\u0301");
    }

    private static Arbitrary<String> longLine() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1_000).ofMaxLength(20_000),
                Combinators.combine(codePoint(), Arbitraries.integers().between(500, 10_000))
                        .as((cp, times) -> cp.repeat(times)));
    }

    private static Arbitrary<String> textFragment() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, codePoint()),
                Tuple.of(6, specialFragment()),
                Tuple.of(3, controlChar()),
                Tuple.of(4, Arbitraries.strings().ascii().ofMaxLength(12)),
                Tuple.of(1, longLine()));
    }

    private static Arbitrary<String> text(Arbitrary<String> fragment, int maxFragments) {
        return fragment.list().ofMaxSize(maxFragments).map(parts -> String.join("", parts));
    }

    private static String withoutForbidden(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\r' && c != '\n' && c != '\0') {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static Arbitrary<String> singleLine() {
        return text(textFragment(), 10).map(EncodingRoundTripProperties::withoutForbidden);
    }

    @Provide
    Arbitrary<String> anyText() {
        return text(textFragment(), 40);
    }

    @Provide
    Arbitrary<String> singleLineOrNull() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, singleLine()),
                Tuple.of(1, Arbitraries.of("", " ", ":", " x", "message", "\uFEFF", "a b")))
                .injectNull(0.25);
    }

    @Provide
    Arbitrary<Long> retryMillisOrNull() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.longs().between(0, Long.MAX_VALUE)),
                Tuple.of(4, Arbitraries.longs().between(0, 100_000)),
                Tuple.of(1, Arbitraries.of(0L, 1L, 999L, 1000L, 1001L, Long.MAX_VALUE)))
                .injectNull(0.3);
    }

    @Provide
    Arbitrary<String> withForbiddenChar() {
        Arbitrary<String> forbidden = Arbitraries.of("\r", "\n", "\0", "\r\n", "\n\n", "\0\0");
        return Combinators.combine(singleLine(), forbidden, anyText())
                .as((before, bad, after) -> before + bad + after);
    }

    @Provide
    Arbitrary<String> selectorOrNull() {
        Arbitrary<String> cssLike = Arbitraries.of("#feed", "body", "#a > .b", "[data-x=\"y\"]", "li:nth-child(2)",
                "#日本", " ", "  #padded  ");
        Arbitrary<String> generated = text(textFragment(), 6).map(s -> s.replace("\r", "").replace("\n", ""));
        return Arbitraries.frequencyOf(Tuple.of(2, cssLike), Tuple.of(2, generated), Tuple.of(1, Arbitraries.just("")))
                .injectNull(0.3);
    }

    @Provide
    Arbitrary<String> html() {
        Arbitrary<String> tag = Arbitraries.of("<div id=\"x\">", "</div>", "<li>", "</li>", "<p class=\"a b\">",
                "</p>", "<br/>", "<!-- note -->", "&amp;", "&lt;script&gt;", "<span>\u00e9\u6f22</span>",
                "<svg><path d=\"M0 0\"/></svg>", "    ", "\t");
        Arbitrary<String> fragment = Arbitraries.frequencyOf(
                Tuple.of(5, tag),
                Tuple.of(5, textFragment()));
        Arbitrary<String> blank = Arbitraries.of("", " ", "\n", "\r\n", " \t\r\n ", "\r", "\u2003");
        return Arbitraries.frequencyOf(
                Tuple.of(12, text(fragment, 30)),
                Tuple.of(1, blank));
    }

    @Provide
    Arbitrary<List<String>> attributes() {
        Arbitrary<String> attribute = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of("type=\"module\"", "nonce=\"abc\"", "async", "data-x='日本'")),
                Tuple.of(1, singleLine().map(s -> s.replace(">", ""))));
        return attribute.list().ofMaxSize(3);
    }

    @Provide
    Arbitrary<String> jsonTextValue() {
        return text(Arbitraries.frequencyOf(
                Tuple.of(5, codePoint()),
                Tuple.of(3, controlChar()),
                Tuple.of(3, specialFragment()),
                Tuple.of(3, Arbitraries.of("\"", "\\", "\\u0000", "</script>", "{\"a\":1}", "\u2028", "\u2029"))), 15);
    }

    @Provide
    Arbitrary<Map<String, String>> stringMap() {
        return Arbitraries.maps(jsonTextValue(), jsonTextValue()).ofMaxSize(6);
    }

    // JSON documents as text: objects, arrays, strings with raw and escaped Unicode, numbers, literals;
    // compact or pretty-printed with LF, CRLF, CR or mixed line breaks.

    /** A JSON value already rendered as text with a chosen layout, built bottom-up. */
    private record RenderedJson(String compact, List<String> prettyLines) {

        static RenderedJson leaf(String text) {
            return new RenderedJson(text, List.of(text));
        }
    }

    private static Arbitrary<String> jsonStringLiteral() {
        Arbitrary<String> escapedBmp = Arbitraries.chars().all().map(c -> String.format("\\u%04x", (int) c));
        Arbitrary<String> escapedPair = Arbitraries.integers().between(0x10000, 0x10FFFF).map(cp -> {
            char[] units = Character.toChars(cp);
            return String.format("\\u%04X\\u%04X", (int) units[0], (int) units[1]);
        });
        Arbitrary<String> raw = codePoint().filter(s -> {
            int cp = s.codePointAt(0);
            return cp >= 0x20 && cp != '"' && cp != '\\';
        });
        Arbitrary<String> shortEscape = Arbitraries.of("\\n", "\\r", "\\t", "\\\"", "\\\\", "\\/", "\\b", "\\f");
        Arbitrary<String> fragment = Arbitraries.frequencyOf(
                Tuple.of(4, raw),
                Tuple.of(2, escapedBmp.filter(s -> !isLoneSurrogateEscape(s))),
                Tuple.of(1, escapedPair),
                Tuple.of(2, shortEscape),
                Tuple.of(2, Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(8)),
                Tuple.of(1, Arbitraries.of("data: x", ": y", " ", "\u2028", "\uFEFF")));
        return fragment.list().ofMaxSize(12).map(parts -> "\"" + String.join("", parts) + "\"");
    }

    private static boolean isLoneSurrogateEscape(String escape) {
        int unit = Integer.parseInt(escape.substring(2), 16);
        return unit >= 0xD800 && unit <= 0xDFFF;
    }

    private static Arbitrary<RenderedJson> jsonLeaf() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, jsonStringLiteral()),
                Tuple.of(2, Arbitraries.longs().map(String::valueOf)),
                Tuple.of(1, Arbitraries.of("0.5", "-1.25e10", "3E-2", "0")),
                Tuple.of(1, Arbitraries.of("true", "false", "null")))
                .map(RenderedJson::leaf);
    }

    private static Arbitrary<RenderedJson> jsonValue(int depth) {
        if (depth == 0) {
            return jsonLeaf();
        }
        Arbitrary<RenderedJson> child = Arbitraries.lazy(() -> jsonValue(depth - 1));
        return Arbitraries.frequencyOf(
                Tuple.of(4, jsonLeaf()),
                Tuple.of(1, child.list().ofMaxSize(4).map(EncodingRoundTripProperties::array)),
                Tuple.of(2, jsonObject(child)));
    }

    private static Arbitrary<RenderedJson> jsonObject(Arbitrary<RenderedJson> member) {
        return Combinators.combine(jsonStringLiteral(), member).as(Tuple::of).list().ofMaxSize(5)
                .uniqueElements(entry -> entry.get1())
                .map(entries -> {
                    List<String> compactMembers = new ArrayList<>();
                    List<List<String>> prettyMembers = new ArrayList<>();
                    for (Tuple.Tuple2<String, RenderedJson> entry : entries) {
                        compactMembers.add(entry.get1() + ":" + entry.get2().compact());
                        List<String> lines = new ArrayList<>(entry.get2().prettyLines());
                        lines.set(0, entry.get1() + ": " + lines.get(0));
                        prettyMembers.add(lines);
                    }
                    return container("{", "}", compactMembers, prettyMembers);
                });
    }

    private static RenderedJson array(List<RenderedJson> elements) {
        List<String> compact = elements.stream().map(RenderedJson::compact).toList();
        List<List<String>> pretty = elements.stream().map(RenderedJson::prettyLines).toList();
        return container("[", "]", compact, pretty);
    }

    private static RenderedJson container(String open, String close, List<String> compactMembers,
                                  List<List<String>> prettyMembers) {
        String compact = open + String.join(",", compactMembers) + close;
        if (prettyMembers.isEmpty()) {
            return new RenderedJson(compact, List.of(open + close));
        }
        List<String> lines = new ArrayList<>();
        lines.add(open);
        for (int i = 0; i < prettyMembers.size(); i++) {
            List<String> member = prettyMembers.get(i);
            for (int j = 0; j < member.size(); j++) {
                boolean lastLineOfMember = j == member.size() - 1;
                boolean needsComma = lastLineOfMember && i < prettyMembers.size() - 1;
                lines.add("  " + member.get(j) + (needsComma ? "," : ""));
            }
        }
        lines.add(close);
        return new RenderedJson(compact, lines);
    }

    @Provide
    Arbitrary<String> jsonDocument() {
        Arbitrary<RenderedJson> document = jsonObject(Arbitraries.lazy(() -> jsonValue(2)));
        Arbitrary<String> layout = Arbitraries.of("compact", "\n", "\r\n", "\r", "mixed");
        return Combinators.combine(document, layout, Arbitraries.of("", "\n", "\r\n", "\r", " ", "\n\n"))
                .as((json, style, trailing) -> render(json, style) + trailing);
    }

    private static String render(RenderedJson json, String style) {
        if (style.equals("compact")) {
            return json.compact();
        }
        if (!style.equals("mixed")) {
            return String.join(style, json.prettyLines());
        }
        String[] breaks = {"\n", "\r\n", "\r"};
        StringBuilder out = new StringBuilder();
        List<String> lines = json.prettyLines();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) {
                out.append(breaks[i % breaks.length]);
            }
            out.append(lines.get(i));
        }
        return out.toString();
    }
}
