package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.NarayanaTransactionServices;
import dev.broadcaster.support.ServerBean;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.transaction.UserTransaction;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link Broadcast} or {@link Disconnect} that cannot be delivered fails for the code that fires it, inside its
 * transaction, and is never delivered: not after the commit, where nobody would hear of the failure.
 */
@InProcessServer(config = "broadcaster.max-message-size=1KiB", beans = BroadcastValidationTest.Publisher.class)
class BroadcastValidationTest {

    static TestServer server; // started by @InProcessServer
    @ServerBean
    static ChannelRegistry registry;
    @ServerBean
    static Publisher publisher;

    @BeforeEach
    void forgetCommittedBroadcasts() {
        publisher.committed().clear();
    }

    static List<String> data(SseStream stream) {
        return stream.events().stream().map(EventStreamParser.Event::data).toList();
    }

    @Test
    void anOversizedBroadcastFailsInsideTheTransactionAndNothingOfItIsDelivered() throws Exception {
        try (SseStream tab = SseStream.connect(server.channel("tx-size"), "bob")) {
            RuntimeException failure = publisher.inTransaction(() -> {
                publisher.fire(Broadcast.event("tx-size", "chat", "small, fired first"));
                publisher.fire(Broadcast.event("tx-size", "chat", "y".repeat(1100)));
            }, false);
            assertInstanceOf(MessageTooLargeException.class, failure);
            assertTrue(failure.getMessage().contains("broadcaster.max-message-size (1024 bytes)"), failure.getMessage());

            registry.broadcast("tx-size", SseEvent.data("marker"));
            tab.awaitData("marker");
            assertEquals(List.of("marker"), data(tab), "the rolled-back transaction delivered nothing");
        }
    }

    @Test
    void anOversizedBroadcastIsRefusedBeforeAnyAfterCommitObserverIsRegistered() throws Exception {
        try (SseStream tab = SseStream.connect(server.channel("tx-caught"), "bob")) {
            // the worst case: the caller catches the failure and commits anyway
            RuntimeException failure = publisher.inTransaction(() -> {
                publisher.fire(Broadcast.event("tx-caught", "chat", "small"));
                publisher.fire(Broadcast.event("tx-caught", "chat", "y".repeat(1100)));
            }, true);
            assertInstanceOf(MessageTooLargeException.class, failure);

            tab.awaitData("small");
            registry.broadcast("tx-caught", SseEvent.data("marker"));
            tab.awaitData("marker");
            assertEquals(List.of("small", "marker"), data(tab));
            assertEquals(List.of("small"), publisher.committed().stream().map(b -> b.message().toEvent().data()).toList(),
                    "the refused broadcast never reached an after-commit observer");
        }
    }

    @Test
    void anOversizedBroadcastFiredOutsideATransactionThrowsToTheCaller() {
        try (SseStream tab = SseStream.connect(server.channel("no-tx-size"), "bob")) {
            assertThrows(MessageTooLargeException.class,
                    () -> publisher.fire(Broadcast.of("no-tx-size", SseEvent.data("y".repeat(1100)))));
            registry.broadcast("no-tx-size", SseEvent.data("marker"));
            tab.awaitData("marker");
            assertEquals(List.of("marker"), data(tab));
        }
    }

    @Test
    void anOversizedBroadcastFiredAsynchronouslyCompletesExceptionally() {
        try (SseStream tab = SseStream.connect(server.channel("async-size"), "bob")) {
            var done = publisher.fireAsync(Broadcast.of("async-size", SseEvent.data("y".repeat(1100))))
                    .toCompletableFuture();
            ExecutionException failure = assertThrows(ExecutionException.class, () -> done.get(10, TimeUnit.SECONDS));
            assertTrue(causes(failure).anyMatch(MessageTooLargeException.class::isInstance), failure::toString);
            registry.broadcast("async-size", SseEvent.data("marker"));
            tab.awaitData("marker");
            assertEquals(List.of("marker"), data(tab));
        }
    }

