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
 * The readiness check {@code broadcaster}: UP while the registry is started and its executors still
 * take tasks, with the data {@code connections}, {@code channels} and {@code evictions}.
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
        // the constructor, unlike HealthCheckResponse.named(), needs no HealthCheckResponseProvider
        return new HealthCheckResponse(NAME, registry.running() ? HealthCheckResponse.Status.UP
                : HealthCheckResponse.Status.DOWN, Optional.of(data));
    }
}
