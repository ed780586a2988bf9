package dev.broadcaster.support;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * The in-process server of the tests: Weld SE (with a Narayana JTA transaction manager), Jersey on
 * Grizzly on a free loopback port, SmallRye Config with the given {@code broadcaster.*} values, the
 * library's endpoints ({@value #FEATURE}, found by name: this module does not depend on the library, whose
 * own tests use it), and {@link BasicAuthFilter} standing in for the container's security.
 *
 * <p>Settings: the builder's defaults, then the test's own ({@link Builder#config}, or
 * {@link InProcessServer#config}), then every JVM system property whose name starts with
 * {@code broadcaster.}, which overrides both: a second test run can pass, e.g.,
 * {@code -Dbroadcaster.cluster.engine=...} to every server its tests start.
 *
 * <p>A test class usually gets one server for all its tests from {@link InProcessServer}; a test that needs
 * different settings per method starts its own with {@link #builder()} and closes it.
 */
public final class TestServer implements AutoCloseable {

    static {
        System.setProperty("com.arjuna.ats.arjuna.objectstore.objectStoreDir", "target/narayana");
        System.setProperty("ObjectStoreEnvironmentBean.objectStoreDir", "target/narayana");
    }

    /** The library's JAX-RS feature, registered by name. */
    public static final String FEATURE = "dev.broadcaster.BroadcasterFeature";

    /** The prefix of the system properties that override a test's settings. */
    public static final String OVERRIDE_PREFIX = "broadcaster.";

    /** Bytes a connection may have queued in Grizzly before a write blocks. */
    static final int MAX_PENDING_WRITE_BYTES = 16 * 1024;

    private static final AtomicInteger SERVERS = new AtomicInteger();

    private final WeldContainer container;
    private final HttpServer http;
    private final Config config;
    private final URI base;
    private final Map<String, String> settings;

    private TestServer(Map<String, String> given, Class<?>[] beans, Class<?>[] resources) {
        Map<String, String> effective = new HashMap<>(given);
        String server = Integer.toString(SERVERS.incrementAndGet());
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(OVERRIDE_PREFIX)) {
                effective.put(name, System.getProperty(name).replace("{server}", server));
            }
        }
        settings = Map.copyOf(effective);
        config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(new HashMap<>(settings), "test", 500))
                .build();
        ConfigProviderResolver.instance().registerConfig(config, Thread.currentThread().getContextClassLoader());
        try {
            Weld weld = new Weld().addServices(new NarayanaTransactionServices());
            if (beans.length > 0) {
                weld.addBeanClasses(beans);
            }
            container = weld.initialize();
        } catch (RuntimeException e) {
            ConfigProviderResolver.instance().releaseConfig(config);
            throw e;
        }
        base = URI.create("http://127.0.0.1:" + freePort() + "/");
        ResourceConfig app = new ResourceConfig()
                .register(libraryFeature())
                .register(BasicAuthFilter.class);
        for (Class<?> resource : resources) {
            app.register(resource);
        }
        http = GrizzlyHttpServerFactory.createHttpServer(base, app, false);
        // as an application server does: a write to a client that stopped reading blocks once this much is
        // pending, instead of Grizzly queueing without limit (its default here), so backpressure reaches Jersey
        try {
            http.start();
            http.getListeners().forEach(listener -> {
                listener.getTransport().getAsyncQueueIO().getWriter().setMaxPendingBytesPerConnection(MAX_PENDING_WRITE_BYTES);
            });
        } catch (IOException e) {
            container.close();
            ConfigProviderResolver.instance().releaseConfig(config);
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a server with default configuration. */
    public static TestServer start() {
        return new Builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The server's base URI, ending with '/'. */
    public URI base() {
        return base;
    }

    public URI uri(String path) {
        return base.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    /** The subscribe URI of {@code channel} under the configured {@code broadcaster.path} (default {@code /sse}). */
    public URI channel(String channel) {
        String path = settings.getOrDefault("broadcaster.path", "/sse");
        return uri(path + (path.endsWith("/") ? "" : "/") + "channels/" + channel);
    }

    /** The settings this server runs with, system property overrides included. */
    public Map<String, String> settings() {
        return settings;
    }

    /** A CDI bean of the running application. */
    public <T> T bean(Class<T> type) {
        return container.select(type).get();
    }

    /** Stops the application first (its streams get their final retry hint), then the HTTP server. */
    @Override
    public void close() {
        try {
            container.shutdown();
            http.shutdown(2, TimeUnit.SECONDS).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } finally {
            http.shutdownNow();
            ConfigProviderResolver.instance().releaseConfig(config);
        }
    }

    private static Class<?> libraryFeature() {
        try {
            return Class.forName(FEATURE, true, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the library (" + FEATURE + ") is not on the class path of the test", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Configures a server. */
    public static final class Builder {
        private final Map<String, String> settings = new HashMap<>(Map.of(
                // short, so that a tab closed by a test is noticed quickly (by the failed heartbeat write)
                "broadcaster.heartbeat-interval", "200ms",
                // generous: on a loaded 2-core machine a healthy test reader can pause for 100 ms (the
                // production default); tests of the timeout itself set it explicitly
                "broadcaster.send-timeout", "2s"));
        private Class<?>[] beans = new Class<?>[0];
        private Class<?>[] resources = new Class<?>[0];

        /** A {@code broadcaster.*} setting (a system property of the same name overrides it). */
        public Builder config(String key, String value) {
            settings.put(key, value);
            return this;
        }

        /** Extra CDI bean classes of the test application. */
        public Builder beans(Class<?>... beanClasses) {
            this.beans = beanClasses;
            return this;
        }

        /** Extra JAX-RS resources of the test application. */
        public Builder resources(Class<?>... resourceClasses) {
            this.resources = resourceClasses;
            return this;
        }

        public TestServer start() {
            return new TestServer(settings, beans, resources);
        }
    }
}
