package dev.broadcaster.internal;

import jakarta.enterprise.inject.spi.CDI;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.ext.Provider;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;

/**
 * On Jersey (Payara), closes every stream with its {@code closing} event when Jersey shuts down: Payara destroys
 * Jersey before the application's beans, so the registry's {@code @PreDestroy} comes too late to write to the
 * streams. Jersey calls its {@code ContainerLifecycleListener.onShutdown} while the streams are still open; this
 * feature registers such a listener (a proxy, so the library needs no Jersey dependency) when Jersey's class is
 * there, and does nothing on other runtimes. Registered by scanning (it is a {@code @Provider}), like
 * {@link FrameWriter}; an application that lists its classes registers it itself.
 */
@Provider
public class JerseyShutdown implements Feature {

    static final String LISTENER = "org.glassfish.jersey.server.spi.ContainerLifecycleListener";

    private static final System.Logger LOG = System.getLogger(JerseyShutdown.class.getName());

    @Override
    public boolean configure(FeatureContext context) {
        Class<?> listener;
        try {
            // Jersey's own FeatureContext sees Jersey's SPI
            listener = Class.forName(LISTENER, false, context.getClass().getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return false; // not Jersey
        }
        InvocationHandler handler = (proxy, method, args) -> {
            switch (method.getName()) {
                case "onShutdown" -> closeStreams();
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "toString" -> {
                    return "broadcaster JerseyShutdown listener";
                }
                default -> {
                    // onStartup, onReload: nothing to do
                }
            }
            return null;
        };
        context.register(Proxy.newProxyInstance(listener.getClassLoader(), new Class<?>[] {listener}, handler));
        return true;
    }

    /** Closes every stream now, on this (Jersey's stopping) thread, within the registry's 500 ms budget. */
    private static void closeStreams() {
        try {
            CDI.current().select(DefaultChannelRegistry.class).get().closeBeforeContainerStops();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Jersey stopped before the broadcaster could close its streams", e);
        }
    }
}
