package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A fan-out's drains run several to a task ({@link DrainStarts}); a write to a client that does not read, stuck in
 * the container, must not hold up the drains queued after it in the same task: a connection whose write once took
 * longer than {@link Connection#BLOCKED_WRITE} is drained alone from then on, and once a call has been stuck for
 * {@link Workers#STUCK_AFTER}, the pool's sizing timer hands the rest of that chunk to another thread. Those drained
 * alone run on a pool of their own, so however many of them block, the others are written at once.
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

    @Test
    void aConnectionWhoseWriteBlockedOnceIsDrainedAloneSoItsChunkMatesDoNotWait() throws InterruptedException {
        Semaphore writesAllowed = new Semaphore(0);
        CountDownLatch inSecondWrite = new CountDownLatch(2);
        SseEventSink slowReader = client(write -> { // each write returns once the client has read it
            inSecondWrite.countDown();
            writesAllowed.acquireUninterruptibly();
        });
        RecordingSink reader = new RecordingSink();
        Connection slow = connection("slow", slowReader);
        Connection healthy = connection("healthy", reader);
        fanOut(SseEncoder.encode(SseEvent.data("1")), slow, healthy);
        long started = System.nanoTime();
        LockSupport.parkNanos(2 * Connection.BLOCKED_WRITE); // the client does not read for 20 ms: part of the case
        assertTrue(System.nanoTime() - started > Connection.BLOCKED_WRITE);
        writesAllowed.release();
        awaitEvents(reader, 1, "the first event, once the slow reader's write returned");

        fanOut(SseEncoder.encode(SseEvent.data("2")), slow, healthy);
        assertTrue(inSecondWrite.await(10, TimeUnit.SECONDS), "the slow reader's second write started");
        awaitEvents(reader, 2, "the second event while the slow reader's write is blocked, nothing handing it over");
        writesAllowed.release();
    }

    @Test
    void clientsThatStoppedReadingCannotHoldEveryThreadTheOthersAreWrittenOn() throws InterruptedException {
        // more clients than the pool has threads stop reading: each write to them blocks, once briefly (they are
        // drained alone from then on), then for good
        int stalled = workers.baseThreads() + 1;
        CountDownLatch inBlockedWrite = new CountDownLatch(1);
        CountDownLatch clientsGone = new CountDownLatch(1);
        Connection[] members = new Connection[stalled + 1];
        for (int i = 0; i < stalled; i++) {
            members[i] = connection("stalled-" + i, client(write -> {
                if (write == 1) {
                    LockSupport.parkNanos(2 * Connection.BLOCKED_WRITE); // part of the case, not a wait
                } else {
                    inBlockedWrite.countDown();
                    awaitQuietly(clientsGone);
                }
            }));
        }
        RecordingSink reader = new RecordingSink();
        members[stalled] = connection("healthy", reader);
        try {
            fanOut(SseEncoder.encode(SseEvent.data("1")), members);
            awaitEvents(reader, 1, "the first event");

            // every stalled client's write now blocks, and no timer replaces the stuck threads
            fanOut(SseEncoder.encode(SseEvent.data("2")), members);
            assertTrue(inBlockedWrite.await(10, TimeUnit.SECONDS), "a stalled client's second write started");
            awaitEvents(reader, 2, "the second event while " + stalled + " writes are blocked");
        } finally {
            clientsGone.countDown();
        }
    }

    @Test
    void aConnectionWhoseWriteJustBlockedWritesTheRestOfItsBacklogAsideSoItsChunkMatesDoNotWait()
            throws InterruptedException {
        CountDownLatch inFirstWrite = new CountDownLatch(1);
        CountDownLatch secondQueued = new CountDownLatch(1);
        CountDownLatch clientGone = new CountDownLatch(1);
        SseEventSink stopsReading = client(write -> { // the first write is slow, the client then stops reading
            if (write == 1) {
                inFirstWrite.countDown();
                awaitQuietly(secondQueued);
                LockSupport.parkNanos(2 * Connection.BLOCKED_WRITE); // part of the case, not a wait
            } else {
                awaitQuietly(clientGone);
            }
        });
        RecordingSink reader = new RecordingSink();
        Connection stalled = connection("stalled", stopsReading);
        Connection healthy = connection("healthy", reader);
        try {
            fanOut(SseEncoder.encode(SseEvent.data("1")), stalled, healthy);
            assertTrue(inFirstWrite.await(10, TimeUnit.SECONDS), "the first write started");
            // queued behind the write in progress, on both: the chunk's thread has not reached the healthy one
            fanOut(SseEncoder.encode(SseEvent.data("2")), stalled, healthy);
            secondQueued.countDown();
            awaitEvents(reader, 2, "both events, while the stalled client's second write blocks");
        } finally {
            clientGone.countDown();
        }
    }

    /** A client that stays connected; each write (numbered from 1) runs {@code write}, then completes. */
    private static SseEventSink client(IntConsumer write) {
        return new SseEventSink() {
            private int writes; // a connection's writes never overlap

            @Override
            public CompletionStage<?> send(OutboundSseEvent event) {
                write.accept(++writes);
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
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Connection connection(String id, SseEventSink sink) {
        Connection connection = new Connection(new ConnectionInfo(id, "ch", "bob", Instant.now()), sink, workers,
                new Connection.Limits(100, 1 << 20, TimeUnit.SECONDS.toNanos(30), SseEncoder.comment("evicted")),
                (conn, evicted) -> { });
        connection.start();
        // its first drain ran, so a fan-out's drains of it start in the fan-out's chunk, as a live connection's do
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!connection.idle()) {
            assertTrue(System.nanoTime() < deadline, "connection " + id + " started within 2 s");
            Thread.onSpinWait();
        }
        return connection;
    }

    /** Queues {@code frame} to {@code members} as a fan-out does, their drains in one chunk, in this order. */
    private static void fanOut(Frame frame, Connection... members) {
        DrainStarts starts = new DrainStarts();
        for (Connection member : members) {
            member.deliver("ch", frame, false, starts);
        }
        starts.start();
    }

    private static void awaitEvents(RecordingSink sink, int count, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (sink.events().size() < count) {
            assertTrue(System.nanoTime() < deadline, what + ": not written within 2 s");
            Thread.onSpinWait();
        }
    }
}
