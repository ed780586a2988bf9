package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.SseEvent;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A fan-out's drains run several to a task ({@link DrainStarts}); a write to a client that does not read, stuck in
 * the container, must not hold up the drains queued after it in the same task: once the call has been stuck for
 * {@link Workers#STUCK_AFTER}, the pool's sizing timer hands the rest of that chunk to another thread.
 */
class StuckChunkTest {

    private final Workers workers = Workers.create();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        workers.close();
    }

    @Test
    void theDrainsAfterAStuckWriteRunOnAnotherThread() throws InterruptedException {
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch othersRan = new CountDownLatch(3);
        SseEventSink neverRead = new SseEventSink() { // the container's write returns once the client reads
            @Override
            public CompletionStage<?> send(OutboundSseEvent event) {
                inWrite.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public boolean isClosed() {
                return false;
            }

            @Override
            public void close() {
            }
        };
        Frame frame = SseEncoder.encode(SseEvent.data("x"));
        Runnable stuck = () -> workers.send(null, neverRead, frame);
        workers.executeChunk(new Runnable[] {stuck, othersRan::countDown, othersRan::countDown, othersRan::countDown},
                0, 4);
        assertTrue(inWrite.await(10, TimeUnit.SECONDS), "the first drain's write started");
        assertFalse(othersRan.await(3 * Workers.STUCK_AFTER.toMillis(), TimeUnit.MILLISECONDS),
                "the chunk's other drains wait while nothing hands them over");
        workers.replaceStuckThreads(); // the timer's tick, once the call is stuck
        assertTrue(othersRan.await(10, TimeUnit.SECONDS), "the rest of the chunk ran while the write is stuck");
    }
}
