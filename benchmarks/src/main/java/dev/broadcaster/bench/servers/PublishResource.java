package dev.broadcaster.bench.servers;

import dev.broadcaster.Broadcast;
import dev.broadcaster.bench.servers.shared.LibraryPublishing;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /publish/{channel}} of {@link LibraryServer}: the text/plain body is broadcast to the
 * channel through {@code Event<Broadcast>.fire} ({@link LibraryPublishing}); answers 204 with
 * {@code X-Publish-Nanos}. A CDI bean (added to Weld explicitly), so that {@code Event} is injected.
 */
@ApplicationScoped
@Path("publish/{channel}")
public class PublishResource {

    @Inject
    Event<Broadcast> broadcasts;

    @POST
    @Consumes(MediaType.TEXT_PLAIN)
    public Response publish(@PathParam("channel") String channel, String body) {
        return LibraryPublishing.publish(broadcasts, channel, body);
    }
}
