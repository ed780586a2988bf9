package dev.broadcaster;

import dev.broadcaster.internal.PublishRules;
import java.util.Objects;

/**
 * A CDI event that closes connections: every connection of {@code user} on {@code channel}, or, when
 * {@code user} is {@code null}, every connection of the channel (kill). Presence is updated after.
 *
 * <pre>{@code
 * disconnects.fire(Disconnect.user("room-42", "bob"));   // bob was removed from the room
 * disconnects.fire(Disconnect.everyone("room-42"));     // the room was deleted
 * }</pre>
 *
 * Like {@link Broadcast}, it is checked where it is created, so that a mistake fails for the code that fires it
 * rather than after the commit: a channel nobody can join (not a valid channel name, or reserved
 * {@code broadcaster:…}) is an {@link IllegalArgumentException}.
 */
public record Disconnect(String channel, String user) {

    /** @throws IllegalArgumentException if nobody can ever join {@code channel} */
    public Disconnect {
        Objects.requireNonNull(channel, "channel");
        PublishRules.requireJoinableChannel(channel);
    }

    /** Closes all of {@code user}'s connections (every tab) on {@code channel}. */
    public static Disconnect user(String channel, String user) {
        return new Disconnect(channel, Objects.requireNonNull(user, "user"));
    }

    /** Closes every connection of {@code channel}, which then disappears. */
    public static Disconnect everyone(String channel) {
        return new Disconnect(channel, null);
    }
}
