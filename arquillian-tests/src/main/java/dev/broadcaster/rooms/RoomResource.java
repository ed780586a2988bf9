package dev.broadcaster.rooms;

import dev.broadcaster.ChannelAuthorizer;
import dev.broadcaster.ChannelRegistry;
import dev.broadcaster.ConnectOptions;
import dev.broadcaster.MessageTooLargeException;
import dev.broadcaster.internal.PublishRules;
import dev.broadcaster.SameOrigin;
import dev.broadcaster.datastar.Signals;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.InputStream;
import java.util.List;

/**
 * A room: its two pages, its event stream (with presence and resume) and its message posting.
 *
 * <p>Every endpoint first checks the room: a name that is not a channel name anybody could join is 404 (so
 * no page is ever rendered for it), and a room the {@link ChannelAuthorizer} does not let the user join
 * ({@code private-<someone else>}) is 403 for its pages and its posts, as it is for its stream.
 */
@Path("rooms/{room}")
@RequestScoped
public class RoomResource {

    @Inject
    ChannelRegistry registry;

    @Inject
    ChannelAuthorizer authorizer;

    @Inject
    Rooms rooms;

    @EJB
    ChatService chat;

    @Context
    SecurityContext security;

    @PathParam("room")
    String room;

    @Context
    HttpServletRequest request;

    /** The room as a Datastar page. */
    @GET
    @Produces(MediaType.TEXT_HTML)
    public String datastarPage() {
        return page(Pages::datastarRoom);
    }

    /** The room as an htmx page. */
    @GET
    @Path("htmx")
    @Produces(MediaType.TEXT_HTML)
    public String htmxPage() {
        return page(Pages::htmxRoom);
    }

    /** The room as an htmx 4 page. */
    @GET
    @Path("htmx4")
    @Produces(MediaType.TEXT_HTML)
    public String htmx4Page() {
        return page(Pages::htmx4Room);
    }

    /** The room as an htmx page whose stream the browser's tabs share (the library's client script). */
    @GET
    @Path("shared")
    @Produces(MediaType.TEXT_HTML)
    public String sharedPage() {
        return page(Pages::htmxShared);
    }

    /** A page of the room the user may join, rendered with its message count and its stream's position. */
    private String page(Page page) {
        requireMember();
        long count = rooms.messageCount(room);
        return page.render(request.getContextPath(), room, user(), count, streamPosition());
    }

    /** One of {@link Pages}' room pages. */
    private interface Page {
        String render(String contextPath, String room, String user, long count, String position);
    }

    private String user() {
        return security.getUserPrincipal() == null ? "nobody" : security.getUserPrincipal().getName();
    }

