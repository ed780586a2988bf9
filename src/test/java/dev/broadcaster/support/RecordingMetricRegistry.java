package dev.broadcaster.support;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Timer;

/**
 * Stands in for a MicroProfile Metrics implementation: produces the application {@link MetricRegistry}
 * and records what is registered in it (gauges, timer updates). Only the calls the library makes are
 * supported.
 */
@ApplicationScoped
public class RecordingMetricRegistry {

    private final Map<String, Supplier<?>> gauges = new ConcurrentHashMap<>();
    private final Map<String, List<Duration>> timers = new ConcurrentHashMap<>();
    private final MetricRegistry registry = (MetricRegistry) Proxy.newProxyInstance(
            MetricRegistry.class.getClassLoader(), new Class<?>[] {MetricRegistry.class}, (proxy, method, args) ->
                    switch (method.getName()) {
                        case "gauge" -> {
                            gauges.put(((Metadata) args[0]).getName(), (Supplier<?>) args[1]);
                            yield null;
                        }
                        case "timer" -> timer(((Metadata) args[0]).getName());
                        case "remove" -> gauges.remove((String) args[0]) != null | timers.remove((String) args[0]) != null;
                        case "toString" -> "RecordingMetricRegistry";
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(method.toString());
                    });

    @Produces
    MetricRegistry applicationRegistry() {
        return registry;
    }

    private Timer timer(String name) {
        List<Duration> updates = timers.computeIfAbsent(name, key -> new CopyOnWriteArrayList<>());
        return (Timer) Proxy.newProxyInstance(Timer.class.getClassLoader(), new Class<?>[] {Timer.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "update" -> {
                        updates.add((Duration) args[0]);
                        yield null;
                    }
                    case "getCount" -> (long) updates.size();
                    default -> throw new UnsupportedOperationException(method.toString());
                });
    }

    /** The names of the registered gauges and timers. */
    public Set<String> names() {
        Set<String> names = new TreeSet<>(gauges.keySet());
        names.addAll(timers.keySet());
        return names;
    }

    /** The current value of gauge {@code name}. */
    public Number gauge(String name) {
        return (Number) gauges.get(name).get();
    }

    /** Every gauge's current value, read once each in name order, as a scrape of the registry reads them. */
    public Map<String, Number> scrape() {
        Map<String, Number> values = new java.util.TreeMap<>();
        new TreeSet<>(gauges.keySet()).forEach(name -> values.put(name, gauge(name)));
        return values;
    }

    /** The durations recorded by timer {@code name}. */
    public List<Duration> timerUpdates(String name) {
        return timers.getOrDefault(name, List.of());
    }
}
