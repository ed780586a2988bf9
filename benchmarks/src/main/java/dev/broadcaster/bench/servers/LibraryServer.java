package dev.broadcaster.bench.servers;

import dev.broadcaster.BroadcasterFeature;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.glassfish.jersey.server.ResourceConfig;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * Benchmark target "library": Weld SE + Jersey on Grizzly + SmallRye Config + the library's built-in
 * endpoints under {@code /bench}, anonymous, so {@code GET /bench/channels/{ch}} is the library's own
 * subscribe endpoint (its stream starts with {@code : connected <id>} once registered), plus
 * {@link PublishResource} at {@code POST /publish/{ch}}.
 *
 * <p>Usage: {@code java <jvm flags> -cp ... dev.broadcaster.bench.servers.LibraryServer --port P}; prints
 * {@code READY http://127.0.0.1:P/}; stops on SIGTERM. {@code broadcaster.path},
 * {@code broadcaster.allow-anonymous} and the connection limits (raised past any run) are fixed; every other {@code broadcaster.*} key is read from
 * system properties ({@code -Dbroadcaster.queue-size=1000}) or the environment
 * ({@code BROADCASTER_QUEUE_SIZE=1000}), else the library's default applies. There is no JTA
 * transaction manager, so {@code Event.fire} delivers at once.
 */
public final class LibraryServer {

    private LibraryServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = ServerLauncher.port(args, LibraryServer.class.getName());
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultSources()
                .withSources(new PropertiesConfigSource(Map.of(
                        "broadcaster.path", "/bench",
                        "broadcaster.allow-anonymous", "true",
                        // the load generator's thousands of connections are one anonymous client: past the
                        // per-user limit (100 by default) and the node limit
                        "broadcaster.max-connections-per-user", "1000000",
                        "broadcaster.max-connections", "1000000"), "benchmark-fixed", 1000))
                .build();
        ConfigProviderResolver.instance().registerConfig(config, Thread.currentThread().getContextClassLoader());
        Weld weld = new Weld()
                .property(Weld.SHUTDOWN_HOOK_SYSTEM_PROPERTY, false) // stopped by our hook, before Grizzly
                .addBeanClasses(PublishResource.class);
        WeldContainer container = weld.initialize();
        ResourceConfig app = new ResourceConfig()
                .register(BroadcasterFeature.class)
                .register(PublishResource.class);
        ServerLauncher.serve(ServerLauncher.base(port), app, container::shutdown);
        ServerLauncher.awaitTermination();
    }
}
