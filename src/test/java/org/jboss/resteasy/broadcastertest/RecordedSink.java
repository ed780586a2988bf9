package org.jboss.resteasy.broadcastertest;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A sink the library takes for RESTEasy's (it tells containers apart by their sinks' packages): records each event it
 * is sent, as sent, and completes every write at once. For tests of what the library hands that container.
 */
public final class RecordedSink implements SseEventSink {

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
