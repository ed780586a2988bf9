package dev.broadcaster.rooms;

import dev.broadcaster.datastar.Signals;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonObject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The server side of the official Datastar SDK test suite: reads the test input as the page's signals
 * ({@link Signals}: the {@code datastar} query parameter for GET and DELETE, the JSON body otherwise), sends each
 * entry of {@code events} in order and ends the response. No comments or heartbeats, so the output holds only the
 * events under test.
 *
 * <p>Any signed-in user may call it ({@code web.xml}); the input is at most {@value #MAX_INPUT_BYTES} bytes
 * (413 above; malformed input is 400). The request thread only reads and parses the input: the events are sent
 * from the server's managed executor, each send started when the previous one completed (nothing waits on a client
 * that does not read), and the response is closed when all were sent or after {@link #DEADLINE}, whichever comes
 * first.
 */
@Path("datastar-sdk/test")
@ApplicationScoped
public class DatastarSdkTestResource {

    /** The largest test input accepted (the official cases are a few hundred bytes). */
    static final int MAX_INPUT_BYTES = Signals.MAX_BYTES;
    /** How long a response may take to be sent before it is closed. */
    static final Duration DEADLINE = Duration.ofSeconds(10);

    private static final System.Logger LOG = System.getLogger(DatastarSdkTestResource.class.getName());

    @Resource
    ManagedScheduledExecutorService executor;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void get(@Context UriInfo uriInfo, @Context SseEventSink sink, @Context Sse sse) {
        send(Signals.fromQuery(uriInfo), sink, sse);
    }

    @POST
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void post(InputStream body, @Context SseEventSink sink, @Context Sse sse) {
        send(Signals.fromBody(body), sink, sse);
    }

    @PUT
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void put(InputStream body, @Context SseEventSink sink, @Context Sse sse) {
        send(Signals.fromBody(body), sink, sse);
    }

    @PATCH
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void patch(InputStream body, @Context SseEventSink sink, @Context Sse sse) {
        send(Signals.fromBody(body), sink, sse);
    }

    /** DELETE: the {@code datastar} query parameter, as for GET (the SDK specification since Datastar 1.0.x). */
    @DELETE
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void delete(@Context UriInfo uriInfo, @Context SseEventSink sink, @Context Sse sse) {
        send(Signals.fromQuery(uriInfo), sink, sse);
    }

    /** Builds the events on the request thread (a bad input is a 400 before any byte of the stream), sends off it. */
    private void send(JsonObject input, SseEventSink sink, Sse sse) {
        List<OutboundSseEvent> events;
        try {
            events = SdkTestEvents.of(input).stream().map(event -> event.toOutbound(sse)).toList();
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(Response.status(Response.Status.BAD_REQUEST)
                    .type(MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8")).entity(e.getMessage() + "\n").build());
        }
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
}
