package dev.broadcaster.internal.health;

import jakarta.enterprise.inject.spi.CDI;
import dev.broadcaster.RegistryStats;
import dev.broadcaster.internal.DefaultChannelRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The readiness check {@code broadcaster}: UP while the registry is started, its executors still take
 * tasks and, in a cluster, the backplane is connected; with the data {@code connections}, {@code channels},
 * {@code evictions} and, in a cluster, {@code cluster} and {@code clusterRejected} (what the engine refused from
 * the backplane since start: see {@link dev.broadcaster.cluster.ClusterEngine#rejected}). A probe reads
 * {@link DefaultChannelRegistry#stats()} once: in a cluster that asks the backplane for the channel count (the Redis
 * engine: two commands in one round trip, whatever the number of channels; nothing while the backplane is down),
 * never for a listing.
 *
 * <p>Not a discovered bean (it has no bean-defining annotation): {@link
 * dev.broadcaster.internal.OptionalMonitoringExtension} adds it, application-scoped, only where the
 * MicroProfile Health API is present.
 */
@Readiness
public class BroadcasterReadinessCheck implements HealthCheck {

    public static final String NAME = "broadcaster";

    // looked up, not injected: on Payara a type added by an extension cannot see the library's own beans
    private DefaultChannelRegistry registry;

    @Override
    public HealthCheckResponse call() {
        if (registry == null) {
            registry = CDI.current().select(DefaultChannelRegistry.class).get();
        }
        RegistryStats stats = registry.stats();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("connections", (long) stats.connections());
        data.put("channels", (long) stats.channels());
        data.put("evictions", stats.evictions());
        boolean clusterReady = registry.clusterReady();
        if (registry.clustered()) {
            data.put("cluster", clusterReady ? "connected" : "backplane unavailable");
            data.put("clusterRejected", registry.clusterRejected());
        }
        // the constructor, unlike HealthCheckResponse.named(), needs no HealthCheckResponseProvider
        return new HealthCheckResponse(NAME, registry.running() && clusterReady ? HealthCheckResponse.Status.UP
                : HealthCheckResponse.Status.DOWN, Optional.of(data));
    }
}
