package dev.broadcaster.internal;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriBuilderException;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.Provider;

/**
 * Serves the built-in endpoints under the configured {@code broadcaster.path} (default {@code /sse}):
 * a request to {@code <path>/...} is routed to {@link BroadcasterEndpoints}, whose own path is fixed, and
 * {@code <path>/client.js} to {@link ClientScript}.
 * With {@code broadcaster.endpoints.enabled=false} nothing is routed and the endpoints answer 404. A request
 * to the endpoints whose URI holds a raw {@code {}} or {@code }} (which the runtimes take for URI templates or
 * refuse with an exception) is answered 400 here, without a stack trace.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public class EndpointRouting implements ContainerRequestFilter {

    private volatile BroadcasterSettings settings;

    @Override
    public void filter(ContainerRequestContext request) {
        try {
            route(request);
        } catch (IllegalArgumentException | UriBuilderException e) {
            // a raw '{' or '}' (or another character a URI may not hold): Liberty's getRequestUri() refuses it,
            // Jersey's UriBuilder takes it for a template parameter; either way the request is malformed
            request.abortWith(Refusals.badRequest("Malformed request URI: characters such as { and } must be"
                    + " percent-encoded").getResponse());
        }
    }

    private void route(ContainerRequestContext request) {
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
        String query = uri.getRequestUri().getRawQuery();
        if (hasBrace(rest) || hasBrace(query)) {
            throw new IllegalArgumentException("raw brace");
        }
        UriBuilder routed = uri.getBaseUriBuilder()
                .path(rest.equals("/client.js") ? ClientScript.ROOT : BroadcasterEndpoints.ROOT + rest);
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

    private static boolean hasBrace(String text) {
        return text != null && (text.indexOf('{') >= 0 || text.indexOf('}') >= 0);
    }

    private static String stripSlashes(String path) {
        int start = 0;
        while (start < path.length() && path.charAt(start) == '/') {
            start++;
        }
        return path.substring(start);
    }
}
