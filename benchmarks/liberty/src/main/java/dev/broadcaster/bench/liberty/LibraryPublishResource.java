package dev.broadcaster.bench.liberty;

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
 * {@code POST /bench/api/lib/publish/{channel}}: the library target's publish, the same as the in-process
 * {@code PublishResource} ({@link LibraryPublishing}: {@code Event<Broadcast>.fire} of a data-only event,
 * 204 with {@code X-Publish-Nanos}). No JTA transaction is active in a plain JAX-RS resource, so the
 * library's {@code AFTER_SUCCESS} observer runs inside {@code fire}.
 */
@ApplicationScoped
@Path("lib/publish/{channel}")
public class LibraryPublishResource {

    @Inject
    Event<Broadcast> broadcasts;

    @POST
    @Consumes(MediaType.TEXT_PLAIN)
    public Response publish(@PathParam("channel") String channel, String body) {
        return LibraryPublishing.publish(broadcasts, channel, body);
    }
}
