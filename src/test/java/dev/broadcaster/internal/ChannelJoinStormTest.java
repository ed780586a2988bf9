package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, point 14: 1,000 joins into a channel of 10,000 members while a publisher runs. Joining and leaving are
 * O(1) under the channel's lock, so the storm does not hold the publisher up. The publish latency during the
 * storm is printed as a measurement (not asserted: a wall-clock bound would be flaky on a shared 2-core machine);
 * what is asserted is that every member is one and the fan-out reaches each of them.
 *
 * <p>The members are cheap stand-ins: connections whose sink is never written (they are not started, so what is
 * delivered to them stays queued).
 */
class ChannelJoinStormTest {

    static final class IdleSink implements SseEventSink {
        @Override
        public boolean isClosed() {
            return false;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
        }
    }

    static Connection member(int i, Workers workers, Connection.Limits limits) {
        ConnectionInfo info = new ConnectionInfo("c" + i, "storm", "user-" + i, Instant.now());
        return new Connection(info, new IdleSink(), workers, limits, (connection, evicted) -> { });
    }

    @Test
    void aThousandJoinsIntoATenThousandMemberChannelWhileAPublisherRuns() throws Exception {
        Workers workers = Workers.create();
        try {
            Connection.Limits limits = new Connection.Limits(1_000_000, Long.MAX_VALUE, TimeUnit.SECONDS.toNanos(60),
                    ControlEvents.closing("evicted", 1000));
            Channel channel = new Channel("storm", null, false, new LocalLog(50, 64 * 1024),
                    new Channel.Context(workers::execute, ch -> new PresenceUpdater(ch, PresenceUpdater.THIS_NODE,
                            workers::execute, () -> { }, () -> { }, () -> { }), () -> { }, Integer.MAX_VALUE,
                            Long.MAX_VALUE, 64 * 1024));
            for (int i = 0; i < 10_000; i++) {
                channel.add(member(i, workers, limits), null, 0, null, false);
            }
            List<Connection> joiners = new ArrayList<>();
            for (int i = 10_000; i < 11_000; i++) {
                joiners.add(member(i, workers, limits));
            }

            AtomicBoolean storming = new AtomicBoolean(true);
            List<Long> duringStorm = Collections.synchronizedList(new ArrayList<>());
            Thread publisher = new Thread(() -> {
                while (storming.get()) {
                    long started = System.nanoTime();
                    channel.publish(ChannelLog.Publication.of(SseEvent.data("tick"), -1), Set.of());
                    duringStorm.add(System.nanoTime() - started);
                    LockSupport.parkNanos(200_000); // pacing (at most about 5,000 publishes a second), not a wait
                }
            }, "storm-publisher");
            publisher.start();
            while (duringStorm.size() < 20) {
                Thread.onSpinWait(); // the publisher is running before the storm starts
            }
            duringStorm.clear();
            long stormStarted = System.nanoTime();
            for (Connection joiner : joiners) {
                channel.add(joiner, null, 0, null, false);
            }
            long stormNanos = System.nanoTime() - stormStarted;
            storming.set(false);
            publisher.join();

            assertEquals(11_000, channel.size());
            assertEquals(11_000, channel.distinctUsers().size());
            assertEquals(11_000, channel.publish(ChannelLog.Publication.of(SseEvent.data("after the storm"), -1), Set.of()), "addressed");

            List<Long> sorted = new ArrayList<>(duringStorm);
            Collections.sort(sorted);
            System.out.printf("ChannelJoinStormTest: 1,000 joins into 10,000 members took %.1f ms; %d publishes"
                    + " meanwhile: median %.1f us, p99 %.1f us, max %.1f us%n", stormNanos / 1e6, sorted.size(),
                    percentile(sorted, 0.50) / 1e3, percentile(sorted, 0.99) / 1e3,
                    sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1) / 1e3);
        } finally {
            workers.close();
        }
    }

    static double percentile(List<Long> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size())));
    }
}
