package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.broadcaster.ChannelRegistry;
import dev.broadcaster.JsonMessage;
import dev.broadcaster.MessageTooLargeException;
import dev.broadcaster.SseEvent;
import dev.broadcaster.SseMessage;
import dev.broadcaster.datastar.ElementPatchMode;
import dev.broadcaster.datastar.ExecuteScript;
import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.datastar.PatchSignals;
import dev.broadcaster.support.EventStreamParser.Event;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * Generated messages of every kind, sent with {@link ChannelRegistry#send} to one real SSE connection of
 * the in-process server (Jersey on Grizzly) and read back over HTTP. For every message:
 *
 * <ol>
 *   <li>the text that arrived for it is exactly the UTF-8 decoding of
 *       {@code SseEncoder.encode(message.toEvent()).wireBytes()}: the JAX-RS runtime writes byte for
 *       byte what the encoder defines (heartbeat comments between events are skipped);
 *   <li>the spec-exact {@link dev.broadcaster.support.EventStreamParser} of the stream dispatched exactly
 *       one event for it, with the expected type, data (line breaks normalised to LF) and last event id.
 * </ol>
 *
 * <p>A message whose encoded event exceeds {@code broadcaster.max-message-size} (rare with these
 * generators) must instead be refused by {@code send} with {@link MessageTooLargeException}, with nothing
 * of it reaching the stream.
 *
 * <p>Each message is followed by an end marker ({@code event: end-<n>}, {@code data: .}) that delimits
 * it in the stream. One server and one stream serve every try; the position in the stream is advanced
 * after each delivery, before anything is asserted, so a failing try (and shrinking) leaves the next try
 * a consistent stream.
 */
class GeneratedEventsOverHttpProperties extends SseInputGenerators {

    private static final String HEARTBEAT = ": heartbeat\n\n";
    private static final String CHANNEL = "generated-over-http";

    private static TestServer server;
    private static ChannelRegistry registry;
    private static SseStream stream;
    private static String connectionId;
    private static int maxMessageSize;

    /** Characters of {@link SseStream#raw()} accounted for so far. */
    private static int consumed;
    /** Events the parser dispatched so far. */
    private static int eventsSeen;
    /** The parser's last event id after the previous delivery (it persists across events). */
    private static String lastEventId = "";
    private static int markers;

    GeneratedEventsOverHttpProperties() {
        super(5_000); // longest generated printable-ASCII line
    }

    @BeforeContainer
    static void startServerAndConnect() {
        server = TestServer.start();
        registry = server.bean(ChannelRegistry.class);
        maxMessageSize = server.bean(BroadcasterSettings.class).maxMessageSize();
        stream = SseStream.connect(server.uri("sse/channels/" + CHANNEL), "bob");
        connectionId = stream.connectionId();
        String greeting = ": connected " + connectionId + "\n\n";
        String raw = stream.raw();
        assertTrue(raw.startsWith(greeting), () -> "stream starts " + visible(raw));
        consumed = greeting.length();
        eventsSeen = 0;
        lastEventId = "";
        markers = 0;
    }

    @AfterContainer
    static void stopServer() {
        if (stream != null) {
            stream.close();
        }
        if (server != null) {
            server.close();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Properties (600 tries in all)

    /** A generic event: arbitrary names, ids, retries and data, including every line-break trap. */
    @Property(tries = 250)
    @StatisticsReport(onFailureOnly = true)
    void genericEventArrivesAsEncoded(@ForAll("singleLineOrNull") String name,
                                      @ForAll("singleLineOrNull") String id,
                                      @ForAll("retryMillisOrNull") Long retryMillis,
                                      @ForAll("nonEmptyText") String data) {
        Assume.that(!ControlEvents.reserved(name)); // reserved for resume gaps, refused by send()
        collectFeatures(data);
        SseEvent event = new SseEvent(name, id, retryMillis == null ? null : Duration.ofMillis(retryMillis), data);
        String type = name == null || name.isEmpty() ? "message" : name;
        checkOverHttp(event, type, normalise(data), id);
    }

    /** Datastar element patches: every mode, with and without selectors, multi-line HTML. */
    @Property(tries = 130)
    @StatisticsReport(onFailureOnly = true)
    void patchElementsArrivesAsEncoded(@ForAll("html") String elements,
                                       @ForAll("selectorOrNull") String selector,
                                       @ForAll ElementPatchMode mode,
                                       @ForAll boolean useViewTransition,
                                       @ForAll("singleLineOrNull") String eventId,
                                       @ForAll("retryMillisOrNull") Long retryMillis) {
        boolean hasSelector = selector != null && !selector.isEmpty();
        Assume.that(!jsBlank(elements) || (mode == ElementPatchMode.REMOVE && hasSelector));
        Statistics.label("mode").collect(mode);
        Statistics.label("mode").coverage(coverage -> {
            for (ElementPatchMode each : ElementPatchMode.values()) {
                coverage.check(each).count((Integer count) -> count > 0);
            }
        });
        Statistics.label("multi-line elements").collect(elements.indexOf('\n') >= 0 || elements.indexOf('\r') >= 0);
        Statistics.label("multi-line elements").coverage(coverage -> coverage.check(true).count((Integer c) -> c > 0));
        Statistics.label("selector").collect(hasSelector);
        Statistics.label("selector").coverage(coverage -> coverage.check(true).count((Integer c) -> c > 0));

        PatchElements patch = new PatchElements(elements, selector, mode, useViewTransition, eventId,
                retryMillis == null ? null : Duration.ofMillis(retryMillis));

        List<String> header = new ArrayList<>();
        if (hasSelector) {
            header.add("selector " + selector);
        }
        if (mode != ElementPatchMode.OUTER) {
            header.add("mode " + mode.name().toLowerCase(Locale.ROOT));
        }
        if (useViewTransition) {
            header.add("useViewTransition true");
        }
        checkDatastarOverHttp(patch, "datastar-patch-elements", header,
                "elements ", jsBlank(elements) ? List.of() : splitLines(elements), eventId);
    }

    /** Datastar signal patches: compact and multi-line JSON text with any line breaks. */
    @Property(tries = 90)
    @StatisticsReport(onFailureOnly = true)
    void patchSignalsArrivesAsEncoded(@ForAll("jsonDocument") String json,
                                      @ForAll boolean onlyIfMissing,
                                      @ForAll("singleLineOrNull") String eventId,
                                      @ForAll("retryMillisOrNull") Long retryMillis) {
        Statistics.label("multi-line JSON").collect(json.indexOf('\n') >= 0 || json.indexOf('\r') >= 0);
        Statistics.label("multi-line JSON").coverage(coverage -> coverage.check(true).count((Integer c) -> c > 0));
        PatchSignals patch = new PatchSignals(json, onlyIfMissing, eventId,
                retryMillis == null ? null : Duration.ofMillis(retryMillis));

        List<String> header = onlyIfMissing ? List.of("onlyIfMissing true") : List.of();
        checkDatastarOverHttp(patch, "datastar-patch-signals", header, "signals ", splitLines(json), eventId);
    }

    /** Datastar script execution: any script text, attributes, auto-removal. */
    @Property(tries = 70)
    @StatisticsReport(onFailureOnly = true)
    void executeScriptArrivesAsEncoded(@ForAll("anyText") String script,
                                       @ForAll boolean autoRemove,
                                       @ForAll("attributes") List<String> attributes,
                                       @ForAll("singleLineOrNull") String eventId,
                                       @ForAll("retryMillisOrNull") Long retryMillis) {
        ExecuteScript execute = new ExecuteScript(script, autoRemove, attributes, eventId,
                retryMillis == null ? null : Duration.ofMillis(retryMillis));

        StringBuilder tag = new StringBuilder("<script");
        attributes.forEach(attribute -> tag.append(' ').append(attribute));
        if (autoRemove) {
            tag.append(" data-effect=\"el.remove()\"");
        }
        tag.append('>').append(script).append("</script>");
        checkDatastarOverHttp(execute, "datastar-patch-elements", List.of("mode append", "selector body"),
                "elements ", splitLines(tag.toString()), eventId);
    }

    /** Typed JSON messages: one unnamed event whose data is the JSON document. */
    @Property(tries = 60)
    @StatisticsReport(onFailureOnly = true)
    void jsonMessageArrivesAsEncoded(@ForAll("jsonTextValue") String type,
                                     @ForAll("stringMap") Map<String, String> payload) {
        JsonMessage message = JsonMessage.of(type, payload);
        checkOverHttp(message, "message", normalise(message.toJson()), null);
    }

    // ---------------------------------------------------------------------------------------------
    // Sending and checking

    /**
     * Sends {@code message} and an end marker to the one connection, waits for the marker, and checks
     * (a) the text between the previous marker and this one, heartbeat comments at event boundaries
     * removed, is exactly the message's encoded wire bytes, and (b) the parser dispatched exactly the
     * expected event, then the marker. {@code expectedId} null: the last event id is unchanged.
     */
    private static void checkOverHttp(SseMessage message, String expectedType, String expectedData,
                                      String expectedId) {
        byte[] wireBytes = SseEncoder.encode(message.toEvent()).wireBytes();
        boolean tooLarge = wireBytes.length > maxMessageSize;
        Statistics.label("over max-message-size").collect(tooLarge);
        if (tooLarge) {
            assertThrows(MessageTooLargeException.class, () -> registry.send(connectionId, message),
                    () -> wireBytes.length + " bytes, limit " + maxMessageSize);
            Delivery delivery = deliver(null);
            assertEquals("", delivery.text(), "nothing of a refused message is written");
            assertEquals(List.of(new Event(delivery.endName(), ".", delivery.lastIdBefore())), delivery.events(),
                    "only the end marker is dispatched");
            return;
        }
        String expectedWire = strictUtf8(wireBytes);
        Delivery delivery = deliver(message);
        String lastIdBefore = delivery.lastIdBefore();
        String lastIdAfter = expectedId == null ? lastIdBefore : expectedId;

        assertEquals(expectedWire, delivery.text(),
                () -> "bytes over HTTP differ from the encoder's wire bytes\n expected: " + visible(expectedWire)
                        + "\n received: " + visible(delivery.text()));

        List<Event> events = delivery.events();
        assertEquals(2, events.size(), () -> "events dispatched for the message and its end marker: " + events);
        assertEquals(new Event(expectedType, expectedData, lastIdAfter), events.get(0), "event as parsed");
        assertEquals(new Event(delivery.endName(), ".", lastIdAfter), events.get(1), "end marker as parsed");
        List<String> comments = stream.comments();
        assertTrue(comments.subList(1, comments.size()).stream().allMatch("heartbeat"::equals),
                () -> "comments after the first: " + comments);
    }

    /**
     * {@link #checkOverHttp} for a Datastar event: its data is the {@code header} lines, then
     * {@code prefix} and a line for every line of {@code body}; its id is {@code eventId} as Datastar
     * sends it.
     */
    private static void checkDatastarOverHttp(SseMessage message, String expectedType, List<String> header,
                                              String prefix, List<String> body, String eventId) {
        List<String> lines = new ArrayList<>(header);
        body.forEach(line -> lines.add(prefix + line));
        checkOverHttp(message, expectedType, String.join("\n", lines), datastarId(eventId));
    }

    /** What arrived for one message: its text without heartbeats, the new events, the id before it. */
    private record Delivery(String text, List<Event> events, String endName, String lastIdBefore) {}

    /** Sends {@code message} (unless null) and an end marker; returns what arrived up to the marker. */
    private static Delivery deliver(SseMessage message) {
        String endName = "end-" + (++markers);
        String endWire = "event: " + endName + "\ndata: .\n\n";
        if (message != null) {
            assertTrue(registry.send(connectionId, message), "send() found the connection");
        }
        assertTrue(registry.send(connectionId, SseEvent.named(endName, ".")), "send() of the end marker");
        stream.awaitEvent(e -> e.type().equals(endName) && e.data().equals("."), "end marker " + endName);

        // Snapshot after the marker was dispatched: raw and events are updated together by the reader.
        String raw = stream.raw();
        List<Event> events = stream.events();
        // The marker is the last frame sent; only heartbeats (possibly a partial one) can follow it.
        int end = raw.lastIndexOf(endWire);
        if (end < consumed) {
            fail("end marker " + endName + " not found after offset " + consumed + " in "
                    + visible(raw.substring(consumed)));
        }
        String slice = raw.substring(consumed, end);
        List<Event> newEvents = List.copyOf(events.subList(eventsSeen, events.size()));
        String idBefore = lastEventId;

        // Advance first, so the next try (or a shrinking step) reads a consistent stream.
        consumed = end + endWire.length();
        eventsSeen = events.size();
        lastEventId = newEvents.isEmpty() ? lastEventId : newEvents.get(newEvents.size() - 1).lastEventId();

        return new Delivery(withoutBoundaryHeartbeats(slice), newEvents, endName, idBefore);
    }

    /**
     * Removes {@code : heartbeat} comment frames that sit at frame boundaries at either end of
     * {@code slice}. An event's own lines all start with a field name ({@code event}, {@code id},
     * {@code retry}, {@code data}) and its only blank line is its last, so a comment frame starts at the
     * start of the slice or right after a {@code \n\n}, never inside an event.
     */
    private static String withoutBoundaryHeartbeats(String slice) {
        String text = slice;
        while (text.startsWith(HEARTBEAT)) {
            text = text.substring(HEARTBEAT.length());
        }
        while (text.endsWith(HEARTBEAT)) {
            int start = text.length() - HEARTBEAT.length();
            if (start != 0 && !text.startsWith("\n\n", start - 2)) {
                break;
            }
            text = text.substring(0, start);
        }
        return text;
    }

    /** The id a Datastar event carries: none (last id unchanged) when null or empty. */
    private static String datastarId(String eventId) {
        return eventId == null || eventId.isEmpty() ? null : eventId;
    }

    /** Records which line-level traps the data of a generic event contains, and requires each once. */
    private static void collectFeatures(String data) {
        List<String> lines = splitLines(data);
        String normalised = normalise(data);
        feature("lone CR", data.replace("\r\n", "").indexOf('\r') >= 0);
        feature("CRLF", data.contains("\r\n"));
        feature("NUL", data.indexOf('\0') >= 0);
        feature("other control char", data.chars().anyMatch(c -> (c < 0x20 && c != '\r' && c != '\n' && c != 0)
                || (c >= 0x7F && c <= 0x9F)));
        feature("supplementary code point", data.codePoints().anyMatch(Character::isSupplementaryCodePoint));
        feature("line of 1000+ chars", lines.stream().anyMatch(line -> line.length() >= 1000));
        feature("line starting with space", lines.stream().anyMatch(line -> line.startsWith(" ")));
        feature("line starting with colon", lines.stream().anyMatch(line -> line.startsWith(":")));
        feature("line like a data field", lines.stream().anyMatch(line -> line.startsWith("data:")));
        feature("line like an id field", lines.stream().anyMatch(line -> line.startsWith("id:")));
        feature("empty line", normalised.contains("\n\n") || normalised.startsWith("\n") || normalised.endsWith("\n"));
    }

    private static void feature(String label, boolean present) {
        Statistics.label(label).collect(present);
        Statistics.label(label).coverage(coverage -> coverage.check(true).count((Integer c) -> c > 0));
    }

    /** {@link SseInputGenerators#visible(String, int)}, at most 600 characters shown. */
    private static String visible(String text) {
        return visible(text, 600);
    }

    // ---------------------------------------------------------------------------------------------
    // Generators (shared ones in SseInputGenerators; long lines capped at about 5,000 characters)

    @Override
    protected Arbitrary<String> repeatedCodePoint() {
        return codePoint().flatMap(cp -> Arbitraries.integers().between(250, 5_000 / cp.length()).map(cp::repeat));
    }

    /** As in {@link EncodingRoundTripProperties}, plus heartbeat look-alikes and more field look-alikes. */
    @Override
    protected Arbitrary<String> specialFragment() {
        return Arbitraries.of("\r", "\n", "\r\n", "\n\r", "\r\r", "\n\n", "\r\n\r\n", "\0", " ", "  ", ":", ": ",
                "\uFEFF", "\t", "\u2028", "\u2029", "\u0085", "\uD83D\uDE00", "\uDBFF\uDFFF", "\uFFFD", "\uFFFF",
                "data: x", "data:", "event: evil", "id: forged", "id: y", "retry: 1", ": comment", "\n: comment\n",
                ": heartbeat", "\n: heartbeat\n\n", "\n\ndata: injected\n\n", "\r\rid: x\r\r", "\n ", "\r  ",
                "\r\n :", "\n:", "\r::", "\ndata: x\n", "\r\n  data: x", "é", "日本語", "e\u0301");
    }

    @Override
    protected String[] extraNamesAndIds() {
        return new String[] {"data: x", "id: y"};
    }

    @Override
    protected String[] extraSelectors() {
        return new String[] {"#feed, #otherid"};
    }

    /** Line breaks between tags, so that generated HTML is often multi-line. */
    @Override
    protected String[] extraHtmlTags() {
        return new String[] {"\n", "\r\n", "\n    "};
    }

    /** Event data: never empty (empty data is rejected by {@link SseEvent} by design). */
    @Provide
    Arbitrary<String> nonEmptyText() {
        return text(textFragment(), 40).filter(s -> !s.isEmpty());
    }
}
