package dev.broadcaster.internal;

import dev.broadcaster.ChannelInfo;
import dev.broadcaster.ChannelOverloadedException;
import dev.broadcaster.ChannelRegistry;
import dev.broadcaster.MessageTooLargeException;
import dev.broadcaster.RegistryStats;
import dev.broadcaster.SseMessage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;

/**
 * The built-in HTTP API, served under {@code broadcaster.path} (see {@link EndpointRouting}).
 * It calls the same {@link ChannelRegistry} methods an application would (plus the size check that
 * lets a batch be refused before any of it is sent).
 */
@Path(BroadcasterEndpoints.ROOT)
@ApplicationScoped
public class BroadcasterEndpoints extends BuiltInEndpoint {

    /** The fixed path the routing filter maps {@code broadcaster.path} to; not reachable directly. */
    static final String ROOT = "_broadcaster";
    static final String PUBLISHER_ROLE = "broadcaster-publisher";
    static final String ADMIN_ROLE = "broadcaster-admin";

    @GET
    @Path("channels/{channel}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void subscribe(@PathParam("channel") String channel, @HeaderParam("Last-Event-ID") String lastEventId,
                          @QueryParam("lastEventId") String lastEventIdParameter,
                          @QueryParam("history") String historyParameter,
                          @Context SseEventSink sink, @Context Sse sse, @BeanParam EndpointRequest request) {
        request.refuseCrossSiteStream(settings);
        int history = history(historyParameter);
        // Reserved names (prefix "broadcaster:", e.g. the admin feed "broadcaster:admin") are refused by
        // connect with 403 Forbidden, not 400: the name is well-formed, joining it is what is not allowed.
        // The refusal is for every user, admins included (after the usual 401 for anonymous requests):
        // admins join the feed through admin/events, which sends them the current snapshot first.
        registry.connect(channel, request.security(), sink, sse,
                request.streamOptions(lastEventId, lastEventIdParameter).withHistory(history));
    }

