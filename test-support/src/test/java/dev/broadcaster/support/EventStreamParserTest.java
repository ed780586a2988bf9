package dev.broadcaster.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.broadcaster.support.EventStreamParser.Event;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference parser against the examples of the WHATWG "Server-sent events" section. */
class EventStreamParserTest {

    private static List<Event> parseWhole(String stream) {
        return new EventStreamParser().feed(stream);
    }

    private static List<Event> parseCharByChar(String stream) {
        EventStreamParser parser = new EventStreamParser();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < stream.length(); i++) {
            events.addAll(parser.feed(stream.substring(i, i + 1)));
        }
        return events;
    }

    private static void assertBothWays(List<Event> expected, String stream) {
        assertEquals(expected, parseWhole(stream), "whole stream");
        assertEquals(expected, parseCharByChar(stream), "one character per chunk");
    }

    @Test
    void multipleDataLinesAreJoinedWithLf() {
        assertBothWays(List.of(new Event("message", "YHOO\n+2\n10", "")), "data: YHOO\ndata: +2\ndata: 10\n\n");
    }

    @Test
    void testStreamWithIdsAndAnUnterminatedLastBlock() {
        String stream = ": test stream\n"
                + "\n"
                + "data: first event\n"
                + "id: 1\n"
                + "\n"
                + "data:second event\n"
                + "id\n"
                + "\n"
                + "data:  third event\n";
        assertBothWays(List.of(
                new Event("message", "first event", "1"),
                new Event("message", "second event", "")), stream);
        EventStreamParser parser = new EventStreamParser();
        parser.feed(stream);
        assertEquals(List.of("test stream"), parser.comments());
        // The third event is dispatched only once a blank line follows; one leading space removed.
        assertEquals(List.of(new Event("message", " third event", "")), parser.feed("\n"));
    }

    @Test
    void emptyDataAndASingleNewline() {
        String stream = "data\n"
                + "\n"
                + "data\n"
                + "data\n"
                + "\n"
                + "data:\n";
        assertBothWays(List.of(new Event("message", "", ""), new Event("message", "\n", "")), stream);
    }

    @Test
    void spaceAfterColonIsOptional() {
        assertBothWays(List.of(new Event("message", "test", ""), new Event("message", "test", "")),
                "data:test\n\ndata: test\n\n");
    }

    @Test
    void onlyOneLeadingSpaceIsRemoved() {
        assertBothWays(List.of(new Event("message", "  x", "")), "data:   x\n\n");
    }

    @Test
    void namedEventTypeIsResetAfterDispatch() {
        assertBothWays(List.of(new Event("add", "73857293", ""), new Event("message", "x", "")),
                "event: add\ndata: 73857293\n\ndata: x\n\n");
    }

    @Test
    void crlfSplitAcrossChunksIsOneLineEnding() {
        EventStreamParser parser = new EventStreamParser();
        assertEquals(List.of(), parser.feed("data: a\r"));
        assertEquals(List.of(), parser.feed("\n")); // not a blank line
        assertEquals(List.of(), parser.feed("data: b\r"));
        assertEquals(List.of(), parser.feed("\n"));
        // A CR that ended a line, then its LF, then a lone CR: a blank line.
        assertEquals(List.of(new Event("message", "a\nb", "")), parser.feed("\r"));
    }

    @Test
    void crlfSplitAcrossChunksThenBlankLine() {
        EventStreamParser parser = new EventStreamParser();
        assertEquals(List.of(), parser.feed("data: a\r"));
        assertEquals(List.of(new Event("message", "a", "")), parser.feed("\n\r\n"));
    }

    @Test
    void crlfLineEndings() {
        assertBothWays(List.of(new Event("message", "a\nb", "7")), "id: 7\r\ndata: a\r\ndata: b\r\n\r\n");
    }

    @Test
    void loneCrEndsALine() {
        assertBothWays(List.of(new Event("message", "a\nb", "")), "data: a\rdata: b\r\r");
    }

    @Test
    void twoCrsAreTwoLineEndings() {
        assertBothWays(List.of(new Event("message", "a", ""), new Event("message", "b", "")),
                "data: a\r\rdata: b\n\n");
    }

    @Test
    void idContainingNulIsIgnored() {
        assertBothWays(List.of(new Event("message", "x", "1"), new Event("message", "y", "1")),
                "id: 1\ndata: x\n\nid: a\0b\ndata: y\n\n");
    }

    @Test
    void lastEventIdPersistsAcrossEvents() {
        assertBothWays(List.of(new Event("message", "x", "5"), new Event("message", "y", "5")),
                "id: 5\ndata: x\n\ndata: y\n\n");
    }

    @Test
    void retryAcceptsOnlyAsciiDigits() {
        EventStreamParser parser = new EventStreamParser();
        parser.feed("retry: 12x\n");
        assertNull(parser.retry());
        parser.feed("retry: -5\nretry: 1 2\nretry:\nretry: \u0661\u0662\n");
        assertNull(parser.retry());
        parser.feed("retry: 3000\n");
        assertEquals(3000L, parser.retry());
        parser.feed("retry: 10.5\nretry:  7\n");
        assertEquals(3000L, parser.retry());
        parser.feed("retry:42\n");
        assertEquals(42L, parser.retry());
    }

    @Test
    void emptyDataBufferIsNotDispatched() {
        EventStreamParser parser = new EventStreamParser();
        assertEquals(List.of(), parser.feed("event: foo\nid: 3\n\n"));
        // The event type was reset, the id was kept.
        assertEquals(List.of(new Event("message", "x", "3")), parser.feed("data: x\n\n"));
    }

    @Test
    void unknownFieldsAndFieldNamesWithTrailingSpaceAreIgnored() {
        assertBothWays(List.of(new Event("message", "ok", "")),
                "foo: bar\ndata : nope\nDATA: nope\ndata: ok\n\n");
    }

    @Test
    void commentsAreRecordedWithOneLeadingSpaceRemoved() {
        EventStreamParser parser = new EventStreamParser();
        assertEquals(List.of(), parser.feed(": hello\n:world\n:  two\n:\n\n"));
        assertEquals(List.of("hello", "world", " two", ""), parser.comments());
    }

    @Test
    void bomIsStrippedOnlyAtStreamStart() {
        assertBothWays(List.of(new Event("message", "a", "")), "\uFEFFdata: a\n\n");
        // Later, U+FEFF is part of the field name, which is unknown, so nothing is dispatched.
        assertBothWays(List.of(new Event("message", "a", "")), "\uFEFFdata: a\n\n\uFEFFdata: b\n\n");
        // Only one BOM is stripped.
        assertBothWays(List.of(), "\uFEFF\uFEFFdata: a\n\n");
        // An empty first chunk does not start the stream.
        EventStreamParser parser = new EventStreamParser();
        parser.feed("");
        parser.feed("\uFEFF");
        assertEquals(List.of(new Event("message", "x", "")), parser.feed("data: x\n\n"));
    }

    @Test
    void incompleteEventIsNotDispatched() {
        EventStreamParser parser = new EventStreamParser();
        assertEquals(List.of(), parser.feed("data: a\n"));
        assertEquals(List.of(), parser.feed("data: b"));
        assertEquals(List.of(), parser.feed("c\n"));
        assertEquals(List.of(new Event("message", "a\nbc", "")), parser.feed("\n"));
    }
}
