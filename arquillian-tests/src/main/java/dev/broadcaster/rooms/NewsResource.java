package dev.broadcaster.rooms;

import dev.broadcaster.ChannelRegistry;
import dev.broadcaster.SameOrigin;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * A news ticker written as JAX-RS code for {@code sse.newBroadcaster()} is, moved to the library by one line: its
 * broadcaster is {@code registry.broadcaster("news")}, a view of the channel {@code news}, so its streams are that
 * channel's connections (the request's user, resume with {@code Last-Event-ID}, eviction, the cluster).
 */
@Path("news")
@ApplicationScoped
public class NewsResource {

    @Inject
    ChannelRegistry registry;

    private SseBroadcaster broadcaster;

    @PostConstruct
    void init() {
        broadcaster = registry.broadcaster("news"); // was: sse.newBroadcaster()
    }

    /** The ticker's stream. */
    @GET
    @SameOrigin
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void subscribe(@Context SseEventSink sink) {
        broadcaster.register(sink);
    }

    /** Publishes one headline (plain text) to every stream of the ticker, for publishers; 202 once it is queued. */
    @POST
    @SameOrigin
    @Consumes(MediaType.TEXT_PLAIN)
    public Response publish(String headline, @Context Sse sse, @Context SecurityContext security) {
        if (!security.isUserInRole("broadcaster-publisher")) {
            return Response.status(Response.Status.FORBIDDEN).type(MediaType.TEXT_PLAIN)
                    .entity("only publishers may publish headlines").build();
        }
        broadcaster.broadcast(sse.newEventBuilder().name("headline").data(headline).build());
        return Response.accepted().build();
    }
}
