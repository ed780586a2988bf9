package dev.broadcaster.bench.load;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Samples the server's thread count every {@value #PERIOD_MS} ms on its own thread, from {@link #start()} until
 * {@link #stop()}, and keeps the maximum.
 */
final class ThreadSampler implements Runnable {
    static final int PERIOD_MS = 500;

    private final ServerProbe probe;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread = new Thread(this, "thread-sampler");
    private volatile int max = -1;

    ThreadSampler(ServerProbe probe) {
        this.probe = probe;
    }

    void start() {
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops sampling, takes one last sample, and returns the maximum seen (-1 if none could be read). */
    int stop() throws InterruptedException {
        stopped.countDown();
        thread.join();
        sample();
        return max;
    }

    @Override
    public void run() {
        try {
            do {
                sample();
            } while (!stopped.await(PERIOD_MS, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sample() {
        max = Math.max(max, probe.threads());
    }
}
