package dev.broadcaster.internal;

import dev.broadcaster.ChannelAuthorizer;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;

/**
 * Decides whether a subscription may open: a well-formed channel name (else 400), a user from the
 * container's security context (else 401, unless anonymous access is on), a name outside the reserved
 * {@value ChannelNames#RESERVED_PREFIX} prefix (else 403, for every user: the admin feed is joined only
 * through its own admin-only endpoint) and the {@link ChannelAuthorizer}'s consent (else 403). Checked on
 * every connect, so also on every reconnect.
 */
final class Admission {

    static final String ANONYMOUS = "anonymous";

    private final ChannelAuthorizer authorizer;
    private final boolean allowAnonymous;

    Admission(ChannelAuthorizer authorizer, boolean allowAnonymous) {
        this.authorizer = authorizer;
        this.allowAnonymous = allowAnonymous;
    }

    /**
     * The admission of an application whose {@link ChannelAuthorizer} beans are {@code authorizers}: none lets
     * everyone join; more than one is a deployment error.
     */
    static Admission of(Instance<ChannelAuthorizer> authorizers, boolean allowAnonymous) {
        if (authorizers.isAmbiguous()) {
            throw new IllegalStateException("More than one ChannelAuthorizer bean: declare exactly one");
        }
        ChannelAuthorizer authorizer = authorizers.isUnsatisfied() ? (channel, user, security) -> true
                : authorizers.get();
        return new Admission(authorizer, allowAnonymous);
    }

    /** The user subscribing to {@code channel}; throws the HTTP error that refuses it otherwise. */
    String admit(String channel, SecurityContext security) {
        try {
            ChannelNames.require(channel);
        } catch (IllegalArgumentException e) {
            throw Refusals.badRequest(e.getMessage());
        }
        String user = userOf(security);
        if (ChannelNames.reserved(channel)) {
            throw Refusals.forbidden("Not allowed to join channel " + channel + ": " + ChannelNames.RESERVED_RULE);
        }
        if (!authorizer.mayJoin(channel, user, security)) {
            throw Refusals.forbidden("Not allowed to join channel " + channel);
        }
        return user;
    }

    /** Whether a subscription with {@code security} is an anonymous client (no principal). */
    static boolean anonymous(SecurityContext security) {
        Principal principal = security == null ? null : security.getUserPrincipal();
        return principal == null || principal.getName() == null || principal.getName().isEmpty();
    }

    private String userOf(SecurityContext security) {
        if (!anonymous(security)) {
            return security.getUserPrincipal().getName();
        }
        if (allowAnonymous) {
            return ANONYMOUS;
        }
        throw Refusals.unauthenticated();
    }

}
