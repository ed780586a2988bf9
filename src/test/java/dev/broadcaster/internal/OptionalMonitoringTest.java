package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.SseEvent;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.BeanManager;
import org.junit.jupiter.api.Test;

/**
 * The library deploys and works where the MicroProfile Health and Metrics APIs are absent: this test
 * (like every test of the default run) runs with them excluded from the classpath (see the surefire
 * configuration in pom.xml). The monitoring beans with the APIs present: {@link MonitoringWithMonitoringApisTest}.
 */
class OptionalMonitoringTest {

    private static final String HEALTH_CHECK = "dev.broadcaster.internal.health.BroadcasterReadinessCheck";
    private static final String METRICS = "dev.broadcaster.internal.metrics.BroadcasterMetrics";

    @Test
    void withoutTheHealthAndMetricsApisTheLibraryDeploysWithoutItsMonitoringBeans() {
        // the premise: the APIs are absent, so the monitoring classes cannot even be loaded
        assertThrows(ClassNotFoundException.class, () -> Class.forName(OptionalMonitoringExtension.HEALTH_API));
        assertThrows(ClassNotFoundException.class, () -> Class.forName(OptionalMonitoringExtension.METRICS_API));
        assertThrows(NoClassDefFoundError.class, () -> Class.forName(HEALTH_CHECK));

        try (TestServer server = TestServer.start()) {
            BeanManager beans = server.bean(BeanManager.class);
            assertNotNull(beans.getExtension(OptionalMonitoringExtension.class));
            assertTrue(beans.getBeans(Object.class, Any.Literal.INSTANCE).stream()
                    .map(bean -> bean.getBeanClass().getName())
                    .noneMatch(name -> name.equals(HEALTH_CHECK) || name.equals(METRICS)));

            DefaultChannelRegistry registry = server.bean(DefaultChannelRegistry.class);
            assertTrue(registry.running());
            try (SseStream bob = SseStream.connect(server.uri("sse/channels/plain"), "bob")) {
                assertEquals(1, registry.broadcast("plain", SseEvent.data("still works")));
                bob.awaitData("still works");
            }
        }
    }
}
