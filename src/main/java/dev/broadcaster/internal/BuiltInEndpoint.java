package dev.broadcaster.internal;

import dev.broadcaster.ConnectOptions;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;

/**
 * What the built-in endpoints ({@link BroadcasterEndpoints}, {@link StreamEndpoints}) share: the registry, the
 * settings and the request, the cross-site refusals of a write and of a stream (see {@link CrossSiteCheck}), and
 * how a stream's request is read into {@link ConnectOptions}.
 */
abstract class BuiltInEndpoint {

    @Inject
    DefaultChannelRegistry registry;

    @Inject
    BroadcasterSettings settings;

    @Context
    SecurityContext security;

    @Context
    HttpHeaders headers;

    @Context
    UriInfo uri;

    /** 403 for a POST or DELETE another site's page sent (CSRF). */
    void refuseCrossSiteWrite() {
        new CrossSiteCheck(settings.allowedOrigins()).requireSameOriginWrite(headers::getHeaderString, uri.getBaseUri());
    }

    /** 403 for a stream opened by a tag or another site (joining the user to a channel). */
    void refuseCrossSiteStream() {
        new CrossSiteCheck(settings.allowedOrigins()).requireSameOriginStream(headers::getHeaderString, uri.getBaseUri());
    }

    /**
     * A stream's options: it resumes after the {@code Last-Event-ID} header, or when that is absent or empty after
     * the {@code lastEventId} query parameter (for clients that open a new EventSource, which sends no header); an
     * anonymous client is counted against {@code broadcaster.max-connections-per-user} by its address.
     */
    ConnectOptions streamOptions(String lastEventIdHeader, String lastEventIdParameter) {
        String resumeAfter = lastEventIdHeader != null && !lastEventIdHeader.isEmpty() ? lastEventIdHeader
                : lastEventIdParameter;
        return ConnectOptions.resumingFrom(resumeAfter)
                .withClientAddress(Admission.anonymous(security) ? ClientAddresses.current() : null);
    }
}
