package dev.broadcaster.rooms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.rooms.it.support.Server;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, point 4 on a real server: one user's streams beyond {@code broadcaster.max-connections-per-user}
 * (the default, 100) are refused with 429 and {@code Retry-After} by the built-in subscribe endpoint, another user
 * is not, and the refusal is counted in {@code /sse/status}.
 */
class LimitsIT extends DeployedRooms {

    static final int PER_USER = 100;

    @Test
    void oneUsersStreamsBeyondTheLimitAre429WithRetryAfterAndOthersStillConnect() {
        String room = Server.room("limits");
        List<SseStream> open = new ArrayList<>();
        try {
            for (int i = 0; i < PER_USER; i++) {
                open.add(SseStream.connect(uri("sse/channels/" + room + "-" + (i % 10)), "bob"));
            }
            SseStream refused = SseStream.open(uri("sse/channels/" + room + "-new"), "bob");
            assertEquals(429, refused.status(), refused.errorBody());
            assertEquals("5", refused.headers().firstValue("Retry-After").orElse(null));
            assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
                    refused.headers().toString());
            assertTrue(refused.errorBody().contains("broadcaster.max-connections-per-user"), refused.errorBody());

            open.add(SseStream.connect(uri("sse/channels/" + room + "-0"), "carol"));
            String status = HttpCalls.get(uri("sse/status"), "alice").body();
            assertTrue(status.matches(".*\"refusedConnections\":[1-9].*"), status);
            // the refused stream created no channel
            assertTrue(!HttpCalls.get(uri("sse/channels"), "alice").body().contains(room + "-new"));
        } finally {
            open.forEach(SseStream::close);
        }
    }
}
