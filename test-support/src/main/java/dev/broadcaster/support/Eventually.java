package dev.broadcaster.support;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a condition observed from outside (e.g. over HTTP) to hold, with a deadline. */
public final class Eventually {

    private Eventually() {
    }

    /** Polls {@code value} until it equals {@code expected}; fails with the last value after the deadline. */
    public static <T> void equalTo(T expected, Supplier<T> value, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        T last = value.get();
        while (!expected.equals(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": expected " + expected + " but was " + last);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(20); // polling interval of a deadline-bound wait, not a synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            last = value.get();
        }
    }
}
