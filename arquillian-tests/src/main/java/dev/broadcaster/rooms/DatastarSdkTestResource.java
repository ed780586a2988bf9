package dev.broadcaster.rooms;

import dev.broadcaster.SseMessage;
import dev.broadcaster.internal.PublishRequest;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * The server side of the official Datastar SDK test suite: reads the test input (the {@code datastar}
 * query parameter for GET, the JSON body otherwise), sends each entry of {@code events} in order
 * and ends the response. No comments or heartbeats, so the output holds only the events under test.
 */
@Path("datastar-sdk/test")
public class DatastarSdkTestResource {

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void get(@QueryParam("datastar") String input, @Context SseEventSink sink, @Context Sse sse) {
        send(input, sink, sse);
    }

    @POST
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void post(String body, @Context SseEventSink sink, @Context Sse sse) {
        send(body, sink, sse);
    }

    @PUT
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void put(String body, @Context SseEventSink sink, @Context Sse sse) {
        send(body, sink, sse);
    }

    @PATCH
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void patch(String body, @Context SseEventSink sink, @Context Sse sse) {
        send(body, sink, sse);
    }

    /** DELETE: the JSON body, or the {@code datastar} query parameter (some servers drop DELETE bodies). */
    @DELETE
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void delete(String body, @QueryParam("datastar") String query, @Context SseEventSink sink,
                       @Context Sse sse) {
        send(body == null || body.isBlank() ? query : body, sink, sse);
    }

    private static void send(String input, SseEventSink sink, Sse sse) {
        List<SseMessage> messages = parse(input);
        try (sink) {
            for (SseMessage message : messages) {
                sink.send(message.toEvent().toOutbound(sse)).toCompletableFuture().join();
            }
        }
    }

    private static List<SseMessage> parse(String input) {
        if (input == null || input.isBlank()) {
            throw new BadRequestException("expected the test input as JSON");
        }
        JsonObject root;
        try {
            root = Json.createReader(new StringReader(input)).readObject();
        } catch (JsonException e) {
            throw new BadRequestException("the test input is not a JSON object: " + e.getMessage());
        }
        JsonValue events = root.get("events");
        if (!(events instanceof JsonArray array)) {
            throw new BadRequestException("the test input needs an \"events\" array");
        }
        List<SseMessage> messages = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            try {
                messages.add(PublishRequest.message(array.getJsonObject(i), "events[" + i + "]"));
            } catch (IllegalArgumentException | ClassCastException e) {
                throw new BadRequestException(e.getMessage());
            }
        }
        return messages;
    }
}
