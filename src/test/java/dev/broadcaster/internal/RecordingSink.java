package dev.broadcaster.internal;

import dev.broadcaster.SseEvent;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A client that reads everything at once: records the frames a connection writes, in order, and completes each
 * write immediately. What it records is what an {@code EventSource} would be given.
 */
final class RecordingSink implements SseEventSink {

    private final List<Frame> frames = new ArrayList<>();
    private boolean closed;

    @Override
    public synchronized CompletionStage<?> send(OutboundSseEvent event) {
        frames.add((Frame) event);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    /** Every frame written so far, comments included. */
    synchronized List<Frame> frames() {
        return List.copyOf(frames);
    }

    /** The events written so far (comments such as {@code connected} left out). */
    synchronized List<SseEvent> events() {
        return frames.stream().filter(frame -> frame.event() != null).map(Frame::event).toList();
    }

    /** The data of the events written so far. */
    List<String> data() {
        return events().stream().map(SseEvent::data).toList();
    }

    /** The ids of the events written so far (null for events without one). */
    List<String> ids() {
        return events().stream().map(SseEvent::id).toList();
    }

    /** The names of the events written so far (null for unnamed ones). */
    List<String> names() {
        return events().stream().map(SseEvent::name).toList();
    }
}
