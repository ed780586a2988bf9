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
 * The greeting and replay of a new connection are written with a deadline of their own
 * ({@code broadcaster.replay-timeout}, longer than the send timeout), and a connection whose write makes no
 * progress for two heartbeat intervals is evicted whatever the watchdog saw. Driven with explicit clock values,
 * as {@code WriteWatchdogTest}; a client that never reads is a sink whose write never completes.
 */
class ReplayWatchdogTest {

    private static final long SEND_TIMEOUT = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long REPLAY_TIMEOUT = TimeUnit.MILLISECONDS.toNanos(1000);
    private static final long TICK = TimeUnit.MILLISECONDS.toNanos(25);

    private final List<Boolean> gone = new ArrayList<>();
    private final CountDownLatch writeStarted = new CountDownLatch(1);
    private Workers workers;
    private Connection connection;
    private volatile long writeStartNanos;

    @BeforeEach
    void connectWithAReplayThatIsNeverRead() throws InterruptedException {
        workers = Workers.create();
        connection = new Connection(new ConnectionInfo("c1", "ch", "bob", Instant.now()), new NeverWritingSink(),
                workers, new Connection.Limits(100, 1 << 20, SEND_TIMEOUT, SseEncoder.comment("evicted"),
                REPLAY_TIMEOUT, SEND_TIMEOUT / 2, Long.MAX_VALUE, () -> { }),
                (conn, evicted) -> {
                    synchronized (gone) {
                        gone.add(evicted);
                    }
                });
        connection.deliverAll(List.of(SseEncoder.comment("connected c1"),
                SseEncoder.encode(SseEvent.data("replayed"))));
        connection.start();
        assertTrue(writeStarted.await(10, TimeUnit.SECONDS), "the greeting's write started");
    }

    @AfterEach
    void stop() {
        workers.close();
    }

    @Test
    void aGreetingOrReplayWriteSeenInProgressForLongerThanTheReplayTimeoutEvictsTheConnection() {
        long now = writeStartNanos;
        for (int tick = 1; tick <= 40; tick++) { // 1 s: ten times the send timeout, not more than the replay timeout
            now += TICK;
            connection.checkWriteTimeout(now, TICK);
        }
        assertEquals(List.of(), goneReports(), "1 s seen in progress is within the replay timeout");
        connection.checkWriteTimeout(now + TICK, TICK);
        assertEquals(List.of(true), goneReports(), "evicted after 1025 ms seen in progress");
    }

    @Test
    void aWriteThatMakesNoProgressForTwoHeartbeatsEvictsTheConnection() {
        long twoHeartbeats = TimeUnit.SECONDS.toNanos(60);
        connection.checkProgress(writeStartNanos + twoHeartbeats / 2, twoHeartbeats);
        assertEquals(List.of(), goneReports(), "one heartbeat without progress is allowed");
        connection.checkProgress(writeStartNanos + twoHeartbeats + TICK, twoHeartbeats);
        assertEquals(List.of(true), goneReports(), "evicted after two heartbeats without a completed write");
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
