package dev.broadcaster;

import java.time.Instant;

/**
 * One open SSE stream: its id (for {@link ChannelRegistry#send} and {@link Broadcast#excluding}),
 * its channel, the user it belongs to and when it opened.
 */
public record ConnectionInfo(String id, String channel, String user, Instant connectedAt) {
}
