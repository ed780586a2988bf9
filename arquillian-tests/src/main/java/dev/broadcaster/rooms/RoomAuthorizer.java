package dev.broadcaster.rooms;

import dev.broadcaster.ChannelAuthorizer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.SecurityContext;

/** Any signed-in user may join a room, except {@code private-<user>} rooms, which are for that user alone. */
@ApplicationScoped
public class RoomAuthorizer implements ChannelAuthorizer {

    @Override
    public boolean mayJoin(String channel, String user, SecurityContext security) {
        return !channel.startsWith("private-") || channel.equals("private-" + user);
    }
}
