package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import dev.broadcaster.support.TransactionalPublisher;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CdiEventsTest {

    static TestServer server;
    static ChannelRegistry registry;
    static TransactionalPublisher publisher;

    @BeforeAll
    static void start() {
        server = TestServer.builder().beans(TransactionalPublisher.class).start();
        registry = server.bean(ChannelRegistry.class);
        publisher = server.bean(TransactionalPublisher.class);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static URI channel(String name) {
        return server.uri("sse/channels/" + name);
    }

    static List<String> data(SseStream stream) {
        return stream.events().stream().map(EventStreamParser.Event::data).toList();
    }

    @Test
    void broadcastFiredFromABeanOutsideATransactionArrivesAtOnce() {
        try (SseStream tab = SseStream.connect(channel("cdi-sync"), "bob")) {
            publisher.fire(Broadcast.elements("cdi-sync", "<p id=\"x\">sync</p>"));
            tab.awaitData("elements <p id=\"x\">sync</p>");
        }
    }

    @Test
    void broadcastFiredAsynchronouslyArrives() {
        try (SseStream tab = SseStream.connect(channel("cdi-async"), "bob")) {
            publisher.fireAsync(Broadcast.signals("cdi-async", "{\"n\":1}"));
            tab.awaitData("signals {\"n\":1}");
        }
    }

    @Test
    void broadcastInATransactionArrivesOnlyAfterCommit() throws Exception {
        try (SseStream tab = SseStream.connect(channel("cdi-commit"), "bob")) {
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
        try (SseStream tab = SseStream.connect(channel("cdi-rollback"), "bob")) {
            publisher.fireInTransaction(Broadcast.event("cdi-rollback", "chat", "rolled back"), () -> { }, false);
            registry.broadcast("cdi-rollback", SseEvent.data("after rollback"));
            tab.awaitData("after rollback");
            assertEquals(List.of("after rollback"), data(tab));
        }
    }

    @Test
    void excludingBroadcastSkipsTheSendersTab() {
        try (SseStream sender = SseStream.connect(channel("cdi-exclude"), "bob");
             SseStream other = SseStream.connect(channel("cdi-exclude"), "bob")) {
            publisher.fire(Broadcast.event("cdi-exclude", "chat", "echo?").excluding(sender.connectionId()));
            other.awaitData("echo?");
            publisher.fire(Broadcast.event("cdi-exclude", "chat", "all"));
            sender.awaitData("all");
            assertEquals(List.of("all"), data(sender));
        }
    }
}
