package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.InProcessServer;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

@InProcessServer
class ChannelLifecycleTest {

    static TestServer server; // started by @InProcessServer

    static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    @Test
    void streamStartsWithConnectedCommentAndNoCacheHeaders() {
        try (SseStream tab = SseStream.connect(server.channel("hello"), "bob")) {
            assertTrue(tab.raw().startsWith(": connected " + tab.connectionId() + "\n\n"), tab.raw());
            assertEquals("no-cache", tab.headers().firstValue("Cache-Control").orElse(""));
            assertTrue(tab.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        }
    }

    @Test
    void twoUsersInThreeTabsAreListedOncePerConnectionAndOncePerUser() {
        try (SseStream bob1 = SseStream.connect(server.channel("room-1"), "bob");
             SseStream bob2 = SseStream.connect(server.channel("room-1"), "bob");
             SseStream carol = SseStream.connect(server.channel("room-1"), "carol")) {
            JsonObject users = json(HttpCalls.get(server.uri("sse/channels/room-1/users"), "alice").body());
            assertEquals(List.of("bob", "bob", "carol"), strings(users, "users"));
            assertEquals(List.of("bob", "carol"), strings(users, "distinctUsers"));
            ChannelRegistry registry = server.bean(ChannelRegistry.class);
            assertEquals(List.of(new ChannelInfo("room-1", 3, 2)),
                    registry.channels().stream().filter(c -> c.name().equals("room-1")).toList());
        }
    }

    @Test
    void channelDisappearsWhenItsLastConnectionLeaves() {
        ChannelRegistry registry = server.bean(ChannelRegistry.class);
        SseStream only = SseStream.connect(server.channel("short-lived"), "bob");
        assertTrue(registry.channels().stream().anyMatch(c -> c.name().equals("short-lived")));
        only.close();
        Eventually.equalTo(false, () -> registry.channels().stream().anyMatch(c -> c.name().equals("short-lived")),
                "channel listed after its only tab closed");
    }

    static List<String> strings(JsonObject object, String key) {
        return object.getJsonArray(key).getValuesAs(jakarta.json.JsonString.class).stream()
                .map(jakarta.json.JsonString::getString).toList();
    }
}
