package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.PresenceRenderer;
import dev.broadcaster.SseEvent;
import dev.broadcaster.internal.metrics.BroadcasterMetrics;
import dev.broadcaster.internal.metrics.BroadcasterTelemetry;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.RecordingMetricRegistry;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import jakarta.enterprise.inject.spi.BeanManager;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The readiness check and the metrics, with the MicroProfile Health and Metrics and the OpenTelemetry APIs on the
 * classpath
 * (the surefire execution {@code with-monitoring-apis}; the default run excludes the APIs). No
 * implementation is present: the check is called directly and {@link RecordingMetricRegistry} stands
 * in for the application metric registry. The OpenTelemetry instruments are registered on an SDK meter with an
 * in-memory reader ({@code opentelemetry-sdk-testing}). The app-server tests cover the real endpoints and exports.
 */
@EnabledIf("monitoringApisPresent")
class MonitoringWithMonitoringApisTest {

    static boolean monitoringApisPresent() {
        try {
            Class.forName(OptionalMonitoringExtension.HEALTH_API);
            Class.forName(OptionalMonitoringExtension.METRICS_API);
            Class.forName(OptionalMonitoringExtension.TELEMETRY_API);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Test
    void theReadinessCheckIsUpWithItsDataAndDownOnceTheExecutorStopsTakingTasks() {
        // no MetricRegistry bean here: the metrics bean must then register nothing and not fail deployment
        try (TestServer server = TestServer.start()) {
            List<HealthCheck> checks = server.bean(BeanManager.class).createInstance()
                    .select(HealthCheck.class, Readiness.Literal.INSTANCE).stream().toList();
            assertEquals(1, checks.size());
            HealthCheck check = checks.get(0);
            DefaultChannelRegistry registry = server.bean(DefaultChannelRegistry.class);
            try (SseStream bob = SseStream.connect(server.uri("sse/channels/ready"), "bob")) {
                HealthCheckResponse up = check.call();
                assertEquals("broadcaster", up.getName());
                assertEquals(HealthCheckResponse.Status.UP, up.getStatus());
                assertEquals(Map.of("connections", 1L, "channels", 1L, "evictions", 0L), up.getData().orElseThrow());

                registry.workers().executor().shutdownNow();
                assertEquals(HealthCheckResponse.Status.DOWN, check.call().getStatus());
            }
        }
    }

    @Test
    void theMetricsFollowTheRegistry() {
        try (TestServer server = TestServer.builder().beans(RecordingMetricRegistry.class).start()) {
            RecordingMetricRegistry metrics = server.bean(RecordingMetricRegistry.class);
            DefaultChannelRegistry registry = server.bean(DefaultChannelRegistry.class);
            assertEquals(Set.of(BroadcasterMetrics.CONNECTIONS, BroadcasterMetrics.CHANNELS,
                    BroadcasterMetrics.EVENTS_PUBLISHED, BroadcasterMetrics.FRAMES_QUEUED, BroadcasterMetrics.EVICTIONS,
                    BroadcasterMetrics.RESYNCS, BroadcasterMetrics.PRESENCE_RENDERS,
                    BroadcasterMetrics.REFUSED_CONNECTIONS, BroadcasterMetrics.REFUSED_CHANNELS,
                    BroadcasterMetrics.OVERSIZED_PRESENCE, BroadcasterMetrics.LAGGING,
                    BroadcasterMetrics.LAG_RESYNCS, BroadcasterMetrics.PUBLISHES_REFUSED,
                    BroadcasterMetrics.CONFLATED_EVENTS, BroadcasterMetrics.CONFLATED_BYTES,
                    BroadcasterMetrics.BROADCAST_LATENCY, BroadcasterMetrics.DELIVERY_LATENCY), metrics.names());

            registry.create("metered", PresenceRenderer.html((channel, users) -> "<p id=\"who\">" + users + "</p>"));
            URI channel = server.uri("sse/channels/metered");
            try (SseStream bob = SseStream.connect(channel, "bob")) {
                bob.awaitData("elements <p id=\"who\">[bob]</p>");
                assertEquals(1, registry.broadcast("metered", SseEvent.data("one")));
                bob.awaitData("one");
                try (SseStream carol = SseStream.connect(channel, "carol", "no-such-id")) {
                    carol.awaitEvent(event -> event.type().equals("resync"), "resync");
                    // presence rendered for carol's arrival: no render is still on its way while the counters are read
                    carol.awaitData("elements <p id=\"who\">[bob, carol]</p>");

                    assertEquals(2, metrics.gauge(BroadcasterMetrics.CONNECTIONS).intValue());
                    assertEquals(1, metrics.gauge(BroadcasterMetrics.CHANNELS).intValue());
                    assertEquals(1L, metrics.gauge(BroadcasterMetrics.EVENTS_PUBLISHED).longValue());
                    assertEquals(1L, metrics.gauge(BroadcasterMetrics.FRAMES_QUEUED).longValue());
                    assertEquals(0L, metrics.gauge(BroadcasterMetrics.EVICTIONS).longValue());
                    assertEquals(1L, metrics.gauge(BroadcasterMetrics.RESYNCS).longValue());
                    assertEquals(0, metrics.gauge(BroadcasterMetrics.LAGGING).intValue());
                    assertEquals(0L, metrics.gauge(BroadcasterMetrics.LAG_RESYNCS).longValue());
                    assertEquals(0L, metrics.gauge(BroadcasterMetrics.PUBLISHES_REFUSED).longValue());
                    assertEquals(0L, metrics.gauge(BroadcasterMetrics.CONFLATED_EVENTS).longValue());
                    assertEquals(0L, metrics.gauge(BroadcasterMetrics.CONFLATED_BYTES).longValue());
                    long renders = metrics.gauge(BroadcasterMetrics.PRESENCE_RENDERS).longValue();
                    assertTrue(renders >= 1, "presence renders " + renders);
                    assertEquals(0L, metrics.gauge(BroadcasterMetrics.REFUSED_CONNECTIONS).longValue());
                    assertEquals(0L, metrics.gauge(BroadcasterMetrics.REFUSED_CHANNELS).longValue());
                    assertEquals(0L, metrics.gauge(BroadcasterMetrics.OVERSIZED_PRESENCE).longValue());
                    List<Duration> latencies = metrics.timerUpdates(BroadcasterMetrics.BROADCAST_LATENCY);
                    assertEquals(1, latencies.size());
                    assertTrue(latencies.get(0).toNanos() > 0, latencies.toString());
                    // told once the write to bob completed, which may be just after bob read it
                    Eventually.equalTo(1, () -> metrics.timerUpdates(BroadcasterMetrics.DELIVERY_LATENCY).size(),
                            "delivery latencies");
                    assertTrue(metrics.timerUpdates(BroadcasterMetrics.DELIVERY_LATENCY).get(0).toNanos() > 0);

                    String status = HttpCalls.get(server.uri("sse/status"), "alice").body();
                    assertTrue(status.contains("\"resyncs\":1,"), status);
                    assertTrue(status.contains("\"presenceRenders\":" + renders + ","), status);
                }
            }
        }
    }

    @Test
    void theOpenTelemetryInstrumentsFollowTheRegistry() {
        InMemoryMetricReader reader = InMemoryMetricReader.create();
        try (SdkMeterProvider meters = SdkMeterProvider.builder().registerMetricReader(reader).build();
             TestServer server = TestServer.start()) {
            // no Meter bean here: the bean the extension added registered nothing; this one is given a meter
            DefaultChannelRegistry registry = server.bean(DefaultChannelRegistry.class);
            BroadcasterTelemetry telemetry = new BroadcasterTelemetry();
            telemetry.start(meters.get("dev.broadcaster"), registry);
            try (SseStream bob = SseStream.connect(server.uri("sse/channels/otel"), "bob");
                 SseStream carol = SseStream.connect(server.uri("sse/channels/otel"), "carol")) {
                Eventually.equalTo(2, () -> registry.stats().connections(), "connections");
                assertEquals(2, registry.broadcast("otel", SseEvent.data("one")));
                bob.awaitData("one");
                carol.awaitData("one");
                Eventually.equalTo(1L, () -> histogramCount(reader.collectAllMetrics(),
                        BroadcasterMetrics.DELIVERY_LATENCY), "delivery latencies recorded");

                Collection<MetricData> collected = reader.collectAllMetrics();
                assertEquals(2L, longValue(collected, BroadcasterMetrics.CONNECTIONS));
                assertEquals(1L, longValue(collected, BroadcasterMetrics.CHANNELS));
                assertEquals(1L, longValue(collected, BroadcasterMetrics.EVENTS_PUBLISHED));
                assertEquals(2L, longValue(collected, BroadcasterMetrics.FRAMES_QUEUED));
                assertEquals(0L, longValue(collected, BroadcasterMetrics.EVICTIONS));
                assertEquals(1L, histogramCount(collected, BroadcasterMetrics.BROADCAST_LATENCY));
                assertEquals(15 + 2, collected.size(), collected.toString());
            } finally {
                telemetry.stop();
            }
        }
    }

    private static long longValue(Collection<MetricData> metrics, String name) {
        MetricData metric = metric(metrics, name);
        Collection<LongPointData> points = metric.getType() == io.opentelemetry.sdk.metrics.data.MetricDataType.LONG_SUM
                ? metric.getLongSumData().getPoints() : metric.getLongGaugeData().getPoints();
        return points.iterator().next().getValue();
    }

    private static long histogramCount(Collection<MetricData> metrics, String name) {
        if (metrics.stream().noneMatch(metric -> metric.getName().equals(name))) {
            return 0; // nothing recorded yet
        }
        Collection<HistogramPointData> points = metric(metrics, name).getHistogramData().getPoints();
        return points.isEmpty() ? 0 : points.iterator().next().getCount();
    }

    private static MetricData metric(Collection<MetricData> metrics, String name) {
        return metrics.stream().filter(metric -> metric.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in " + metrics));
    }
}
