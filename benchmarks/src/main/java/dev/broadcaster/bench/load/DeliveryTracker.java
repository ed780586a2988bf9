package dev.broadcaster.bench.load;

import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Accounts for published events and their deliveries to the healthy connections: per-delivery latency,
 * per-event fan-out time, in-order/exactly-once checks, and the "in flight" count the publisher waits on.
 *
 * <p>An event is complete when every live healthy connection has received it; its fan-out time is the
 * receive time of the last of them minus its send (or scheduled) time. A healthy connection that the
 * server closes stops counting: events it had not received are then complete once the others have them.
 *
 * <p>Threads: {@link #nextSeq()} and the waits are for the publisher and main threads; {@code on*} methods
 * are for the reader thread only. Histograms and counters are read after the reader thread ended.
 */
final class DeliveryTracker {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private long published;
    /** Guarded by {@link #lock}. */
    private long completed;
    /** Written by the reader thread only. */
    private volatile int liveHealthy;
    /** A copy of {@link #published} the reader can read without locking. */
    private volatile long publishedSoFar;

    // Reader-thread state, per seq.
    private int[] received = new int[4096];
    private long[] sendNanos = new long[4096];
    private long[] scheduledNanos = new long[4096];
    private long[] lastReceiveNanos = new long[4096];
    private long[] fanoutNanos = new long[4096]; // once complete: its last healthy delivery's time from its send
    private boolean[] done = new boolean[4096];
    private int highestSeen = -1;
    private int lowestIncomplete;
    private long lastCompletionNanos;

    final Histogram latencyFromSend = new Histogram();
    final Histogram latencyFromSchedule = new Histogram();
    final Histogram fanoutFromSend = new Histogram();
    final Histogram fanoutFromSchedule = new Histogram();
    /** Healthy deliveries (first receptions, in order or after a gap). */
    long deliveries;

    DeliveryTracker(int healthyConnections) {
        this.liveHealthy = healthyConnections;
    }

    /** Publisher: takes the next seq (0, 1, ...) and counts it as published; call just before sending it. */
    long nextSeq() {
        lock.lock();
        try {
            long seq = published++;
            publishedSoFar = published;
            return seq;
        } finally {
            lock.unlock();
        }
    }

    /** How many seqs were taken by {@link #nextSeq()}. */
    long published() {
        return publishedSoFar;
    }

    /**
     * Waits until fewer than {@code window} events are in flight (published, not complete), or no healthy
     * connection is left.
     *
     * @return false if {@code deadlineNanos} (a {@link System#nanoTime()} value) passed first
     */
    boolean awaitInFlightBelow(int window, long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            while (published - completed >= window && liveHealthy > 0) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                progress.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every published event is complete (or no healthy connection is left).
     *
     * @return false if {@code deadlineNanos} passed first
     */
    boolean awaitAllDelivered(long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            while (completed < published && liveHealthy > 0) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                progress.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The receive time of the delivery that completed the latest-completing event, 0 if none. */
    long lastCompletionNanos() {
        lock.lock();
        try {
            return lastCompletionNanos;
        } finally {
            lock.unlock();
        }
    }

    /** Reader: healthy connection {@code c} received our event {@code seq} at {@code nowNanos}. */
    void onDelivery(SseConnection c, long seq, long sentAt, long scheduledAt, long nowNanos) {
        if (seq < c.nextSeq || seq >= publishedSoFar || seq > Integer.MAX_VALUE - 1) {
            c.duplicates++;
            return;
        }
        if (seq > c.nextSeq) {
            c.gaps += seq - c.nextSeq;
        }
        c.nextSeq = seq + 1;
        deliveries++;
        latencyFromSend.record(nowNanos - sentAt);
        latencyFromSchedule.record(nowNanos - scheduledAt);
        int s = (int) seq;
        ensureCapacity(s);
        if (received[s] == 0) {
            sendNanos[s] = sentAt;
            scheduledNanos[s] = scheduledAt;
        }
        received[s]++;
        lastReceiveNanos[s] = nowNanos;
        highestSeen = Math.max(highestSeen, s);
        if (!done[s] && received[s] >= liveHealthy) {
            complete(s);
        }
    }

    /**
     * Reader: healthy connection {@code c} was closed by the server (or reset) after it subscribed. Events now
     * received by all remaining live healthy connections complete. (Approximation: an event {@code c} had already
     * received still counts it, so such an event may complete one delivery early; the run has missing events
     * anyway.)
     */
    void onHealthyClosed(SseConnection c) {
        int live = liveHealthy - 1;
        liveHealthy = live;
        for (int s = lowestIncomplete; s <= highestSeen; s++) {
            if (!done[s] && received[s] > 0 && received[s] >= live) {
                complete(s);
            }
        }
        lock.lock();
        try {
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void complete(int s) {
        done[s] = true;
        fanoutNanos[s] = lastReceiveNanos[s] - sendNanos[s];
        fanoutFromSend.record(fanoutNanos[s]);
        fanoutFromSchedule.record(lastReceiveNanos[s] - scheduledNanos[s]);
        while (lowestIncomplete <= highestSeen && done[lowestIncomplete]) {
            lowestIncomplete++;
        }
        lock.lock();
        try {
            completed++;
            lastCompletionNanos = Math.max(lastCompletionNanos, lastReceiveNanos[s]);
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes a line per event that completed: its seq, when it was sent (ms after the first event) and its fan-out
     * (µs), to see when in a run the slow ones were. Called by the main thread once the run is over.
     */
    void writeTrace(StringBuilder out) {
        for (int s = 0; s <= highestSeen; s++) {
            if (done[s]) {
                out.append(String.format(java.util.Locale.ROOT, "%d %.1f %.1f%n", s,
                        (sendNanos[s] - sendNanos[0]) / 1e6, fanoutNanos[s] / 1e3));
            }
        }
    }

    private void ensureCapacity(int s) {
        if (s < received.length) {
            return;
        }
        int n = Math.max(received.length * 2, s + 1);
        received = Arrays.copyOf(received, n);
        sendNanos = Arrays.copyOf(sendNanos, n);
        scheduledNanos = Arrays.copyOf(scheduledNanos, n);
        lastReceiveNanos = Arrays.copyOf(lastReceiveNanos, n);
        fanoutNanos = Arrays.copyOf(fanoutNanos, n);
        done = Arrays.copyOf(done, n);
    }
}
