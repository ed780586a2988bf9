package dev.broadcaster.bench.servers;

import dev.broadcaster.bench.servers.shared.NaiveChannels;
import org.glassfish.jersey.internal.inject.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;

/**
 * Benchmark target "naive": plain JAX-RS on Jersey/Grizzly, no CDI, one {@code SseBroadcaster} per
 * channel ({@link NaiveResource} over one {@link NaiveChannels}).
 *
 * <p>Usage: {@code java <jvm flags> -cp ... dev.broadcaster.bench.servers.NaiveServer --port P}; prints
 * {@code READY http://127.0.0.1:P/}; on SIGTERM closes the broadcasters (and their streams), then Grizzly.
 */
public final class NaiveServer {

    private NaiveServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = ServerLauncher.port(args, NaiveServer.class.getName());
        NaiveChannels channels = new NaiveChannels();
        ResourceConfig app = new ResourceConfig()
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(channels).to(NaiveChannels.class);
                    }
                })
                .register(NaiveResource.class);
        ServerLauncher.serve(ServerLauncher.base(port), app, channels::close);
        ServerLauncher.awaitTermination();
    }
}
