package dev.broadcaster.bench.servers.shared;

import dev.broadcaster.Broadcast;
import dev.broadcaster.SseEvent;
import jakarta.enterprise.event.Event;
import jakarta.ws.rs.core.Response;

/**
 * The library target's publish: the body becomes a data-only {@link SseEvent} sent to the channel
 * with a synchronous {@code Event<Broadcast>.fire}. Outside a JTA transaction the library's
 * {@code AFTER_SUCCESS} observer runs at once, inside {@code fire}, so the timed call covers
 * encoding the frame and queueing it to every connection of the channel (never the socket writes).
 */
public final class LibraryPublishing {

    private LibraryPublishing() {
    }

    /**
     * Fires the broadcast and answers as {@link PublishTiming#timed}; an invalid channel name or body
     * (e.g. empty) is a {@code 400} with the library's message.
     */
    public static Response publish(Event<Broadcast> broadcasts, String channel, String body) {
        try {
            Broadcast broadcast = Broadcast.of(channel, SseEvent.data(body));
            return PublishTiming.timed(() -> broadcasts.fire(broadcast));
        } catch (IllegalArgumentException e) {
            return Response.status(Response.Status.BAD_REQUEST).type("text/plain").entity(e.getMessage()).build();
        }
    }
}
