package dev.broadcaster.bench.servers;

import dev.broadcaster.bench.servers.shared.NaiveChannels;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * The naive target's resource on Jersey: {@code GET /bench/channels/{ch}} and {@code POST /publish/{ch}},
 * both delegating to the application's one {@link NaiveChannels} (bound by {@link NaiveServer}).
 * A singleton, as the broadcasters must outlive a request.
 */
@Singleton
@Path("/")
public class NaiveResource {

    private final NaiveChannels channels;

    @Inject
    public NaiveResource(NaiveChannels channels) {
        this.channels = channels;
    }

    @GET
    @Path("bench/channels/{channel}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void subscribe(@PathParam("channel") String channel, @Context SseEventSink sink, @Context Sse sse) {
        channels.subscribe(channel, sink, sse);
    }

    @POST
    @Path("publish/{channel}")
    @Consumes(MediaType.TEXT_PLAIN)
    public Response publish(@PathParam("channel") String channel, String body, @Context Sse sse) {
        return channels.publish(channel, body, sse);
    }
}
