package dev.broadcaster.internal;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;

/**
 * Marks every {@code text/event-stream} response as not cacheable and not to be buffered by proxies
 * ({@code Cache-Control: no-cache}, {@code X-Accel-Buffering: no}).
 */
@Provider
public class SseResponseHeaders implements ContainerResponseFilter {

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        MediaType type = response.getMediaType();
        if (type != null && type.isCompatible(MediaType.SERVER_SENT_EVENTS_TYPE)) {
            response.getHeaders().putSingle("Cache-Control", "no-cache");
            response.getHeaders().putSingle("X-Accel-Buffering", "no");
        }
    }
}
