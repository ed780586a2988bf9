package dev.broadcaster.rooms;

import dev.broadcaster.ChannelRegistry;
import dev.broadcaster.ConnectOptions;
import dev.broadcaster.SameOrigin;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.StringReader;

/** A room: its two pages, its event stream (with presence and resume) and its message posting. */
@Path("rooms/{room}")
@RequestScoped
public class RoomResource {

    @Inject
    ChannelRegistry registry;

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
        return Pages.datastarRoom(request.getContextPath(), room, user(), rooms.messageCount(room));
    }

    /** The room as an htmx page. */
    @GET
    @Path("htmx")
    @Produces(MediaType.TEXT_HTML)
    public String htmxPage() {
        return Pages.htmxRoom(request.getContextPath(), room, user(), rooms.messageCount(room));
    }

    private String user() {
        return security.getUserPrincipal() == null ? "nobody" : security.getUserPrincipal().getName();
    }

    /** The room's stream: presence on join and leave, and every event missed since {@code Last-Event-ID}. */
    @GET
    @Path("events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@HeaderParam("Last-Event-ID") String lastEventId,
                       @QueryParam("lastEventId") String lastEventIdParameter,
                       @Context SseEventSink sink, @Context Sse sse) {
        // the header wins; the htmx page puts its last id in the URL for when htmx-ext-sse opens a new
        // EventSource after a refused reconnect (a new EventSource sends no Last-Event-ID)
        String resumeAfter = lastEventId != null && !lastEventId.isEmpty() ? lastEventId : lastEventIdParameter;
        registry.connect(room, security, sink, sse,
                ConnectOptions.resumingFrom(resumeAfter).withPresence(rooms.presence()));
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
    public Response postJson(String body, @QueryParam("rollback") boolean rollback) {
        JsonObject signals = Json.createReader(new StringReader(body)).readObject();
        return post(signals.get("text") instanceof JsonString text ? text.getString() : null, rollback);
    }

    private Response post(String text, boolean rollback) {
        if (text == null || text.isBlank()) {
            throw new BadRequestException("text is required");
        }
        String user = user();
        if (rollback) {
            chat.postAndRollBack(room, user, text);
            return Response.noContent().header("X-Rolled-Back", "true").build();
        }
        long count = chat.post(room, user, text);
        return Response.noContent().header("X-Message-Count", count).build();
    }
}
