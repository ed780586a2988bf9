package dev.broadcaster.internal;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A sink that records each event it is handed, as handed, and completes every write at once. Subclassed in a
 * container's package (the library tells containers apart by their sinks' packages) to see what the library hands
 * that container.
 */
public abstract class HandedEventsSink implements SseEventSink {

    private final List<OutboundSseEvent> sent = new ArrayList<>();
    private boolean closed;

    @Override
    public synchronized CompletionStage<?> send(OutboundSseEvent event) {
        sent.add(event);
        return CompletableFuture.completedFuture(null);
    }

    /** The events sent so far, one per write, in order. */
    public synchronized List<OutboundSseEvent> sent() {
        return List.copyOf(sent);
    }

    @Override
    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