    /** The room's own stream: presence on join and leave, and every event missed since {@code Last-Event-ID}. */
    @GET
    @Path("events")
    @SameOrigin // a cross-site <img> or <script> must not join the signed-in victim to the room
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@HeaderParam("Last-Event-ID") String lastEventId,
                       @QueryParam("lastEventId") String lastEventIdParameter,
                       @Context SseEventSink sink, @Context Sse sse) {
        requireRoom();
        // the registry asks the ChannelAuthorizer itself (403)
        registry.connect(room, security, sink, sse, streamOptions(lastEventId, lastEventIdParameter));
    }

    /**
     * The pages' one stream: the room (presence on join and leave) and the user's notifications channel
     * ({@code private-<user>}), and every event of both missed since {@code Last-Event-ID}. The pages render their
     * state with the stream's position ({@link #streamPosition}) and open the stream from it, so nothing published
     * between the page and its stream is lost. {@code tabs} and {@code client}: a stream that client.js shares
     * between tabs.
     */
    @GET
    @Path("stream")
    @SameOrigin
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void stream(@HeaderParam("Last-Event-ID") String lastEventId,
                       @QueryParam("lastEventId") String lastEventIdParameter,
                       @QueryParam("tabs") @DefaultValue("1") String tabs, @QueryParam("client") String client,
                       @Context SseEventSink sink, @Context Sse sse) {
        requireRoom();
        ConnectOptions options = streamOptions(lastEventId, lastEventIdParameter);
        try {
            options = client == null ? options : options.sharedByTabs(client, Math.min(Integer.parseInt(tabs), 32));
        } catch (IllegalArgumentException e) { // a NumberFormatException too
            throw refusal(Response.Status.BAD_REQUEST, e.getMessage());
        }
        // the registry asks the ChannelAuthorizer itself, for each channel (403)
        registry.connect(streamChannels(), security, sink, sse, options);
    }

    /**
     * A stream's options: the room's presence, and resuming after the {@code Last-Event-ID} header or, when that is
     * absent or empty, after the {@code lastEventId} query parameter (a client that opens a new EventSource puts
     * its last id in the URL: a new EventSource sends no {@code Last-Event-ID}).
     */
    private ConnectOptions streamOptions(String lastEventIdHeader, String lastEventIdParameter) {
        String resumeAfter = lastEventIdHeader != null && !lastEventIdHeader.isEmpty() ? lastEventIdHeader
                : lastEventIdParameter;
        return ConnectOptions.resumingFrom(resumeAfter).withPresence(rooms.presence());
    }

    /** The channels of a room page's stream: the room, then the user's notifications. */
    private List<String> streamChannels() {
        String notifications = Rooms.notifications(user());
        return room.equals(notifications) ? List.of(room) : List.of(room, notifications);
    }

    /** The position a page renders with: its stream resumes from it. */
    private String streamPosition() {
        return registry.position(streamChannels());
    }

    /** Posts a message from the htmx page's form ({@code text=...}). */
    @POST
    @Path("messages")
    @SameOrigin
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response postForm(@FormParam("text") String text, @QueryParam("rollback") boolean rollback) {
        return post(text, rollback);
    }

    /** Posts a message from the Datastar page, whose signals arrive as JSON ({@code {"text": ...}}). */
    @POST
    @Path("messages")
    @SameOrigin
    @Consumes(MediaType.APPLICATION_JSON)
    public Response postJson(InputStream body, @QueryParam("rollback") boolean rollback) {
        JsonObject signals = Signals.fromBody(body);
        return post(signals.get("text") instanceof JsonString text ? text.getString() : null, rollback);
    }

    /**
     * Posts through the EJB. A message too large to broadcast fails inside its transaction (the library checks
     * the size when the event is fired), so the transaction rolls back, nothing is sent and the count does
     * not move: 413.
     */
    private Response post(String text, boolean rollback) {
        requireMember();
        if (text == null || text.isBlank()) {
            throw refusal(Response.Status.BAD_REQUEST, "text is required");
        }
        String user = user();
        if (rollback) {
            chat.postAndRollBack(room, user, text);
            return Response.noContent().header("X-Rolled-Back", "true").build();
        }
        long count;
        try {
            count = chat.post(room, user, text);
        } catch (MessageTooLargeException e) {
            // an application exception with rollback (WEB-INF/ejb-jar.xml): it arrives unwrapped, nothing logged
            throw refusal(Response.Status.REQUEST_ENTITY_TOO_LARGE, "The message is too large to send: " + e.getMessage());
        }
        return Response.noContent().header("X-Message-Count", count).build();
    }

    /** 404 unless the room is a channel somebody could join (letters, digits and {@code -_.:@}, not reserved). */
    private void requireRoom() {
        try {
            PublishRules.requireJoinableChannel(room);
        } catch (IllegalArgumentException e) {
            // the name is not echoed back
            throw refusal(Response.Status.NOT_FOUND, "No such room: a room's name is 1 to 128 letters, digits and"
                    + " - _ . : @, not starting with broadcaster:");
        }
    }

    /** {@link #requireRoom}, then 403 unless the {@link ChannelAuthorizer} lets the user join the room. */
    private void requireMember() {
        requireRoom();
        if (!authorizer.mayJoin(room, user(), security)) {
            throw refusal(Response.Status.FORBIDDEN, "Not allowed in room " + room);
        }
    }

    private static WebApplicationException refusal(Response.Status status, String reason) {
        return new WebApplicationException(reason, Response.status(status)
                .type(MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8")).entity(reason + "\n").build());
    }
}
