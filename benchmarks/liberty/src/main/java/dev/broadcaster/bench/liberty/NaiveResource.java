package dev.broadcaster.bench.liberty;

import dev.broadcaster.bench.servers.shared.NaiveChannels;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
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
 * The naive target on Liberty, base {@code /bench/api/naive/}: {@code GET bench/channels/{ch}} and
 * {@code POST publish/{ch}}, the same {@link NaiveChannels} code as the in-process {@code NaiveServer}.
 * {@code @ApplicationScoped}, so one instance holds the broadcasters; it closes them when the application
 * stops, otherwise open streams hold Liberty's quiesce for 30 s.
 */
@ApplicationScoped
@Path("naive")
public class NaiveResource {

    private final NaiveChannels channels = new NaiveChannels();

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

    @PreDestroy
    void close() {
        channels.close();
    }
}
