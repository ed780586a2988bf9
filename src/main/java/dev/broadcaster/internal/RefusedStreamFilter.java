package dev.broadcaster.internal;

import dev.broadcaster.SseEvent;
import jakarta.json.Json;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import java.lang.annotation.Annotation;
import java.util.Set;

/**
 * What a fetch-based htmx client gets instead of a refused stream. htmx 4's {@code hx-sse} (it sends
 * {@code HX-Request: true}, which an {@code EventSource} cannot) retries a stream answered with any non-2xx status
 * forever, with backoff, so a forbidden tab would knock at the server for as long as it stays open. When a resource
 * method that produces {@code text/event-stream} (the built-in subscribe endpoints, or an application's own that
 * calls {@code connect}) answers such a client with a refusal that retrying does not change (400, 403, 404), the
 * answer becomes a 200 stream of one {@code stop} event, data {@code {"status":403,"reason":"…"}}, which the page
 * binds with {@code hx-sse:close="stop"}. Nothing was registered either way. Other clients, other resources, and
 * refusals worth retrying (401, 429, 503) keep the refusal itself.
 */
@Provider
public class RefusedStreamFilter implements ContainerResponseFilter {

    /** The refusals that retrying does not change. */
    private static final Set<Integer> FINAL = Set.of(400, 403, 404);

    @Context
    ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (!"true".equalsIgnoreCase(request.getHeaderString("HX-Request"))
                || !FINAL.contains(response.getStatus()) || !EventStreamResources.producesEvents(resource)) {
            return;
        }
        String data = Json.createObjectBuilder()
                .add("status", response.getStatus())
                .add("reason", response.getEntity() instanceof String reason ? reason : "refused")
                .build().toString();
        byte[] stop = SseEncoder.encode(new SseEvent(ControlEvents.STOP, null, null, data)).wireBytes();
        response.setStatus(200);
        response.getHeaders().remove("Retry-After");
        response.setEntity(stop, new Annotation[0], MediaType.SERVER_SENT_EVENTS_TYPE);
        response.getHeaders().putSingle("Cache-Control", "no-cache");
        response.getHeaders().putSingle("X-Accel-Buffering", "no");
    }
}
