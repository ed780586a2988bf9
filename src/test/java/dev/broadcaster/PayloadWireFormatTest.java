package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.datastar.ElementNamespace;
import dev.broadcaster.datastar.ElementPatchMode;
import dev.broadcaster.datastar.ExecuteScript;
import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.datastar.PatchSignals;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.ServerBean;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The bytes on the wire, as an EventSource reads them, for every payload kind. The Datastar golden
 * strings are written from the Datastar SDK specification (sdk/ADR.md): line order event, id,
 * retry (omitted when 1000), data; defaults omitted.
 */
@InProcessServer
class PayloadWireFormatTest {

    static TestServer server; // started by @InProcessServer
    @ServerBean
    static ChannelRegistry registry;
    static final AtomicInteger CHANNELS = new AtomicInteger();

    /**
     * What a fresh subscriber reads after its connected comment when {@code message} is sent to it
     * (send-to-one keeps the publisher's id; channel broadcasts replace it, see {@link ResumeTest}).
     */
    static String wire(SseMessage message) {
        String channel = "wire-" + CHANNELS.incrementAndGet();
        try (SseStream tab = SseStream.connect(server.uri("sse/channels/" + channel), "bob")) {
            String greeting = ": connected " + tab.connectionId() + "\n\n";
            registry.send(tab.connectionId(), message);
            registry.send(tab.connectionId(), SseEvent.named("end", "."));
            tab.awaitRaw("event: end\ndata: .\n\n");
            // a heartbeat comment may fall between the frames (as on a loaded machine): it is not the message's
            String raw = tab.raw().replace(": heartbeat\n\n", "");
            return raw.substring(greeting.length(), raw.length() - "event: end\ndata: .\n\n".length());
        }
    }

    @Test
    void patchElementsMinimal() {
        assertEquals("event: datastar-patch-elements\n"
                        + "data: elements <div id=\"feed\"><span>1</span></div>\n\n",
                wire(PatchElements.of("<div id=\"feed\"><span>1</span></div>")));
    }

    @Test
    void patchElementsWithEveryOption() {
        assertEquals("event: datastar-patch-elements\n"
                        + "id: 123\n"
                        + "retry: 2000\n"
                        + "data: selector #feed\n"
                        + "data: mode inner\n"
                        + "data: useViewTransition true\n"
                        + "data: elements <div id=\"feed\">\n"
                        + "data: elements     <span>1</span>\n"
                        + "data: elements </div>\n\n",
                wire(PatchElements.of("<div id=\"feed\">\n    <span>1</span>\n</div>")
                        .withSelector("#feed").withMode(ElementPatchMode.INNER).withViewTransition(true)
                        .withEventId("123").withRetry(Duration.ofMillis(2000))));
    }

    /**
     * Datastar 1.0.x options, in the Go SDK's line order (selector, mode, namespace, useViewTransition,
     * viewTransitionSelector). The pinned JavaScript SDK (1.0.0) has no viewTransitionSelector, so these bytes are
     * golden; its namespace lines are also compared with that SDK in {@code DatastarSdkParityTest}.
     */
    @Test
    void patchElementsWithNamespaceAndAScopedViewTransition() {
        assertEquals("event: datastar-patch-elements\n"
                        + "id: 9\n"
                        + "data: selector #chart\n"
                        + "data: mode append\n"
                        + "data: namespace svg\n"
                        + "data: useViewTransition true\n"
                        + "data: viewTransitionSelector #chart-panel\n"
                        + "data: elements <circle cx=\"5\" cy=\"5\" r=\"4\"/>\n\n",
                wire(PatchElements.of("<circle cx=\"5\" cy=\"5\" r=\"4\"/>").withViewTransitionSelector("#chart-panel")
                        .withViewTransition(true).withNamespace(ElementNamespace.SVG).withMode(ElementPatchMode.APPEND)
                        .withSelector("#chart").withEventId("9")));
        assertEquals("event: datastar-patch-elements\n"
                        + "data: namespace mathml\n"
                        + "data: elements <mi>x</mi>\n\n",
                wire(PatchElements.of("<mi>x</mi>").withNamespace(ElementNamespace.MATHML)));
        assertEquals("event: datastar-patch-elements\n"
                        + "data: viewTransitionSelector main > .list\n"
                        + "data: elements <li id=\"a\">1</li>\n\n",
                wire(PatchElements.of("<li id=\"a\">1</li>").withViewTransitionSelector("main > .list")),
                "written as given, also without useViewTransition (the browser then ignores it)");
    }

    @Test
    void theHtmlNamespaceAndAnEmptyViewTransitionSelectorAreNotWritten() {
        String plain = "event: datastar-patch-elements\ndata: elements <p id=\"p\">1</p>\n\n";
        assertEquals(plain, wire(PatchElements.of("<p id=\"p\">1</p>").withNamespace(ElementNamespace.HTML)
                .withViewTransitionSelector("")));
        assertEquals(plain, wire(new PatchElements("<p id=\"p\">1</p>", null, ElementPatchMode.OUTER, null, false, null,
                null, null)));
        assertEquals(ElementNamespace.HTML, PatchElements.of("<p id=\"p\">1</p>").withNamespace(null).namespace());
    }

