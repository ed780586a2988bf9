package dev.broadcaster.internal;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.Provider;

/**
 * Serves the built-in endpoints under the configured {@code broadcaster.path} (default {@code /sse}):
 * a request to {@code <path>/...} is routed to {@link BroadcasterEndpoints}, whose own path is fixed.
 * With {@code broadcaster.endpoints.enabled=false} nothing is routed and the endpoints answer 404.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public class EndpointRouting implements ContainerRequestFilter {

    private volatile BroadcasterSettings settings;

    @Override
    public void filter(ContainerRequestContext request) {
        UriInfo uri = request.getUriInfo();
        String path = stripSlashes(uri.getPath(false));
        String base = settings().path().substring(1);
        if (path.startsWith(BroadcasterEndpoints.ROOT)) {
            request.abortWith(Response.status(Response.Status.NOT_FOUND).build());
            return;
        }
        if (!settings().endpointsEnabled() || !(path.equals(base) || path.startsWith(base + "/"))) {
            return;
        }
        String rest = path.substring(base.length());
        UriBuilder routed = uri.getBaseUriBuilder().path(BroadcasterEndpoints.ROOT + rest);
        String query = uri.getRequestUri().getRawQuery();
        if (query != null) {
            routed.replaceQuery(query);
        }
        request.setRequestUri(uri.getBaseUri(), routed.build());
    }

    private BroadcasterSettings settings() {
        BroadcasterSettings current = settings;
        if (current == null) {
            current = CDI.current().select(BroadcasterSettings.class).get();
            settings = current;
        }
        return current;
    }

    private static String stripSlashes(String path) {
        int start = 0;
        while (start < path.length() && path.charAt(start) == '/') {
            start++;
        }
        return path.substring(start);
    }
}
