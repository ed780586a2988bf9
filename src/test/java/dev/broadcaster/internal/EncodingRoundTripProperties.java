package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.JsonMessage;
import dev.broadcaster.SseEvent;
import dev.broadcaster.SseMessage;
import dev.broadcaster.datastar.ElementNamespace;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every message the library can send, encoded to wire bytes and read back with a spec-exact
 * {@link EventStreamParser} (fed in random chunks): exactly one event comes out, carrying exactly what
 * was sent, and nothing else (no comment, no retry unless sent, no half-finished event or line left
 * behind that could merge with the next frame).
 */
class EncodingRoundTripProperties extends SseInputGenerators {

    private static final String PROBE = "data: probe\n\n";

    EncodingRoundTripProperties() {
        super(20_000); // longest generated printable-ASCII line
    }

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
                                 @ForAll ElementNamespace namespace,
                                 @ForAll boolean useViewTransition,
                                 @ForAll("selectorOrNull") String transitionScope,
                                 @ForAll("singleLineOrNull") String eventId,
                                 @ForAll("retryMillisOrNull") Long retryMillis,
                                 @ForAll long chunkSeed) {
        boolean hasSelector = selector != null && !selector.isEmpty();
        Assume.that(!jsBlank(elements) || (mode == ElementPatchMode.REMOVE && hasSelector));
        Duration retry = retryMillis == null ? null : Duration.ofMillis(retryMillis);
        PatchElements patch = new PatchElements(elements, selector, mode, namespace, useViewTransition, transitionScope,
                eventId, retry);

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
        if (namespace != ElementNamespace.HTML) {
            expected.add("namespace " + namespace.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (useViewTransition) {
            expected.add("useViewTransition true");
        }
        if (transitionScope != null && !transitionScope.isEmpty()) {
            expected.add("viewTransitionSelector " + transitionScope);
        }
        List<String> expectedElementLines = jsBlank(elements)
                ? List.of()
                : splitLines(elements).stream().map(line -> "elements " + line).toList();
        expected.addAll(expectedElementLines);
        assertEquals(expected, lines, "data lines");

        // The same, as stated for a client: drop the header lines, what is left is the HTML.
        List<String> rest = lines.stream()
                .filter(line -> !line.startsWith("selector ") && !line.startsWith("mode ")
                        && !line.startsWith("namespace ") && !line.startsWith("useViewTransition ")
                        && !line.startsWith("viewTransitionSelector "))
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

    private static Long datastarRetry(Duration retry) {
        if (retry == null || retry.isZero() || retry.equals(Duration.ofMillis(1000))) {
            return null; // the SSE default is not sent
        }
        return retry.toMillis();
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

    /** {@link SseInputGenerators#visible(String, int)}, at most 400 characters shown. */
    private static String visible(String text) {
        return visible(text, 400);
    }

    // ---------------------------------------------------------------------------------------------
    // Generators (shared ones in SseInputGenerators; long lines of up to 20,000 characters)

    @Override
    protected Arbitrary<String> repeatedCodePoint() {
        return Combinators.combine(codePoint(), Arbitraries.integers().between(500, 10_000))
                .as((cp, times) -> cp.repeat(times));
    }

    @Override
    protected Arbitrary<String> specialFragment() {
        return Arbitraries.of("\r", "\n", "\r\n", "\n\r", "\r\r", "\n\n", "\r\n\r\n", "\0", " ", "  ", ":", ": ",
                "\uFEFF", "\t", "\u2028", "\u2029", "\u0085", "\uD83D\uDE00", "\uDBFF\uDFFF", "\uFFFD", "\uFFFF",
                "data: x", "data:", "event: evil", "id: forged", "retry: 1", ": comment", "\n: comment\n",
                "\n\ndata: injected\n\n", "\r\rid: x\r\r", "\n ", "\r  ", "\r\n :", "\n:", "\r::",
                "é", "日本語", "e\u0301");
    }

    @Provide
    Arbitrary<String> withForbiddenChar() {
        Arbitrary<String> forbidden = Arbitraries.of("\r", "\n", "\0", "\r\n", "\n\n", "\0\0");
        return Combinators.combine(singleLine(), forbidden, anyText())
                .as((before, bad, after) -> before + bad + after);
    }
}
