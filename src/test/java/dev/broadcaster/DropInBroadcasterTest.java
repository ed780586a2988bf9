package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.jersey.media.sse.OutboundEvent;
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
        private final Map<SseEventSink, String> tags = new ConcurrentHashMap<>();
        private final List<String> closed = new CopyOnWriteArrayList<>();
        private final List<String> errors = new CopyOnWriteArrayList<>();

        abstract SseBroadcaster newBroadcaster(Sse sse);

        private synchronized SseBroadcaster broadcaster() {
            if (broadcaster == null) {
                broadcaster = newBroadcaster(sse);
                broadcaster.onClose(sink -> closed.add(tags.getOrDefault(sink, "?")));
                broadcaster.onError((sink, error) -> errors.add(tags.getOrDefault(sink, "?") + ":"
                        + error.getClass().getSimpleName()));
            }
            return broadcaster;
        }

        @GET
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void subscribe(@Context SseEventSink sink, @QueryParam("tag") String tag) {
            tags.put(sink, tag == null ? "?" : tag); // the test's name for this stream
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

        /** What the application's listeners saw: sinks registered, the tags of the sinks closed, the errors. */
        @GET
        @Path("seen/{what}")
        @Produces(MediaType.TEXT_PLAIN)
        public String seen(@PathParam("what") String what) {
            return switch (what) {
                case "registered" -> registered.toString();
                case "closed" -> closed.toString();
                default -> errors.toString();
            };
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
        try (SseStream bob = subscribe(chat, "bob", "closing-bob", null);
             SseStream dave = subscribe(chat, "dave", "closing-dave", null)) {
            post(chat, "before close");
            bob.awaitData("before close");
            dave.awaitData("before close");
            assertEquals(204, HttpCalls.delete(server.uri(chat), "alice").statusCode());
            bob.awaitEnd();
            dave.awaitEnd();
            Eventually.equalTo(true, () -> seen(chat, "closed").contains("closing-bob")
                    && seen(chat, "closed").contains("closing-dave"), "onClose told of both sinks");
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
        int evictionsBefore = (int) registry.stats().evictions();
        int registered = registered("library-chat");
        try (RawSseClient stalled = RawSseClient.stalled(server.uri("library-chat?tag=stalled-carol"), "carol")) {
            Eventually.equalTo(registered + 1, () -> registered("library-chat"), "the stalled reader registered");
            assertTrue(registry.users(CHANNEL).contains("carol"), registry.users(CHANNEL).toString());
            evictWhileBobReads(evictionsBefore);
        }
    }

    private static void evictWhileBobReads(int evictionsBefore) {
        try (SseStream bob = subscribe("library-chat", "bob", null)) {
            int sent = 0;
            for (int batch = 0; batch < 200 && registry.stats().evictions() == evictionsBefore; batch++) {
                for (int i = 0; i < 10; i++) {
                    post("library-chat", "n" + sent++ + " " + PADDING);
                }
                bob.awaitEvents(sent); // a reader that reads keeps up
            }
            Eventually.equalTo(false, () -> registry.users(CHANNEL).contains("carol"), "the stalled reader was evicted");
            Eventually.equalTo(true, () -> seen("library-chat", "closed").contains("stalled-carol"),
                    "onClose told of the evicted sink");
            assertTrue(seen("library-chat", "errors").contains("stalled-carol:ConnectionEvictedException"),
                    seen("library-chat", "errors"));
            assertEquals(sent, bob.events().size());
        }
    }

    @Test
    void theViewAdmitsAsTheLibraryDoesAnAnonymousRequestIsRefusedWhereTheContainersBroadcasterTakesIt() {
        try (SseStream anonymous = SseStream.open(server.uri("library-chat"), null)) {
            assertEquals(401, anonymous.status(), anonymous.errorBody());
        }
        assertEquals(false, registry.users(CHANNEL).contains("anonymous"));
        try (SseStream anonymous = subscribe("jaxrs-chat", null, null)) {
            assertEquals(200, anonymous.status());
        }
    }

    @Test
    void theViewsBroadcastCompletesWithTheIdTheClientsSee() throws Exception {
        try (SseStream bob = subscribe("library-chat", "bob", null)) {
            SseBroadcaster view = registry.broadcaster(CHANNEL);
            Object id = view.broadcast(new OutboundEvent.Builder().name("message").id("ignored").data("with id").build())
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            EventStreamParser.Event received = bob.awaitData("with id");
            assertEquals(received.lastEventId(), id);
            assertEquals(registry.position(CHANNEL), id);
            view.close();
            assertThrows(IllegalStateException.class, () -> view.broadcast(new OutboundEvent.Builder().data("x").build()));
            post("library-chat", "still open");
            bob.awaitData("still open"); // a view closes only the sinks it registered
        }
    }

    /** Subscribes and waits until the application registered the sink (a JAX-RS broadcaster writes nothing first). */
    private static SseStream subscribe(String chat, String user, String lastEventId) {
        return subscribe(chat, user, null, lastEventId);
    }

    /** As {@link #subscribe(String, String, String)}, naming the stream {@code tag} in what the listeners saw. */
    private static SseStream subscribe(String chat, String user, String tag, String lastEventId) {
        int registered = registered(chat);
        URI uri = server.uri(tag == null ? chat : chat + "?tag=" + tag);
        CompletableFuture<SseStream> stream = CompletableFuture.supplyAsync(() -> SseStream.open(uri, user, lastEventId));
        Eventually.equalTo(registered + 1, () -> registered(chat), user + " subscribed to " + chat);
        return stream.join();
    }

    private static void post(String chat, String message) {
        HttpResponse<String> response = HttpCalls.send(HttpCalls.request(server.uri(chat), "alice")
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(message)).build());
        assertEquals(200, response.statusCode(), response.body());
    }

    private static String seen(String chat, String what) {
        return HttpCalls.get(server.uri(chat + "/seen/" + what), "alice").body();
    }

    private static int registered(String chat) {
        return Integer.parseInt(seen(chat, "registered"));
    }
}
