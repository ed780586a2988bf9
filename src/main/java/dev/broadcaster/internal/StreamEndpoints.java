package dev.broadcaster.internal;

import dev.broadcaster.ConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.InputStream;
import java.io.StringReader;
import java.util.List;

/**
 * The built-in stream of several channels, {@code GET {base}/stream?channel=a&channel=b}, and the tab count of a
 * stream that {@code client.js} shares between a browser's tabs, {@code POST {base}/stream/tabs}.
 */
@Path(BroadcasterEndpoints.ROOT + "/stream")
@ApplicationScoped
public class StreamEndpoints extends BuiltInEndpoint {

    /** The largest tab-count body read. */
    private static final long MAX_TABS_BODY = 1024;

    /**
     * One stream of the channels named by {@code channel} (repeated, in the stream's order). {@code lastEventId}
     * serves clients that open a new EventSource, which sends no {@code Last-Event-ID}; {@code tabs} and
     * {@code client} are client.js's (how many tabs the stream serves, and the key it reports changes with).
     */
    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void stream(@QueryParam("channel") List<String> channels, @HeaderParam("Last-Event-ID") String lastEventId,
                       @QueryParam("lastEventId") String lastEventIdParameter, @QueryParam("tabs") String tabs,
                       @QueryParam("client") String client, @Context SseEventSink sink, @Context Sse sse,
                       @BeanParam EndpointRequest request) {
        request.refuseCrossSiteStream(settings);
        ConnectOptions options = request.streamOptions(lastEventId, lastEventIdParameter);
        if (client != null || tabs != null) {
            options = options.sharedByTabs(sharedKey(client), tabCount(tabs));
        }
        registry.connect(channels, request.security(), sink, sse, options);
    }

    /**
     * Sets the tab count of the caller's stream shared under {@code client}: JSON {@code {"client":"...","tabs":n}}.
     * 204 when set; 404 if this server has no open stream of this user with that key (it may have just reconnected).
     */
    @POST
    @Path("tabs")
    @Consumes(MediaType.WILDCARD)
    public Response tabs(InputStream body, @BeanParam EndpointRequest request) {
        request.refuseCrossSiteWrite(settings);
        String user = request.user();
        if (user == null && !settings.allowAnonymous()) {
            throw Refusals.unauthenticated();
        }
        String text = PublishBody.read(request.header(HttpHeaders.CONTENT_TYPE), -1, body, MAX_TABS_BODY);
        JsonObject json;
        try {
            JsonValue value = Json.createReader(new StringReader(text)).readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw Refusals.badRequest("Expected {\"client\": \"<key>\", \"tabs\": <count>}");
            }
            json = value.asJsonObject();
        } catch (JsonException e) {
            throw Refusals.badRequest("Expected {\"client\": \"<key>\", \"tabs\": <count>}: not JSON");
        }
        if (!(json.get("client") instanceof JsonString client) || !(json.get("tabs") instanceof JsonNumber count)
                || !count.isIntegral()) {
            throw Refusals.badRequest("Expected {\"client\": \"<key>\", \"tabs\": <count>}");
        }
        String key = sharedKey(client.getString());
        int tabs = tabCount(count.toString());
        boolean set = registry.tabs(user == null ? Admission.ANONYMOUS : user, key, tabs);
        if (!set) {
            throw Refusals.notFound();
        }
        return Response.noContent().build();
    }

    private static String sharedKey(String key) {
        if (key == null || !ConnectOptions.validSharedKey(key)) {
            throw Refusals.badRequest("client must be 16 to " + ConnectOptions.MAX_SHARED_KEY
                    + " letters, digits, '-' or '_'");
        }
        return key;
    }

    /** A tab count: 1 to max-connections-per-user (the connections the shared stream stands for). */
    private int tabCount(String text) {
        int most = settings.maxConnectionsPerUser();
        try {
            int tabs = text == null ? 1 : Integer.parseInt(text);
            if (tabs >= 1 && tabs <= most) {
                return tabs;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw Refusals.badRequest("tabs must be a whole number from 1 to " + most
                + " (broadcaster.max-connections-per-user)");
    }
}
