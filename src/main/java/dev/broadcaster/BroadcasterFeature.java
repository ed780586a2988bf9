package dev.broadcaster;

import dev.broadcaster.internal.BroadcasterEndpoints;
import dev.broadcaster.internal.ClientScript;
import dev.broadcaster.internal.EndpointRouting;
import dev.broadcaster.internal.FrameWriter;
import dev.broadcaster.internal.RefusedStreamFilter;
import dev.broadcaster.internal.SameOriginFilter;
import dev.broadcaster.internal.SseResponseHeaders;
import dev.broadcaster.internal.StreamRequestFilter;
import dev.broadcaster.internal.StreamEndpoints;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import java.util.List;

/**
 * Registers the library's JAX-RS classes with an application: the built-in endpoints (subscribe, publish,
 * channel listing, admin page, client script), the filter that routes them under {@code broadcaster.path}, the SSE
 * response headers, the {@code stop} answer to a refused htmx 4 stream, the frame writer, and the filter behind
 * {@link SameOrigin}.
 *
 * <p>An application on a Jakarta EE server (Open Liberty, Payara) does not need it: the container discovers
 * these classes in the library's jar. An application that registers its classes itself, without scanning
 * (Jersey on Grizzly with a {@code ResourceConfig}, or an {@code Application} whose {@code getClasses()} lists
 * everything), registers this one class instead of naming the library's internals:
 * {@code new ResourceConfig().register(BroadcasterFeature.class)}. CDI must still be running (the library's
 * beans are CDI beans).
 *
 * <p>It is not annotated {@code @Provider}, so scanning never picks it up, and it skips any class the
 * application already registered: registering it where the classes are also discovered adds nothing twice.
 */
public final class BroadcasterFeature implements Feature {

    private static final List<Class<?>> CLASSES = List.of(
            BroadcasterEndpoints.class,
            ClientScript.class,
            StreamEndpoints.class,
            EndpointRouting.class,
            SseResponseHeaders.class,
            RefusedStreamFilter.class,
            FrameWriter.class,
            SameOriginFilter.class,
            StreamRequestFilter.class);

    @Override
    public boolean configure(FeatureContext context) {
        for (Class<?> type : CLASSES) {
            if (!context.getConfiguration().isRegistered(type)) {
                context.register(type);
            }
        }
        return true;
    }
}
