package dev.broadcaster.internal;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A container whose write returns only once the client reads: {@link #send} blocks until {@link #release} (or 30 s).
 * {@link #inWrite} opens when the first write has started.
 */
final class BlockedWriteSink implements SseEventSink {

    final CountDownLatch inWrite = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    @Override
    public CompletionStage<?> send(OutboundSseEvent event) {
        inWrite.countDown();
        try {
            released.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return CompletableFuture.completedFuture(null);
    }

    /** The client reads: the write (and any later one) returns. */
    void release() {
        released.countDown();
    }

    @Override
    public boolean isClosed() {
        return false;
    }

    @Override
    public void close() {
    }
}
