package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.SseEvent;
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
    private final BlockedWriteSink neverRead = new BlockedWriteSink();

    @AfterEach
    void stop() {
        neverRead.release();
        workers.close();
    }

    @Test
    void theDrainsAfterAStuckWriteRunOnAnotherThread() throws InterruptedException {
        CountDownLatch othersRan = new CountDownLatch(3);
        Frame frame = SseEncoder.encode(SseEvent.data("x"));
        Runnable stuck = () -> workers.send(null, neverRead, frame);
        workers.executeChunk(new Runnable[] {stuck, othersRan::countDown, othersRan::countDown, othersRan::countDown},
                0, 4);
        assertTrue(neverRead.inWrite.await(10, TimeUnit.SECONDS), "the first drain's write started");
        assertFalse(othersRan.await(3 * Workers.STUCK_AFTER.toMillis(), TimeUnit.MILLISECONDS),
                "the chunk's other drains wait while nothing hands them over");
        workers.replaceStuckThreads(); // the timer's tick, once the call is stuck
        assertTrue(othersRan.await(10, TimeUnit.SECONDS), "the rest of the chunk ran while the write is stuck");
    }
}