    @Test
    void aBroadcastToAChannelNoOneCanJoinIsRefusedWhereItIsCreated() throws Exception {
        List<Supplier<Broadcast>> undeliverable = List.of(
                () -> Broadcast.event("no spaces", "chat", "x"),
                () -> Broadcast.elements("", "<p id=\"a\">x</p>"),
                () -> Broadcast.signals("x".repeat(129), "{\"a\":1}"),
                () -> Broadcast.of("<script>", SseEvent.data("x")),
                () -> Broadcast.of("broadcaster:admin", SseEvent.data("x")),
                () -> new Broadcast("a/b", SseEvent.data("x"), null));
        for (Supplier<Broadcast> broadcast : undeliverable) {
            RuntimeException failure = publisher.inTransaction(() -> publisher.fire(broadcast.get()), true);
            assertInstanceOf(IllegalArgumentException.class, failure);
            assertTrue(failure.getMessage().contains("channel name"), failure.getMessage());
        }
        assertEquals(List.of(), publisher.committed());
    }

    @Test
    void aBroadcastWithAReservedEventNameIsRefusedWhereItIsCreated() {
        for (String reserved : List.of("resync", "closing")) {
            IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                    () -> Broadcast.event("lobby", reserved, "x"));
            assertTrue(failure.getMessage().contains("reserved"), failure.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> Broadcast.of("lobby", new SseEvent(reserved, null, null, "x")));
        }
    }

    @Test
    void aDisconnectOfAChannelNoOneCanJoinIsRefusedWhereItIsCreated() {
        for (String channel : List.of("no spaces", "", "a/b", "broadcaster:admin")) {
            assertThrows(IllegalArgumentException.class, () -> Disconnect.everyone(channel), channel);
            assertThrows(IllegalArgumentException.class, () -> Disconnect.user(channel, "bob"), channel);
        }
    }

    @Test
    void aValidBroadcastAndDisconnectStillWork() throws Exception {
        try (SseStream tab = SseStream.connect(server.channel("valid.room:1@x_y-z"), "bob")) {
            publisher.inTransaction(() -> publisher.fire(
                    Broadcast.event("valid.room:1@x_y-z", "chat", "y".repeat(900))), true);
            tab.awaitData("y".repeat(900));
            publisher.disconnect(Disconnect.user("valid.room:1@x_y-z", "bob"));
            tab.awaitEnd();
        }
    }

    private static Stream<Throwable> causes(Throwable failure) {
        return Stream.iterate(failure, t -> t != null, Throwable::getCause)
                .flatMap(t -> Stream.concat(Stream.of(t), Stream.of(t.getSuppressed())));
    }

    /** An application bean firing the events, and an after-commit observer that records what reached it. */
    @ApplicationScoped
    public static class Publisher {

        @Inject
        Event<Broadcast> broadcasts;

        @Inject
        Event<Disconnect> disconnects;

        private final List<Broadcast> committed = new CopyOnWriteArrayList<>();

        /** The broadcasts that reached an after-commit observer (a method: a field read on the proxy is not the bean's). */
        List<Broadcast> committed() {
            return committed;
        }

        void fire(Broadcast broadcast) {
            broadcasts.fire(broadcast);
        }

        java.util.concurrent.CompletionStage<Broadcast> fireAsync(Broadcast broadcast) {
            return broadcasts.fireAsync(broadcast);
        }

        void disconnect(Disconnect disconnect) {
            disconnects.fire(disconnect);
        }

        void recordCommitted(@Observes(during = TransactionPhase.AFTER_SUCCESS) Broadcast broadcast) {
            committed.add(broadcast);
        }

        /**
         * Runs {@code work} in a JTA transaction and returns what it threw (null if nothing); then commits
         * ({@code commitAnyway}) or, when {@code work} threw, rolls back as an EJB container would.
         */
        RuntimeException inTransaction(Runnable work, boolean commitAnyway) throws Exception {
            UserTransaction transaction = NarayanaTransactionServices.userTransaction();
            transaction.begin();
            RuntimeException thrown = null;
            try {
                work.run();
            } catch (RuntimeException e) {
                thrown = e;
            }
            if (thrown == null || commitAnyway) {
                transaction.commit();
            } else {
                transaction.rollback();
            }
            return thrown;
        }
    }
}
