package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnonymousAccessTest {

    @Test
    void anonymousSubscribersAreAcceptedWhenAllowed() {
        try (TestServer server = TestServer.builder().config("broadcaster.allow-anonymous", "true").start();
             SseStream anonymous = SseStream.connect(server.uri("sse/channels/public"), null)) {
            ChannelRegistry registry = server.bean(ChannelRegistry.class);
            assertEquals(List.of("anonymous"), registry.users("public"));
            registry.broadcast("public", SseEvent.data("welcome"));
            anonymous.awaitData("welcome");
        }
    }
}