    /**
     * The {@code history} query parameter: absent or empty is 0; anything but a whole number from 0 to
     * {@link Integer#MAX_VALUE} is 400 (a JAX-RS {@code int} parameter would make it a 404).
     */
    private static int history(String parameter) {
        if (parameter == null || parameter.isEmpty()) {
            return 0;
        }
        try {
            int history = Integer.parseInt(parameter);
            if (history >= 0) {
                return history;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw Refusals.badRequest("history must be a whole number of events, zero or more");
    }

    @POST
    @Path("channels/{channel}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response publish(@PathParam("channel") String channel, InputStream body,
                            @BeanParam EndpointRequest caller) {
        caller.refuseCrossSiteWrite(settings);
        caller.requireRole(PUBLISHER_ROLE);
        String text = PublishBody.read(caller.header(HttpHeaders.CONTENT_TYPE), caller.declaredLength(), body,
                settings.maxPublishSize());
        checkChannel(channel);
        PublishRequest request;
        try {
            request = PublishRequest.parse(text);
        } catch (IllegalArgumentException e) {
            throw Refusals.badRequest(e.getMessage());
        }
        try {
            request.messages().forEach(registry::requireWithinSizeLimit);
        } catch (MessageTooLargeException e) {
            throw Refusals.tooLarge(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw Refusals.badRequest(e.getMessage());
        }
        int sent = 0;
        try {
            registry.requireFanOutRoom(channel); // a batch is refused whole when the channel is behind already
            for (SseMessage message : request.messages()) {
                sent = Math.max(sent, registry.broadcast(channel, message, request.exclude()));
            }
        } catch (ChannelOverloadedException e) {
            throw Refusals.unavailable(e.getMessage(), e.retryAfter());
        }
        return Response.accepted(Json.createObjectBuilder().add("connections", sent).build().toString())
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    @Path("channels")
    @Produces(MediaType.APPLICATION_JSON)
    public String channels(@BeanParam EndpointRequest request) {
        request.requireRole(ADMIN_ROLE);
        JsonArrayBuilder list = Json.createArrayBuilder();
        registry.channels().forEach(info -> list.add(channelJson(info)));
        return Json.createObjectBuilder().add("channels", list).build().toString();
    }

    @GET
    @Path("channels/{channel}/users")
    @Produces(MediaType.APPLICATION_JSON)
    public String users(@PathParam("channel") String channel, @BeanParam EndpointRequest request) {
        request.requireRole(ADMIN_ROLE);
        checkChannel(channel);
        return Json.createObjectBuilder()
                .add("channel", channel)
                .add("users", strings(registry.users(channel)))
                .add("distinctUsers", strings(registry.distinctUsers(channel)))
                .build().toString();
    }

    @DELETE
    @Path("channels/{channel}")
    @Produces(MediaType.APPLICATION_JSON)
    public String kill(@PathParam("channel") String channel, @BeanParam EndpointRequest request) {
        request.refuseCrossSiteWrite(settings);
        request.requireRole(ADMIN_ROLE);
        checkChannel(channel);
        return Json.createObjectBuilder().add("closed", registry.kill(channel)).build().toString();
    }

    @DELETE
    @Path("channels/{channel}/users/{user}")
    @Produces(MediaType.APPLICATION_JSON)
    public String disconnect(@PathParam("channel") String channel, @PathParam("user") String user,
                             @BeanParam EndpointRequest request) {
        request.refuseCrossSiteWrite(settings);
        request.requireRole(ADMIN_ROLE);
        checkChannel(channel);
        return Json.createObjectBuilder().add("closed", registry.disconnect(channel, user)).build().toString();
    }

    @GET
    @Path("status")
    @Produces(MediaType.APPLICATION_JSON)
    public String status(@BeanParam EndpointRequest request) {
        request.requireRole(ADMIN_ROLE);
        List<ChannelInfo> channels = registry.channels();
        RegistryStats stats = registry.stats();
        JsonObjectBuilder perChannel = Json.createObjectBuilder();
        channels.forEach(info -> perChannel.add(info.name(), Json.createObjectBuilder()
                .add("connections", info.connections()).add("users", info.users())
                .add("history", registry.historySize(info.name()))));
        return StatsJson.addFigures(Json.createObjectBuilder(), stats)
                .add("channels", channels.size())
                .add("perChannel", perChannel)
                .build().toString();
    }

    /** The live admin page: HTML whose script subscribes to {@code admin/events}. */
    @GET
    @Path("admin")
    @Produces(MediaType.TEXT_HTML)
    public Response adminPage(@BeanParam EndpointRequest request) {
        request.requireRole(ADMIN_ROLE);
        return Response.ok(AdminPage.html(), MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .header("Cache-Control", "no-store")
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", "frame-ancestors 'none'") // its buttons must not be framed
                .header("X-Frame-Options", "DENY")
                .build();
    }

    /** The admin feed: event {@code snapshot} (JSON of the whole state) now, then after every change, coalesced. */
    @GET
    @Path("admin/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void adminEvents(@Context SseEventSink sink, @Context Sse sse, @BeanParam EndpointRequest request) {
        request.refuseCrossSiteStream(settings);
        request.requireRole(ADMIN_ROLE);
        registry.connectAdmin(request.security(), sink, sse);
    }

    private static JsonObjectBuilder channelJson(ChannelInfo info) {
        return Json.createObjectBuilder().add("name", info.name())
                .add("connections", info.connections()).add("users", info.users());
    }

    private static JsonArrayBuilder strings(Collection<String> values) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        values.forEach(array::add);
        return array;
    }

    /** A malformed name is 400; a reserved one ({@code broadcaster:…}, the library's own) is 403. */
    private static void checkChannel(String channel) {
        try {
            ChannelNames.require(channel);
        } catch (IllegalArgumentException e) {
            throw Refusals.badRequest(e.getMessage());
        }
        if (ChannelNames.reserved(channel)) {
            throw Refusals.forbidden("Channel " + channel + ": " + ChannelNames.RESERVED_RULE);
        }
    }

}