    @Test
    void aViewTransitionSelectorCannotForgeALineAndOnlyKnownNamespacesExist() {
        for (String bad : List.of("#a\ndata: elements <script>x()</script>", "#a\r", "\n", "#a\r\nb")) {
            var failure = assertThrows(IllegalArgumentException.class,
                    () -> PatchElements.of("<p id=\"p\">1</p>").withViewTransitionSelector(bad));
            assertTrue(failure.getMessage().contains("viewTransitionSelector must be a single line"), failure.getMessage());
        }
        assertEquals(ElementNamespace.SVG, ElementNamespace.fromWireName("svg"));
        assertEquals(ElementNamespace.MATHML, ElementNamespace.fromWireName("mathml"));
        for (String bad : List.of("SVG", "xhtml", "", "svg ")) {
            var failure = assertThrows(IllegalArgumentException.class, () -> ElementNamespace.fromWireName(bad));
            assertTrue(failure.getMessage().contains("expected one of html, svg, mathml"), failure.getMessage());
        }
    }

    @Test
    void patchElementsOmitsDefaultsAndSplitsEveryLineEnding() {
        assertEquals("event: datastar-patch-elements\n"
                        + "data: mode append\n"
                        + "data: elements <li>a</li>\n"
                        + "data: elements <li>b</li>\n"
                        + "data: elements <li>c</li>\n\n",
                wire(PatchElements.of("<li>a</li>\r\n<li>b</li>\r<li>c</li>").withMode(ElementPatchMode.APPEND)
                        .withRetry(Duration.ofMillis(1000)).withViewTransition(false)));
    }

    @Test
    void removeBySelectorHasNoElementsLine() {
        assertEquals("event: datastar-patch-elements\n"
                        + "data: selector #feed, #otherid\n"
                        + "data: mode remove\n\n",
                wire(PatchElements.remove("#feed, #otherid")));
    }

    @Test
    void patchSignalsWithEveryOption() {
        String json = "{\"output\":\"Patched Output Test\",\"show\":true,\"input\":\"Test\",\"user\":{\"name\":\"\",\"email\":\"\"}}";
        assertEquals("event: datastar-patch-signals\n"
                        + "id: 123\n"
                        + "retry: 2000\n"
                        + "data: onlyIfMissing true\n"
                        + "data: signals " + json + "\n\n",
                wire(PatchSignals.of(json).withOnlyIfMissing(true).withEventId("123")
                        .withRetry(Duration.ofSeconds(2))));
    }

    @Test
    void multiLineSignalsBecomeOneSignalsLineEach() {
        assertEquals("event: datastar-patch-signals\n"
                        + "data: signals {\n"
                        + "data: signals   \"a\": 1\n"
                        + "data: signals }\n\n",
                wire(PatchSignals.of("{\n  \"a\": 1\n}")));
    }

    @Test
    void executeScriptMinimalAndWithOptions() {
        assertEquals("event: datastar-patch-elements\n"
                        + "data: mode append\n"
                        + "data: selector body\n"
                        + "data: elements <script data-effect=\"el.remove()\">console.log('Here')</script>\n\n",
                wire(ExecuteScript.of("console.log('Here')")));
        assertEquals("event: datastar-patch-elements\n"
                        + "id: 7\n"
                        + "data: mode append\n"
                        + "data: selector body\n"
                        + "data: elements <script type=\"module\">one()\n"
                        + "data: elements two()</script>\n\n",
                wire(ExecuteScript.of("one()\ntwo()").withAutoRemove(false)
                        .withAttributes(List.of("type=\"module\"")).withEventId("7")));
    }

    @Test
    void htmxNamedEventSendsMultiLineHtmlAsSeveralDataLines() {
        assertEquals("event: chat\n"
                        + "data: <li>one</li>\n"
                        + "data: <li id=\"count\" hx-swap-oob=\"true\">2</li>\n\n",
                wire(SseEvent.named("chat", "<li>one</li>\r\n<li id=\"count\" hx-swap-oob=\"true\">2</li>")));
    }

    @Test
    void typedJsonMessageIsOneUnnamedEvent() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("message", "System update completed\nline two");
        assertEquals("data: {\"type\":\"notification\",\"data\":{\"message\":\"System update completed\\nline two\"},"
                        + "\"timestamp\":\"2026-01-02T03:04:05Z\",\"metadata\":{\"priority\":\"high\"}}\n\n",
                wire(new JsonMessage("notification", data, Instant.parse("2026-01-02T03:04:05Z"),
                        Map.of("priority", "high"))));
    }

    @Test
    void emptyDataIsRejectedBecauseTheEventWouldNeverBeDispatched() {
        var failure = assertThrows(IllegalArgumentException.class, () -> SseEvent.named("ping", ""));
        assertTrue(failure.getMessage().contains("data must not be empty"), failure.getMessage());
        assertEquals("event: ping\ndata: \ndata: \n\n", wire(SseEvent.named("ping", "\r\n")),
                "a lone line break is two empty data lines");
    }
}
