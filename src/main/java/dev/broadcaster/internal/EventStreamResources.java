package dev.broadcaster.internal;

import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MediaType;
import java.lang.reflect.AnnotatedElement;
import java.util.Locale;

/** Which JAX-RS resource methods open event streams, for the filters that treat streams apart. */
final class EventStreamResources {

    private EventStreamResources() {
    }

    /**
     * Whether the matched resource method (or, without a {@code @Produces} of its own, its class) produces
     * {@code text/event-stream}; false when no resource matched ({@code resource} or its method null).
     */
    static boolean producesEvents(ResourceInfo resource) {
        if (resource == null || resource.getResourceMethod() == null) {
            return false;
        }
        AnnotatedElement method = resource.getResourceMethod();
        return method.isAnnotationPresent(Produces.class) ? produces(method) : produces(resource.getResourceClass());
    }

    private static boolean produces(AnnotatedElement element) {
        Produces produces = element == null ? null : element.getAnnotation(Produces.class);
        if (produces == null) {
            return false;
        }
        for (String types : produces.value()) {
            for (String type : types.split(",")) {
                if (type.trim().toLowerCase(Locale.ROOT).startsWith(MediaType.SERVER_SENT_EVENTS)) {
                    return true;
                }
            }
        }
        return false;
    }
}
