package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, point 4: the admin page's snapshot is capped (totals always, the largest channels first, "N more"),
 * so thousands of channels with long names never make it larger than a connection may queue.
 */
class AdminSnapshotCapTest {

    static final long QUEUE_BYTES = 1024 * 1024;

    static JsonObject parse(String json) {
        try (var reader = Json.createReader(new StringReader(json))) {
            return reader.readObject();
        }
    }

    @Test
    void sixThousandLongChannelNamesStillGiveTheAdminPageASmallSnapshotLargestChannelsFirst() {
        try (TestServer server = TestServer.start()) {
            ChannelRegistry registry = server.bean(ChannelRegistry.class);
            String padding = "x".repeat(100);
            for (int i = 0; i < 6000; i++) {
                registry.create(String.format("%s-%05d", padding, i), null);
            }
            try (SseStream bob1 = SseStream.connect(server.uri("sse/channels/busy"), "bob");
                 SseStream bob2 = SseStream.connect(server.uri("sse/channels/busy"), "bob");
                 SseStream carol = SseStream.connect(server.uri("sse/channels/busy"), "carol");
                 SseStream dave = SseStream.connect(server.uri("sse/channels/quieter"), "dave");
                 SseStream admin = SseStream.connect(server.uri("sse/admin/events"), "alice")) {
                EventStreamParser.Event event = admin.awaitEvent(e -> e.type().equals("snapshot"), "a snapshot");
                int bytes = event.data().getBytes(StandardCharsets.UTF_8).length;
                assertTrue(bytes < QUEUE_BYTES / 4, bytes + " bytes, more than a quarter of queue-bytes");
                JsonObject snapshot = parse(event.data());
                // the totals are always there
                assertEquals(6002, snapshot.getInt("channelCount"));
                assertEquals(4, snapshot.getInt("connections"));
                List<JsonObject> shown = snapshot.getJsonArray("channels").getValuesAs(JsonObject.class);
                assertTrue(shown.size() > 0 && shown.size() < 6002, shown.size() + " channels shown");
                assertEquals(6002 - shown.size(), snapshot.getInt("moreChannels"));
                assertEquals("busy", shown.get(0).getString("name"));
                assertEquals(3, shown.get(0).getInt("connections"));
                assertEquals("quieter", shown.get(1).getString("name"));
                assertEquals(2, shown.get(0).getInt("users"));
                assertEquals(0, shown.get(0).getInt("moreUsers"));
            }
        }
    }
}
