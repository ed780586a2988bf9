package dev.broadcaster.internal;

import java.time.Duration;
import java.util.Collection;

/**
 * Sends a comment to every connection that has been quiet for a heartbeat interval, so proxies keep
 * the stream open and a client that went away is noticed by the failed write. It also evicts a
 * connection that made no write progress for two intervals ({@link Connection#checkProgress}). One timer
 * serves every connection.
 */
final class Heartbeat {

    private final long intervalNanos;
    private final Frame frame = SseEncoder.comment("heartbeat");

    Heartbeat(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    void beat(Collection<Connection> connections) {
        long now = System.nanoTime();
        for (Connection connection : connections) {
            connection.checkProgress(now, 2 * intervalNanos);
            // half an interval of slack: the timer and the last write are never exactly aligned
            if (now - connection.lastQueuedNanos() >= intervalNanos / 2) {
                connection.deliver(frame);
            }
        }
    }
}
