package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageSizeTest {

    @Test
    void oversizedMessagesAreRefusedAndNothingOfThemIsSent() {
        try (TestServer server = TestServer.builder().config("broadcaster.max-message-size", "1KiB").start();
             SseStream tab = SseStream.connect(server.uri("sse/channels/sized"), "bob")) {
            ChannelRegistry registry = server.bean(ChannelRegistry.class);
            String big = "y".repeat(1100);
            var failure = assertThrows(MessageTooLargeException.class,
                    () -> registry.broadcast("sized", SseEvent.data(big)));
            assertTrue(failure.getMessage().contains("broadcaster.max-message-size (1024 bytes)"), failure.getMessage());
            assertThrows(MessageTooLargeException.class, () -> registry.send(tab.connectionId(), SseEvent.data(big)));

            var response = HttpCalls.postJson(server.uri("sse/channels/sized"), "alice",
                    "{\"events\":[{\"type\":\"event\",\"event\":\"e\",\"data\":\"small\"},"
                            + "{\"type\":\"event\",\"event\":\"e\",\"data\":\"" + big + "\"}]}");
            assertEquals(413, response.statusCode());
            assertTrue(response.body().contains("max-message-size"), response.body());

            registry.broadcast("sized", SseEvent.data("after"));
            assertEquals(List.of("after"), tab.awaitEvents(1).stream().map(e -> e.data()).toList(),
                    "neither the oversized event nor the small one of the refused batch was sent");
        }
    }
}
