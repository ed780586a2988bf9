package dev.broadcaster.cluster;

import dev.broadcaster.Broadcast;
import dev.broadcaster.ChannelRegistry;
import dev.broadcaster.SseEvent;
import dev.broadcaster.internal.health.BroadcasterReadinessCheck;
import dev.broadcaster.support.RecordingMetricRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * What the cluster tests do on a node that the built-in endpoints do not: fire the {@code Broadcast} CDI
 * event as an application would, send to one connection, give a channel a presence renderer, read the
 * MicroProfile Health readiness check, the registry's {@code stats()} and, on a node started with
 * {@link ClusterNodeMain#RECORDING_METRICS}, every metric gauge.
 */
@ApplicationScoped
@Path("control")
public class ClusterControl {

    @Inject
    Event<Broadcast> broadcasts;

    @Inject
    ChannelRegistry registry;

    @Inject
    Instance<RecordingMetricRegistry> metrics;

    /** Fires {@code Broadcast} with the body as the data of an unnamed event. */
    @POST
    @Path("broadcast/{channel}")
    public void broadcast(@PathParam("channel") String channel, String data) {
        broadcasts.fire(Broadcast.of(channel, SseEvent.data(data)));
    }

    /** Fires {@code count} {@code Broadcast} events as fast as it can (data {@code <body> <n>}); for the cluster benchmark. */
    @POST
    @Path("burst/{channel}/{count}")
    public void burst(@PathParam("channel") String channel, @PathParam("count") int count, String data) {
        for (int n = 1; n <= count; n++) {
            broadcasts.fire(Broadcast.of(channel, SseEvent.data(data + " " + n)));
        }
    }

    /** Sends the body to one connection, wherever it lives; answers whether it was found. */
    @POST
    @Path("send/{connection}")
    @Produces(MediaType.TEXT_PLAIN)
    public String send(@PathParam("connection") String connection, String data) {
        return Boolean.toString(registry.send(connection, SseEvent.named("direct", data)));
    }

    /** The position of the channels named by {@code channel}: one's id, or the stream id of several. */
    @GET
    @Path("position")
    @Produces(MediaType.TEXT_PLAIN)
    public String position(@jakarta.ws.rs.QueryParam("channel") java.util.List<String> channels) {
        return channels.size() == 1 ? registry.position(channels.get(0)) : registry.position(channels);
    }

    /** Gives the channel a presence renderer: a named event {@code presence} whose data is the users, comma-separated. */
    @POST
    @Path("presence/{channel}")
    public void presence(@PathParam("channel") String channel) {
        registry.create(channel, (name, users) -> SseEvent.named("presence", String.join(",", users)));
    }

    /** The readiness check's status and data, e.g. {@code DOWN {cluster=backplane unavailable, ...}}. */
    @GET
    @Path("ready")
    @Produces(MediaType.TEXT_PLAIN)
    public String ready() {
        HealthCheckResponse response = new BroadcasterReadinessCheck().call();
        return response.getStatus() + " " + response.getData().map(Object::toString).orElse("");
    }

    /** The channel's distinct users as the registry lists them, comma-separated. */
    @GET
    @Path("users/{channel}")
    @Produces(MediaType.TEXT_PLAIN)
    public String users(@PathParam("channel") String channel) {
        return String.join(",", registry.distinctUsers(channel));
    }

    /** The registry's {@code stats()}, as the record prints itself. */
    @GET
    @Path("stats")
    @Produces(MediaType.TEXT_PLAIN)
    public String stats() {
        return registry.stats().toString();
    }

    /** Calls {@code stats()} {@code count} times in a row; answers the median time of one call, in microseconds. */
    @GET
    @Path("stats/time/{count}")
    @Produces(MediaType.TEXT_PLAIN)
    public String timeStats(@PathParam("count") int count) {
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            registry.stats();
            nanos[i] = System.nanoTime() - start;
        }
        java.util.Arrays.sort(nanos);
        return Long.toString(nanos[count / 2] / 1000);
    }

    /** Reads every metric gauge once, as a scrape does: {@code name=value} lines. 404 without a metric registry. */
    @GET
    @Path("scrape")
    @Produces(MediaType.TEXT_PLAIN)
    public String scrape() {
        if (!metrics.isResolvable()) {
            throw new NotFoundException("no metric registry on this node");
        }
        StringBuilder text = new StringBuilder();
        metrics.get().scrape().forEach((name, value) -> text.append(name).append('=').append(value).append('\n'));
        return text.toString();
    }
}
