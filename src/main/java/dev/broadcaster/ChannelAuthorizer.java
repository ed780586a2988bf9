package dev.broadcaster;

import jakarta.ws.rs.core.SecurityContext;

/**
 * Decides who may subscribe to which channel. Declare one CDI bean implementing it to replace the
 * default, which lets any authenticated user join any channel. A refused subscription gets
 * 403 Forbidden and no stream.
 *
 * <pre>{@code
 * @ApplicationScoped
 * public class RoomAuthorizer implements ChannelAuthorizer {
 *     public boolean mayJoin(String channel, String user, SecurityContext security) {
 *         return !channel.startsWith("admin-") || security.isUserInRole("admin");
 *     }
 * }
 * }</pre>
 */
@FunctionalInterface
public interface ChannelAuthorizer {

    /**
     * Whether {@code user} (the principal's name) may receive the events of {@code channel}.
     * {@code security} is the subscribing request's security context, for role checks.
     */
    boolean mayJoin(String channel, String user, SecurityContext security);
}
