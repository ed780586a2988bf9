package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The send-timeout watchdog, driven with explicit clock values: a write that stays in progress while the
 * watchdog keeps ticking is the client's fault; a pause of the whole server, during which the watchdog did
 * not tick either (a GC, a starved CPU), is not. The over-HTTP behaviour is in {@code SlowClientTest}.
 */
class WriteWatchdogTest {

    private static final long TIMEOUT = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long TICK = TimeUnit.MILLISECONDS.toNanos(25);

    private final List<Boolean> gone = new ArrayList<>();
    private final CountDownLatch writeStarted = new CountDownLatch(1);
    private Workers workers;
    private Connection connection;
    private long writeStartNanos;

    @BeforeEach
    void connectWithAWriteThatNeverCompletes() throws InterruptedException {
        workers = Workers.create();
        connection = new Connection(new ConnectionInfo("c1", "ch", "bob", Instant.now()), new NeverWritingSink(),
                workers, new Connection.Limits(100, 1 << 20, TIMEOUT, SseEncoder.comment("evicted")),
                (conn, evicted) -> {
                    synchronized (gone) {
                        gone.add(evicted);
                    }
                });
        connection.start();
        connection.deliver(SseEncoder.encode(SseEvent.data("hello")));
        assertTrue(writeStarted.await(10, TimeUnit.SECONDS), "the write started");
    }

    @AfterEach
    void stop() {
        workers.close();
    }

    @Test
    void aWriteSeenInProgressForLongerThanTheSendTimeoutEvictsTheConnection() {
        long now = writeStartNanos;
        for (int tick = 1; tick <= 4; tick++) {
            now += TICK;
            connection.checkWriteTimeout(now, TICK);
        }
        assertEquals(List.of(), goneReports(), "100 ms seen in progress is not more than the timeout");
        connection.checkWriteTimeout(now + TICK, TICK);
        assertEquals(List.of(true), goneReports(), "evicted after 125 ms seen in progress");
    }

    @Test
    void aPauseOfTheWholeServerIsNotBlamedOnTheClient() {
        // the watchdog's first look comes ten seconds late: only one tick of that counts
        long now = writeStartNanos + TimeUnit.SECONDS.toNanos(10);
        connection.checkWriteTimeout(now, TICK);
        now += TICK;
        connection.checkWriteTimeout(now, TICK);
        assertEquals(List.of(), goneReports(), "not evicted after a pause and one regular tick");
        for (int tick = 1; tick <= 3; tick++) {
            now += TICK;
            connection.checkWriteTimeout(now, TICK);
        }
        assertEquals(List.of(true), goneReports(), "evicted once the write stays stuck while the watchdog runs");
    }

    @Test
    void theWatchdogSeesAWriteThatCompletesLater() {
        assertEquals(List.of(connection), writingNow(), "the connections the watchdog looks at");
    }

    @Test
    void theWatchdogSeesAWriteBlockedInTheContainerAndForgetsItOnceDone() throws InterruptedException {
        BlockedWriteSink blocking = new BlockedWriteSink();
        Connection blocked = new Connection(new ConnectionInfo("c2", "ch", "bob", Instant.now()), blocking, workers,
                new Connection.Limits(100, 1 << 20, TIMEOUT, SseEncoder.comment("evicted")), (conn, evicted) -> { });
        blocked.start();
        blocked.deliver(SseEncoder.encode(SseEvent.data("hello")));
        assertTrue(blocking.inWrite.await(10, TimeUnit.SECONDS), "the write started");
        assertTrue(writingNow().contains(blocked), "a write blocked on a pool thread is looked at");
        blocking.release();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (writingNow().contains(blocked)) {
            assertTrue(System.nanoTime() < deadline, "still looked at after its write returned");
            Thread.onSpinWait();
        }
        assertEquals(List.of(connection), writingNow(), "only the write still in progress");
    }

    private List<Connection> writingNow() {
        List<Connection> writing = new ArrayList<>();
        workers.writing(writing::add);
        return writing;
    }

    private List<Boolean> goneReports() {
        synchronized (gone) {
            return List.copyOf(gone);
        }
    }

    /** A client that never reads: the container's write never completes. */
    private final class NeverWritingSink implements SseEventSink {
        private volatile boolean closed;

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            writeStartNanos = System.nanoTime();
            writeStarted.countDown();
            return new CompletableFuture<>();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
