package dev.broadcaster.internal;

import dev.broadcaster.ConnectOptions;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;

/**
 * One call of a built-in endpoint as the endpoint reads it: who sent it, its headers and its URI. A
 * {@code @BeanParam}, made for each call and kept by nobody, so that the endpoints themselves are application-scoped:
 * a request-scoped endpoint (its CDI instance and the container's proxies for its {@code @Context} fields) lived as
 * long as each stream it opened, 0.9-1.4 KiB per open stream ({@code benchmarks/PROFILE.md}).
 */
public class EndpointRequest {

    @Context
    SecurityContext security;

    @Context
    HttpHeaders headers;

    @Context
    UriInfo uri;

    /** 403 for a POST or DELETE another site's page sent (CSRF). */
    void refuseCrossSiteWrite(BroadcasterSettings settings) {
        new CrossSiteCheck(settings.allowedOrigins()).requireSameOriginWrite(headers::getHeaderString, uri.getBaseUri());
    }

    /** 403 for a stream opened by a tag or another site (joining the user to a channel). */
    void refuseCrossSiteStream(BroadcasterSettings settings) {
        new CrossSiteCheck(settings.allowedOrigins()).requireSameOriginStream(headers::getHeaderString, uri.getBaseUri());
    }

    /** 401 for an anonymous caller, 403 for one without {@code role}. */
    void requireRole(String role) {
        if (security.getUserPrincipal() == null) {
            throw Refusals.unauthenticated();
        }
        if (!security.isUserInRole(role)) {
            throw Refusals.forbidden("Requires role " + role);
        }
    }

    /** The caller's name, or null when anonymous. */
    String user() {
        return Admission.anonymous(security) ? null : security.getUserPrincipal().getName();
    }

    SecurityContext security() {
        return security;
    }

    /** The header's value (several joined by commas), or null. */
    String header(String name) {
        return headers.getHeaderString(name);
    }

    /** The declared {@code Content-Length}, or -1 (absent, chunked or unreadable). */
    long declaredLength() {
        try {
            String length = headers.getHeaderString(HttpHeaders.CONTENT_LENGTH);
            return length == null ? -1 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
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
