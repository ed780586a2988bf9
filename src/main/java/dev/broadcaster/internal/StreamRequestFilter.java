package dev.broadcaster.internal;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.ext.Provider;

/**
 * Captures, for a {@code GET} of a resource method producing {@code text/event-stream}, what a
 * {@link ChannelSseBroadcaster broadcaster view} registers the stream with ({@link StreamRequest}): the request's
 * security context (as authentication left it), its {@code Last-Event-ID} header and its client address. Other
 * requests pass untouched. Runs on the request thread, after authentication.
 */
@Provider
@Priority(Priorities.AUTHORIZATION + 10)
public class StreamRequestFilter implements ContainerRequestFilter {

    @Context
    ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext request) {
        if (!HttpMethod.GET.equals(request.getMethod()) || !EventStreamResources.producesEvents(resource)
                || BuiltInEndpoint.class.isAssignableFrom(resource.getResourceClass())) {
            return; // the built-in endpoints read the request themselves: no request-scoped bean kept per stream
        }
        CDI.current().select(StreamRequest.class).get().capture(request.getSecurityContext(),
                request.getHeaderString("Last-Event-ID"), ClientAddresses.current());
    }
}
