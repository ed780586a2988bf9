package dev.broadcaster.internal.metrics;

import dev.broadcaster.RegistryStats;
import dev.broadcaster.internal.DefaultChannelRegistry;
import dev.broadcaster.internal.Latencies;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Timer;

/**
 * Registers the library's metrics in the application {@link MetricRegistry} when the application starts.
 * Gauges read {@link DefaultChannelRegistry#stats()} when scraped, all of them the same reading: a reading serves
 * every gauge read within {@link #READING_LIFETIME} (1 s) of it, so one scrape reads the registry (and, in a
 * cluster, asks the backplane for the channel count) once, not once per gauge. The cumulative ones only grow
 * (MicroProfile Metrics has no counter backed by a function). The timers are fed through the registry's
 * {@link dev.broadcaster.internal.Latencies}: {@value #BROADCAST_LATENCY} times each {@code broadcast} call,
 * {@value #DELIVERY_LATENCY} each broadcast from its channel taking it to its last connection's write.
 *
 * <p><b>Threads.</b> Gauges are read on the metrics implementation's threads (a scrape's request thread); one lock,
 * {@code readingLock}, guards the last reading, and is held while a new one is taken, so gauges read meanwhile wait
 * for it rather than take their own.
 *
 * <p>Not a discovered bean (it has no bean-defining annotation): {@link
 * dev.broadcaster.internal.OptionalMonitoringExtension} adds it, application-scoped, only where the
 * MicroProfile Metrics API is present. Without a {@code MetricRegistry} bean (the API without an
 * implementation) it registers nothing.
 */
public class BroadcasterMetrics {

    public static final String CONNECTIONS = "broadcaster.connections";
    public static final String CHANNELS = "broadcaster.channels";
    public static final String EVENTS_PUBLISHED = "broadcaster.events.published";
    public static final String FRAMES_QUEUED = "broadcaster.frames.queued";
    public static final String EVICTIONS = "broadcaster.evictions";
    public static final String RESYNCS = "broadcaster.resyncs";
    public static final String PRESENCE_RENDERS = "broadcaster.presence.renders";
    public static final String REFUSED_CONNECTIONS = "broadcaster.connections.refused";
    public static final String REFUSED_CHANNELS = "broadcaster.channels.refused";
    public static final String OVERSIZED_PRESENCE = "broadcaster.presence.oversized";
    public static final String LAGGING = "broadcaster.connections.lagging";
    public static final String LAG_RESYNCS = "broadcaster.lag.resyncs";
    public static final String PUBLISHES_REFUSED = "broadcaster.publishes.refused";
    public static final String CONFLATED_EVENTS = "broadcaster.conflated.events";
    public static final String CONFLATED_BYTES = "broadcaster.conflated.bytes";
    public static final String CLUSTER_REJECTED = "broadcaster.cluster.rejected";
    public static final String BROADCAST_LATENCY = "broadcaster.broadcast.latency";
    public static final String DELIVERY_LATENCY = "broadcaster.delivery.latency";

    /** How long one reading of the registry's figures serves the gauges: longer than a scrape, shorter than two. */
    public static final Duration READING_LIFETIME = Duration.ofSeconds(1);

    private static final System.Logger LOG = System.getLogger(BroadcasterMetrics.class.getName());

    // looked up, not injected: on Payara a type added by an extension cannot see the library's own beans
    private DefaultChannelRegistry registry;
    @Inject
    Instance<MetricRegistry> metricRegistries;

    private MetricRegistry metrics;
    private final List<String> registered = new ArrayList<>();
    private final Object readingLock = new Object();
    private final List<LongConsumer> listening = new ArrayList<>();
    private RegistryStats reading; // guarded by readingLock
    private long readingTakenNanos; // guarded by readingLock

    void register(@Observes @Initialized(ApplicationScoped.class) Object application) {
        registry = CDI.current().select(DefaultChannelRegistry.class).get();
        if (!metricRegistries.isResolvable()) {
            LOG.log(System.Logger.Level.DEBUG, "MicroProfile Metrics API without a MetricRegistry: no metrics");
            return;
        }
        metrics = metricRegistries.get();
        for (RegistryFigures.Figure figure : RegistryFigures.FROM_STATS) {
            gauge(figure);
        }
        if (registry.clustered()) {
            metrics.gauge(Metadata.builder().withName(CLUSTER_REJECTED).withDescription(RegistryFigures.CLUSTER_REJECTED)
                    .withUnit(MetricUnits.NONE).build(), registry::clusterRejected);
            registered.add(CLUSTER_REJECTED);
        }
        timer(BROADCAST_LATENCY, RegistryFigures.BROADCAST_LATENCY, registry.broadcastLatency());
        timer(DELIVERY_LATENCY, RegistryFigures.DELIVERY_LATENCY, registry.deliveryLatency());
        LOG.log(System.Logger.Level.DEBUG, "Registered broadcaster.* metrics");
    }

    private void timer(String name, String description, Latencies latencies) {
        Timer timer = metrics.timer(Metadata.builder().withName(name).withDescription(description).build());
        registered.add(name);
        LongConsumer listener = nanos -> timer.update(Duration.ofNanos(nanos));
        latencies.add(listener);
        listening.add(listener);
    }

    private void gauge(RegistryFigures.Figure figure) {
        metrics.gauge(Metadata.builder().withName(figure.name()).withDescription(figure.description())
                .withUnit(MetricUnits.NONE).build(), () -> figure.reading().applyAsLong(reading()));
        registered.add(figure.name());
    }

    /** The registry's figures as read at most {@link #READING_LIFETIME} ago. */
    private RegistryStats reading() {
        synchronized (readingLock) {
            if (reading == null || System.nanoTime() - readingTakenNanos >= READING_LIFETIME.toNanos()) {
                reading = registry.stats();
                readingTakenNanos = System.nanoTime(); // once read: a slow reading still serves its whole scrape
            }
            return reading;
        }
    }

    /** Unregisters the metrics: their gauges hold the registry of an application that is stopping. */
    @PreDestroy
    void unregister() {
        try {
            listening.forEach(listener -> {
                registry.broadcastLatency().remove(listener);
                registry.deliveryLatency().remove(listener);
            });
        } catch (RuntimeException e) {
            // the registry may already be destroyed
        }
        if (metrics != null) {
            registered.forEach(metrics::remove);
        }
    }
}
