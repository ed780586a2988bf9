package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.RawSseClient;
import dev.broadcaster.support.ServerBean;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A small JAX-RS chat written as the JAX-RS documentation shows ({@code sse.newBroadcaster()}), run on the container's
 * own broadcaster ({@code jaxrs-chat}) and, changed by one line, on the library's view of a channel
 * ({@code library-chat}, {@link ChannelRegistry#broadcaster}): the same tests see the same behaviour over HTTP; the
 * last ones show what the view adds (resume, eviction, the user).
 */
@InProcessServer(resources = {DropInBroadcasterTest.JaxRsChat.class, DropInBroadcasterTest.LibraryChat.class})
class DropInBroadcasterTest {

    static final String CHANNEL = "dropin-chat";
    static final String PADDING = "x".repeat(16 * 1024);

    /** The application's resource; subclasses differ in the one line that creates the broadcaster. */
    public abstract static class Chat {
        @Context
        Sse sse;
        private SseBroadcaster broadcaster;
        private final AtomicInteger registered = new AtomicInteger();
        private final AtomicInteger closed = new AtomicInteger();
        private final List<String> errors = new CopyOnWriteArrayList<>();

        abstract SseBroadcaster newBroadcaster(Sse sse);

        private synchronized SseBroadcaster broadcaster() {
            if (broadcaster == null) {
                broadcaster = newBroadcaster(sse);
                broadcaster.onClose(sink -> closed.incrementAndGet());
                broadcaster.onError((sink, error) -> errors.add(error.getClass().getSimpleName()));
            }
            return broadcaster;
        }

        @GET
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void subscribe(@Context SseEventSink sink) {
            broadcaster().register(sink);
            registered.incrementAndGet();
        }

        @POST
        @Consumes(MediaType.TEXT_PLAIN)
        public String publish(String message) {
            broadcaster().broadcast(sse.newEventBuilder().name("message").data(message).build());
            return "sent";
        }

        @DELETE
        public synchronized void close() {
            broadcaster().close();
            broadcaster = null;
        }

        /** "registered closed errors": what the application's listeners saw. */
        @GET
        @Path("seen")
        @Produces(MediaType.TEXT_PLAIN)
        public String seen() {
            return registered + " " + closed + " " + errors;
        }
    }

    @Singleton
    @Path("jaxrs-chat")
    public static class JaxRsChat extends Chat {
        @Override
        SseBroadcaster newBroadcaster(Sse sse) {
            return sse.newBroadcaster();
        }
    }

    @Singleton
    @Path("library-chat")
    public static class LibraryChat extends Chat {
        @Inject
        ChannelRegistry registry;

        @Override
        SseBroadcaster newBroadcaster(Sse sse) {
            return registry.broadcaster(CHANNEL);
        }
    }

    static TestServer server; // started by @InProcessServer
    @ServerBean
    static ChannelRegistry registry;

    @ParameterizedTest
    @ValueSource(strings = {"jaxrs-chat", "library-chat"})
    void everySubscriberGetsWhatIsPostedInOrderAsNamedEvents(String chat) {
        try (SseStream bob = subscribe(chat, "bob", null); SseStream dave = subscribe(chat, "dave", null)) {
            List<String> sent = List.of("one " + chat, "two " + chat, "three\nlines " + chat);
            sent.forEach(message -> post(chat, message));
            for (SseStream stream : List.of(bob, dave)) {
                List<EventStreamParser.Event> events = stream.awaitEvents(3);
                assertEquals(sent, events.stream().map(EventStreamParser.Event::data).toList(), stream.raw());
                assertEquals(List.of("message", "message", "message"),
                        events.stream().map(EventStreamParser.Event::type).toList(), stream.raw());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jaxrs-chat", "library-chat"})
    void closingTheBroadcasterEndsEveryStreamAndTellsOnClose(String chat) {
        int closedBefore = seen(chat)[1];
        try (SseStream bob = subscribe(chat, "bob", null); SseStream dave = subscribe(chat, "dave", null)) {
            post(chat, "before close");
            bob.awaitData("before close");
            dave.awaitData("before close");
            assertEquals(204, HttpCalls.delete(server.uri(chat), "alice").statusCode());
            bob.awaitEnd();
            dave.awaitEnd();
            Eventually.equalTo(closedBefore + 2, () -> seen(chat)[1], "onClose told of both sinks");
        }
    }

    @Test
    void theViewResumesAReconnectingClientAfterItsLastEventId() {
        String lastSeen;
        try (SseStream bob = subscribe("library-chat", "bob", null)) {
            post("library-chat", "seen 1");
            post("library-chat", "seen 2");
            lastSeen = bob.awaitEvents(2).get(1).lastEventId();
            assertTrue(registry.users(CHANNEL).contains("bob"), "the view joined the request's user: " + registry.users(CHANNEL));
        }
        post("library-chat", "missed 1");
        post("library-chat", "missed 2");
        try (SseStream again = subscribe("library-chat", "bob", lastSeen)) {
            post("library-chat", "live");
            assertEquals(List.of("missed 1", "missed 2", "live"),
                    again.awaitEvents(3).stream().map(EventStreamParser.Event::data).toList(), again.raw());
        }
    }

    @Test
    void theViewEvictsAClientThatDoesNotReadAndTellsOnErrorAndOnClose() {
        int[] before = seen("library-chat");
        int evictionsBefore = (int) registry.stats().evictions();
        try (RawSseClient stalled = RawSseClient.stalled(server.uri("library-chat"), "carol");
             SseStream bob = subscribe("library-chat", "bob", null)) {
            Eventually.equalTo(true, () -> registry.users(CHANNEL).contains("carol"), "the stalled reader joined");
            int sent = 0;
            for (int batch = 0; batch < 200 && registry.stats().evictions() == evictionsBefore; batch++) {
                for (int i = 0; i < 10; i++) {
                    post("library-chat", "n" + sent++ + " " + PADDING);
                }
                bob.awaitEvents(sent); // a reader that reads keeps up
            }
            Eventually.equalTo(false, () -> registry.users(CHANNEL).contains("carol"), "the stalled reader was evicted");
            Eventually.equalTo(before[1] + 1, () -> seen("library-chat")[1], "onClose told of the evicted sink");
            assertTrue(seenText("library-chat").contains("ConnectionEvictedException"), seenText("library-chat"));
            assertEquals(sent, bob.events().size());
        }
    }

    /** Subscribes and waits until the application registered the sink (a JAX-RS broadcaster writes nothing first). */
    private static SseStream subscribe(String chat, String user, String lastEventId) {
        int registered = seen(chat)[0];
        CompletableFuture<SseStream> stream = CompletableFuture.supplyAsync(
                () -> SseStream.open(server.uri(chat), user, lastEventId));
        Eventually.equalTo(registered + 1, () -> seen(chat)[0], user + " subscribed to " + chat);
        return stream.join();
    }

    private static void post(String chat, String message) {
        HttpResponse<String> response = HttpCalls.send(HttpCalls.request(server.uri(chat), "alice")
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(message)).build());
        assertEquals(200, response.statusCode(), response.body());
    }

    private static String seenText(String chat) {
        return HttpCalls.get(server.uri(chat + "/seen"), "alice").body();
    }

    private static int[] seen(String chat) {
        String[] parts = seenText(chat).split(" ", 3);
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }
}
