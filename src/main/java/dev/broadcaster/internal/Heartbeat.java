package dev.broadcaster.internal;

import java.time.Duration;
import java.util.Collection;

/**
 * Sends a comment to every connection that has been quiet for a heartbeat interval, so proxies keep
 * the stream open and a client that went away is noticed by the failed write. It also evicts a
 * connection with a write in progress that completed no write for two intervals, or the replay timeout if
 * that is longer ({@link Connection#checkProgress}): never sooner than a write's own deadline would. One timer
 * serves every connection.
 */
final class Heartbeat {

    private final long intervalNanos;
    private final long noProgressNanos;
    private final Frame frame = SseEncoder.comment("heartbeat");

    Heartbeat(Duration interval, Duration replayTimeout) {
        this.intervalNanos = interval.toNanos();
        this.noProgressNanos = Math.max(2 * intervalNanos, replayTimeout.toNanos());
    }

    void beat(Collection<Connection> connections) {
        long now = System.nanoTime();
        for (Connection connection : connections) {
            connection.checkProgress(now, noProgressNanos);
            // half an interval of slack: the timer and the last write are never exactly aligned
            if (now - connection.lastQueuedNanos() >= intervalNanos / 2) {
                connection.deliver(frame);
            }
        }
    }
}
