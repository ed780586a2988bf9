package dev.broadcaster.internal;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * The listeners told one kind of latency (in nanoseconds), so optional monitoring (MicroProfile Metrics,
 * OpenTelemetry, both at once) can record it without the registry depending on either. Recording with no
 * listener costs one volatile read; a listener that throws is ignored, as a metrics failure must not fail delivery.
 */
public final class Latencies {

    private static final LongConsumer[] NONE = new LongConsumer[0];

    private volatile LongConsumer[] listeners = NONE;

    /** Adds {@code listener}, told every latency from now on, on the thread that measured it: it must be quick. */
    public synchronized void add(LongConsumer listener) {
        LongConsumer[] more = Arrays.copyOf(listeners, listeners.length + 1);
        more[more.length - 1] = listener;
        listeners = more;
    }

    /** Removes {@code listener} (no effect if it was not added). */
    public synchronized void remove(LongConsumer listener) {
        listeners = Arrays.stream(listeners).filter(known -> known != listener).toArray(LongConsumer[]::new);
    }

    /** Whether anyone listens: when not, the latency need not be measured. */
    boolean listened() {
        return listeners.length > 0;
    }

    void record(long nanos) {
        for (LongConsumer listener : listeners) {
            try {
                listener.accept(nanos);
            } catch (RuntimeException e) {
                // a metrics failure must not fail the delivery
            }
        }
    }
}
