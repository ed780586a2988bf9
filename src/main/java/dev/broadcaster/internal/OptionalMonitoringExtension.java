package dev.broadcaster.internal;

import dev.broadcaster.internal.health.BroadcasterReadinessCheck;
import dev.broadcaster.internal.metrics.BroadcasterMetrics;
import dev.broadcaster.internal.metrics.BroadcasterTelemetry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;

/**
 * Adds the MicroProfile Health check, the MicroProfile Metrics bean and the OpenTelemetry metrics bean
 * (MicroProfile Telemetry 2.x) only where their APIs are present (any of them, or all at once), so the library deploys on servers without those features. The beans have no bean-defining
 * annotation, so bean discovery never loads them; this extension refers to them only after the API
 * class was found.
 */
public class OptionalMonitoringExtension implements Extension {

    static final String HEALTH_API = "org.eclipse.microprofile.health.HealthCheck";
    static final String METRICS_API = "org.eclipse.microprofile.metrics.MetricRegistry";
    static final String TELEMETRY_API = "io.opentelemetry.api.metrics.Meter";
    /** In the OpenTelemetry API since 1.15: an older one (a server's tracing-only Telemetry 1.x) is not used. */
    static final String TELEMETRY_BATCH_API = "io.opentelemetry.api.metrics.BatchCallback";

    private static final System.Logger LOG = System.getLogger(OptionalMonitoringExtension.class.getName());

    void addMonitoring(@Observes BeforeBeanDiscovery discovery) {
        if (present(HEALTH_API)) {
            discovery.addAnnotatedType(BroadcasterReadinessCheck.class, BroadcasterReadinessCheck.class.getName())
                    .add(ApplicationScoped.Literal.INSTANCE);
        }
        if (present(METRICS_API)) {
            discovery.addAnnotatedType(BroadcasterMetrics.class, BroadcasterMetrics.class.getName())
                    .add(ApplicationScoped.Literal.INSTANCE);
        }
        if (present(TELEMETRY_API) && present(TELEMETRY_BATCH_API)) {
            discovery.addAnnotatedType(BroadcasterTelemetry.class, BroadcasterTelemetry.class.getName())
                    .add(ApplicationScoped.Literal.INSTANCE);
        }
    }

    private static boolean present(String apiClass) {
        try {
            Class.forName(apiClass, false, OptionalMonitoringExtension.class.getClassLoader());
            LOG.log(System.Logger.Level.DEBUG, () -> apiClass + " present: broadcaster monitoring enabled");
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, () -> apiClass + " absent: broadcaster monitoring skipped");
            return false;
        }
    }
}
