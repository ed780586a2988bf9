package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.ServerBean;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import dev.broadcaster.support.TransactionalPublisher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@InProcessServer(beans = TransactionalPublisher.class)
class CdiEventsTest {

    static TestServer server; // started by @InProcessServer
    @ServerBean
    static ChannelRegistry registry;
    @ServerBean
    static TransactionalPublisher publisher;

    static List<String> data(SseStream stream) {
        return stream.events().stream().map(EventStreamParser.Event::data).toList();
    }

    @Test
    void broadcastFiredFromABeanOutsideATransactionArrivesAtOnce() {
        try (SseStream tab = SseStream.connect(server.channel("cdi-sync"), "bob")) {
            publisher.fire(Broadcast.elements("cdi-sync", "<p id=\"x\">sync</p>"));
            tab.awaitData("elements <p id=\"x\">sync</p>");
        }
    }

    @Test
    void broadcastFiredAsynchronouslyArrives() {
        try (SseStream tab = SseStream.connect(server.channel("cdi-async"), "bob")) {
            publisher.fireAsync(Broadcast.signals("cdi-async", "{\"n\":1}"));
            tab.awaitData("signals {\"n\":1}");
        }
    }

    @Test
    void broadcastInATransactionArrivesOnlyAfterCommit() throws Exception {
        try (SseStream tab = SseStream.connect(server.channel("cdi-commit"), "bob")) {
            publisher.fireInTransaction(Broadcast.event("cdi-commit", "chat", "committed"), () -> {
                // sent outside the transaction while it is still open: must overtake the transactional one
                registry.broadcast("cdi-commit", SseEvent.data("while open"));
                tab.awaitData("while open");
            }, true);
            tab.awaitData("committed");
            assertEquals(List.of("while open", "committed"), data(tab));
        }
    }

    @Test
    void broadcastInATransactionThatRollsBackNeverArrives() throws Exception {
        try (SseStream tab = SseStream.connect(server.channel("cdi-rollback"), "bob")) {
            publisher.fireInTransaction(Broadcast.event("cdi-rollback", "chat", "rolled back"), () -> { }, false);
            registry.broadcast("cdi-rollback", SseEvent.data("after rollback"));
            tab.awaitData("after rollback");
            assertEquals(List.of("after rollback"), data(tab));
        }
    }

    @Test
    void aBroadcastFiredWithAFutureReportsTheIdItsEventGotAfterCommit() throws Exception {
        try (SseStream tab = SseStream.connect(server.channel("cdi-id"), "bob")) {
            CompletableFuture<String> committed = new CompletableFuture<>();
            publisher.fireInTransaction(Broadcast.event("cdi-id", "chat", "committed").reportingIdTo(committed),
                    () -> assertFalse(committed.isDone(), "no id before the commit"), true);
            EventStreamParser.Event received = tab.awaitData("committed");
            assertEquals(received.lastEventId(), committed.get(20, TimeUnit.SECONDS));
            assertEquals(registry.position("cdi-id"), committed.get());

            CompletableFuture<String> async = new CompletableFuture<>();
            publisher.fireAsync(Broadcast.event("cdi-id", "chat", "async").reportingIdTo(async));
            assertEquals(tab.awaitData("async").lastEventId(), async.get(20, TimeUnit.SECONDS));

            CompletableFuture<String> rolledBack = new CompletableFuture<>();
            publisher.fireInTransaction(Broadcast.event("cdi-id", "chat", "never").reportingIdTo(rolledBack), () -> { },
                    false);
            assertThrows(ExecutionException.class, () -> rolledBack.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void excludingBroadcastSkipsTheSendersTab() {
        try (SseStream sender = SseStream.connect(server.channel("cdi-exclude"), "bob");
             SseStream other = SseStream.connect(server.channel("cdi-exclude"), "bob")) {
            publisher.fire(Broadcast.event("cdi-exclude", "chat", "echo?").excluding(sender.connectionId()));
            other.awaitData("echo?");
            publisher.fire(Broadcast.event("cdi-exclude", "chat", "all"));
            sender.awaitData("all");
            assertEquals(List.of("all"), data(sender));
        }
    }
}
