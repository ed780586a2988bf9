package dev.broadcaster.rooms;

import dev.broadcaster.SseMessage;
import dev.broadcaster.internal.PublishRequest;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
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
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The server side of the official Datastar SDK test suite: reads the test input (the {@code datastar}
 * query parameter for GET, the JSON body otherwise), sends each entry of {@code events} in order
 * and ends the response. No comments or heartbeats, so the output holds only the events under test.
 *
 * <p>Any signed-in user may call it ({@code web.xml}); the input is at most {@value #MAX_INPUT_BYTES} bytes
 * (413 above). The request thread only reads and parses the input: the events are sent from the server's
 * managed executor, each send started when the previous one completed (nothing waits on a client that does
 * not read), and the response is closed when all were sent or after {@link #DEADLINE}, whichever comes first.
 */
@Path("datastar-sdk/test")
@ApplicationScoped
public class DatastarSdkTestResource {

    /** The largest test input accepted (the official cases are a few hundred bytes). */
    static final int MAX_INPUT_BYTES = 1024 * 1024;
    /** How long a response may take to be sent before it is closed. */
    static final Duration DEADLINE = Duration.ofSeconds(10);

    private static final System.Logger LOG = System.getLogger(DatastarSdkTestResource.class.getName());

    @Resource
    ManagedScheduledExecutorService executor;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void get(@QueryParam("datastar") String input, @Context SseEventSink sink, @Context Sse sse) {
        send(bounded(input), sink, sse);
    }

    @POST
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void post(InputStream body, @Context SseEventSink sink, @Context Sse sse) {
        send(read(body), sink, sse);
    }

    @PUT
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void put(InputStream body, @Context SseEventSink sink, @Context Sse sse) {
        send(read(body), sink, sse);
    }

    @PATCH
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void patch(InputStream body, @Context SseEventSink sink, @Context Sse sse) {
        send(read(body), sink, sse);
    }

    /** DELETE: the JSON body, or the {@code datastar} query parameter (some servers drop DELETE bodies). */
    @DELETE
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void delete(InputStream body, @QueryParam("datastar") String query, @Context SseEventSink sink,
                       @Context Sse sse) {
        String text = read(body);
        send(text.isBlank() ? bounded(query) : text, sink, sse);
    }

    /** Parses on the request thread (a bad input is a 400 before any byte of the stream), sends off it. */
    private void send(String input, SseEventSink sink, Sse sse) {
        List<OutboundSseEvent> events = parse(input).stream().map(message -> message.toEvent().toOutbound(sse)).toList();
        CompletableFuture<Object> sent = CompletableFuture.completedFuture(null);
        for (OutboundSseEvent event : events) {
            sent = sent.thenComposeAsync(previous -> sink.send(event).thenApply(done -> done), executor);
        }
        ScheduledFuture<?> deadline = executor.schedule(() -> close(sink), DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        sent.whenCompleteAsync((ignored, failure) -> {
            deadline.cancel(false);
            close(sink);
        }, executor);
    }

    private static void close(SseEventSink sink) {
        try {
            sink.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Closing a Datastar SDK test response failed", e);
        }
    }

    /** The body as UTF-8 text, refused with 413 past {@link #MAX_INPUT_BYTES} (never read further). */
    private static String read(InputStream body) {
        if (body == null) {
            return "";
        }
        try {
            byte[] bytes = body.readNBytes(MAX_INPUT_BYTES + 1);
            if (bytes.length > MAX_INPUT_BYTES) {
                throw tooLarge();
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadRequestException(refusal(Response.Status.BAD_REQUEST, "could not read the body"));
        }
    }

    private static String bounded(String input) {
        if (input != null && input.length() > MAX_INPUT_BYTES) {
            throw tooLarge();
        }
        return input;
    }

    private static WebApplicationException tooLarge() {
        return new WebApplicationException(refusal(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                "the test input is larger than " + MAX_INPUT_BYTES + " bytes"));
    }

    private static Response refusal(Response.Status status, String reason) {
        return Response.status(status).type(MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8")).entity(reason + "\n").build();
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
