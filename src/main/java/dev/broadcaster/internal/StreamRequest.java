package dev.broadcaster.internal;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.core.SecurityContext;

/**
 * What a {@link ChannelSseBroadcaster broadcaster view} needs of the request that opens a stream, which
 * {@code SseBroadcaster.register(sink)} does not pass: its security context, its {@code Last-Event-ID} header and
 * its client address. Captured by {@link StreamRequestFilter} for resource methods producing
 * {@code text/event-stream}; empty (anonymous, no resume) otherwise.
 */
@RequestScoped
public class StreamRequest {

    private SecurityContext security;
    private String lastEventId;
    private String clientAddress;

    void capture(SecurityContext requestSecurity, String requestLastEventId, String requestClientAddress) {
        security = requestSecurity;
        lastEventId = requestLastEventId;
        clientAddress = requestClientAddress;
    }

    SecurityContext security() {
        return security;
    }

    String lastEventId() {
        return lastEventId;
    }

    String clientAddress() {
        return clientAddress;
    }
}
