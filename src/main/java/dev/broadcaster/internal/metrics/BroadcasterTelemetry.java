package dev.broadcaster.internal.metrics;

import dev.broadcaster.RegistryStats;
import dev.broadcaster.internal.DefaultChannelRegistry;
import dev.broadcaster.internal.Latencies;
import io.opentelemetry.api.metrics.BatchCallback;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.ToLongFunction;

/**
 * Registers the library's metrics as OpenTelemetry instruments on the application's {@link Meter} (MicroProfile
 * Telemetry 2.x) when the application starts: the same figures as {@link BroadcasterMetrics} ({@link RegistryFigures}). Figures that only grow
 * are asynchronous counters, the others asynchronous gauges; all of them are observed by one batch callback, so one
 * collection reads {@link DefaultChannelRegistry#stats()} once. The two latencies are histograms in seconds, fed
 * through the registry's {@link Latencies}.
 *
 * <p>Not a discovered bean: {@link dev.broadcaster.internal.OptionalMonitoringExtension} adds it, application-scoped,
 * only where the OpenTelemetry API is present. Without a {@code Meter} bean (the API without MicroProfile Telemetry)
 * it registers nothing.
 */
public class BroadcasterTelemetry {

    /** Histogram buckets, in seconds: from half a millisecond to ten seconds. */
    static final List<Double> LATENCY_BUCKETS = List.of(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
            0.5, 1.0, 2.5, 5.0, 10.0);

    private static final System.Logger LOG = System.getLogger(BroadcasterTelemetry.class.getName());
    private static final double NANOS_PER_SECOND = 1e9;

    @Inject
    Instance<Meter> meters;

    private DefaultChannelRegistry registry;
    private BatchCallback observing;
    private final List<LongConsumer> listening = new ArrayList<>();

    void register(@Observes @Initialized(ApplicationScoped.class) Object application) {
        // looked up, not injected: on Payara a type added by an extension cannot see the library's own beans
        DefaultChannelRegistry channels = CDI.current().select(DefaultChannelRegistry.class).get();
        if (!meters.isResolvable()) {
            LOG.log(System.Logger.Level.DEBUG, "OpenTelemetry API without a Meter: no OpenTelemetry metrics");
            return;
        }
        try {
            start(meters.get(), channels);
        } catch (RuntimeException | LinkageError e) { // e.g. an OpenTelemetry API older than 1.32
            LOG.log(System.Logger.Level.WARNING, "OpenTelemetry metrics of the broadcaster not registered", e);
            stop();
        }
    }

    /** Registers the instruments of {@code channels}' metrics on {@code meter}. */
    public synchronized void start(Meter meter, DefaultChannelRegistry channels) {
        registry = channels;
        Map<ObservableLongMeasurement, ToLongFunction<RegistryStats>> figures = new LinkedHashMap<>();
        for (RegistryFigures.Figure figure : RegistryFigures.FROM_STATS) {
            figures.put(figure.cumulative() ? counter(meter, figure.name(), figure.description())
                    : gauge(meter, figure.name(), figure.description()), figure.reading());
        }
        ObservableLongMeasurement rejected = channels.clustered() ? counter(meter, BroadcasterMetrics.CLUSTER_REJECTED,
                RegistryFigures.CLUSTER_REJECTED) : null;
        List<ObservableLongMeasurement> all = new ArrayList<>(figures.keySet());
        if (rejected != null) {
            all.add(rejected);
        }
        observing = meter.batchCallback(() -> {
            RegistryStats stats = channels.stats(); // one reading for every instrument of this collection
            figures.forEach((measurement, figure) -> measurement.record(figure.applyAsLong(stats)));
            if (rejected != null) {
                rejected.record(channels.clusterRejected());
            }
        }, all.get(0), all.subList(1, all.size()).toArray(ObservableLongMeasurement[]::new));
        histogram(meter, BroadcasterMetrics.BROADCAST_LATENCY, RegistryFigures.BROADCAST_LATENCY,
                channels.broadcastLatency());
        histogram(meter, BroadcasterMetrics.DELIVERY_LATENCY, RegistryFigures.DELIVERY_LATENCY,
                channels.deliveryLatency());
        LOG.log(System.Logger.Level.DEBUG, "Registered broadcaster.* OpenTelemetry instruments");
    }

    private static ObservableLongMeasurement gauge(Meter meter, String name, String description) {
        return meter.gaugeBuilder(name).ofLongs().setDescription(description).setUnit("{count}").buildObserver();
    }

    private static ObservableLongMeasurement counter(Meter meter, String name, String description) {
        return meter.counterBuilder(name).setDescription(description).setUnit("{count}").buildObserver();
    }

    private void histogram(Meter meter, String name, String description, Latencies latencies) {
        DoubleHistogram histogram = meter.histogramBuilder(name).setDescription(description).setUnit("s")
                .setExplicitBucketBoundariesAdvice(LATENCY_BUCKETS).build();
        LongConsumer listener = nanos -> histogram.record(nanos / NANOS_PER_SECOND);
        latencies.add(listener);
        listening.add(listener);
    }

    /** Stops observing: the callback and listeners hold the registry of an application that is stopping. */
    @PreDestroy
    public synchronized void stop() {
        if (observing != null) {
            observing.close();
            observing = null;
        }
        if (registry != null) {
            listening.forEach(listener -> {
                registry.broadcastLatency().remove(listener);
                registry.deliveryLatency().remove(listener);
            });
        }
        listening.clear();
    }
}
