package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.SingleNode;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import org.junit.jupiter.api.Test;

class ConfigurationTest {

    @Test
    void invalidValuesStopStartupNamingTheKey() {
        for (String[] bad : new String[][] {
                {"broadcaster.heartbeat-interval", "often"},
                {"broadcaster.queue-size", "0"},
                {"broadcaster.history-size", "-1"},
                {"broadcaster.send-timeout", "PT0S"},
                {"broadcaster.path", "no-leading-slash"},
                {"broadcaster.allow-anonymous", "maybe"}}) {
            Throwable failure = assertThrows(Throwable.class,
                    () -> TestServer.builder().config(bad[0], bad[1]).start().close(), bad[0]);
            String messages = messages(failure);
            assertTrue(messages.contains(bad[0]) && messages.contains("'" + bad[1] + "'"), messages);
        }
    }

    @SingleNode("the clustered run sets broadcaster.cluster.engine itself, over the redis this test asks for")
    @Test
    void theRedisEngineWithoutTheRedisClientStopsStartupSayingWhatToAdd() {
        // this run's class path has no Jedis, as a single-node application's has none
        Throwable failure = assertThrows(Throwable.class, () -> TestServer.builder()
                .config("broadcaster.cluster.engine", "redis")
                .config("broadcaster.cluster.redis.uri", "redis://127.0.0.1:6379").start().close());
        String messages = messages(failure);
        assertTrue(messages.contains("redis.clients:jedis"), messages);
    }

    @Test
    void endpointsMoveToTheConfiguredPath() {
        try (TestServer server = TestServer.builder().config("broadcaster.path", "/events/live").start()) {
            try (SseStream tab = SseStream.connect(server.uri("events/live/channels/moved"), "bob")) {
                assertEquals(202, HttpCalls.postJson(server.uri("events/live/channels/moved"), "alice",
                        "{\"type\":\"event\",\"event\":\"e\",\"data\":\"here\"}").statusCode());
                tab.awaitData("here");
            }
            assertEquals(404, HttpCalls.get(server.uri("sse/status"), "alice").statusCode());
            assertEquals(200, HttpCalls.get(server.uri("events/live/client.js"), null).statusCode());
            assertEquals(404, HttpCalls.get(server.uri("sse/client.js"), null).statusCode());
        }
    }

    @Test
    void endpointsCanBeSwitchedOff() {
        try (TestServer server = TestServer.builder().config("broadcaster.endpoints.enabled", "false").start()) {
            assertEquals(404, HttpCalls.get(server.uri("sse/status"), "alice").statusCode());
            assertEquals(404, HttpCalls.get(server.uri("sse/channels/lobby"), "bob").statusCode());
            assertEquals(404, HttpCalls.get(server.uri("sse/client.js"), null).statusCode());
        }
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
