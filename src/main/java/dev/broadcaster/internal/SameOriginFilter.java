package dev.broadcaster.internal;

import dev.broadcaster.SameOrigin;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.ext.Provider;
import java.net.URI;

/**
 * Enforces {@link SameOrigin} on an application's resource methods with {@link CrossSiteCheck}: the origin
 * rule for {@code POST}, {@code PUT}, {@code PATCH} and {@code DELETE}, the fetch-metadata rule for
 * {@code GET}/{@code HEAD} of a method producing {@code text/event-stream}; other requests pass. Discovered
 * with the application as a provider; runs on the request thread.
 */
@Provider
@SameOrigin
@Priority(Priorities.AUTHORIZATION)
public class SameOriginFilter implements ContainerRequestFilter {

    @Context
    ResourceInfo resource;

    private volatile CrossSiteCheck check;

    @Override
    public void filter(ContainerRequestContext request) {
        String method = request.getMethod();
        try {
            if (CrossSiteCheck.unsafe(method)) {
                check().requireSameOriginWrite(request::getHeaderString, base(request));
            } else if ((method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) && producesStream()) {
                check().requireSameOriginStream(request::getHeaderString, base(request));
            }
        } catch (WebApplicationException refusal) {
            request.abortWith(refusal.getResponse());
        }
    }

    private static URI base(ContainerRequestContext request) {
        try {
            return request.getUriInfo().getBaseUri();
        } catch (IllegalArgumentException e) {
            return null; // a URI the runtime cannot parse: only allowed origins match
        }
    }

    private boolean producesStream() {
        return EventStreamResources.producesEvents(resource);
    }

    private CrossSiteCheck check() {
        CrossSiteCheck current = check;
        if (current == null) {
            current = new CrossSiteCheck(CDI.current().select(BroadcasterSettings.class).get().allowedOrigins());
            check = current;
        }
        return current;
    }
}
