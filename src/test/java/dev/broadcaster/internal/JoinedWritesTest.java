package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Frames waiting one after another in a connection's backlog are handed to the container as one event (one
 * flush, one system call): the client reads exactly the bytes it would have read frame by frame. Jersey's sink
 * takes any frames together; RESTEasy's only after a frame whose first line is its {@code event:} or {@code id:}
 * field (a heartbeat comment is written alone); a container the library does not know gets every frame alone.
 * The sinks here record what they are handed (the library tells containers apart by their sinks' packages).
 */
class JoinedWritesTest {

    private final Workers workers = Workers.create();

    @AfterEach
    void stop() {
        workers.close();
    }

    @Test
    void jerseyGetsAWaitingBacklogInOneWrite() {
        var sink = new org.glassfish.jersey.broadcastertest.RecordedSink();
        List<Frame> frames = events(10, 100);
        List<OutboundSseEvent> sent = writeAfterStart(sink, frames, sink::sent);
        assertEquals(1, sent.size(), "writes");
        assertEquals(text(frames), text(sent));
    }

    @Test
    void resteasyJoinsFramesAfterOneThatLeadsWithItsEventOrIdField() {
        var sink = new org.jboss.resteasy.broadcastertest.RecordedSink();
        List<Frame> frames = new ArrayList<>();
        frames.add(SseEncoder.comment("heartbeat"));
        frames.add(SseEncoder.encode(SseEvent.named("message", "a é ✓"))); // not ASCII: decoded as UTF-8
        frames.add(SseEncoder.encode(SseEvent.data("b"))); // no event: or id: line, joined after one that has
        frames.add(SseEncoder.encode(SseEvent.data("c").withId("7")));
        List<OutboundSseEvent> sent = writeAfterStart(sink, frames, sink::sent);
        assertEquals(2, sent.size(), "writes: the heartbeat alone, then the three events");
        assertEquals(text(frames), text(sent));
    }

    @Test
    void aJoinedWriteStaysWithinItsByteBudget() {
        var sink = new org.glassfish.jersey.broadcastertest.RecordedSink();
        List<Frame> frames = events(80, 1000);
        List<OutboundSseEvent> sent = writeAfterStart(sink, frames, sink::sent);
        assertEquals(text(frames), text(sent));
        assertTrue(sent.size() >= 3, "80 KB in at least three writes: " + sent.size());
        sent.forEach(event -> assertTrue(bytes(event).length <= Connection.MAX_JOINED_BYTES, "a write's size"));
    }

    @Test
    void anUnknownContainerGetsEveryFrameAlone() {
        RecordingSink sink = new RecordingSink();
        List<Frame> frames = events(5, 10);
        Connection connection = connection(sink);
        frames.forEach(connection::deliver);
        connection.start();
        waitFor(() -> sink.events().size() == 5);
        assertEquals(frames.stream().map(Frame::event).toList(), sink.events());
    }

    /** Queues {@code frames} before the connection starts writing, then lets it write them and close. */
    private List<OutboundSseEvent> writeAfterStart(SseEventSink sink, List<Frame> frames,
                                                   Supplier<List<OutboundSseEvent>> sent) {
        Connection connection = connection(sink);
        frames.forEach(connection::deliver);
        connection.close();
        connection.start();
        waitFor(sink::isClosed);
        return sent.get();
    }

    private Connection connection(SseEventSink sink) {
        return new Connection(new ConnectionInfo("c1", "ch", "bob", Instant.now()), sink, workers,
                new Connection.Limits(1000, 1 << 24, TimeUnit.SECONDS.toNanos(10), SseEncoder.comment("evicted")),
                (conn, evicted) -> { });
    }

    private static List<Frame> events(int count, int dataLength) {
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            frames.add(SseEncoder.encode(SseEvent.named("message", ("x" + i).repeat(dataLength / 2)).withId("" + i)));
        }
        return frames;
    }

    private static String text(List<? extends OutboundSseEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        events.forEach(event -> out.writeBytes(bytes(event)));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The bytes the container writes for {@code event}, as Jersey's and RESTEasy's write the library's views. */
    private static byte[] bytes(OutboundSseEvent event) {
        if (event instanceof JerseyFrame jersey) {
            return jersey.frame().wireBytes();
        }
        if (event instanceof Frame frame) {
            return frame.wireBytes();
        }
        // RESTEasy writes the view's event (or id) field, its line's LF and the blank line
        String field = event.getName() != null ? "event: " + event.getName() : "id: " + event.getId();
        return (field + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void waitFor(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not written within 10 s");
            Thread.onSpinWait();
        }
    }
}
