package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, point 15: a presence render larger than {@code broadcaster.max-message-size} is not sent; it is logged
 * once per channel (a WARNING) and counted, not logged again on every join and leave.
 */
class OversizedPresenceTest {

    /** Collects the WARNINGs of the library's loggers. */
    static final class Warnings extends Handler {
        final List<String> messages = new ArrayList<>();

        @Override
        public synchronized void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                messages.add(record.getMessage());
            }
        }

        synchronized List<String> about(String text) {
            return messages.stream().filter(m -> m.contains(text)).toList();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void anOversizedPresenceIsLoggedOncePerChannelAndCounted() {
        Logger library = Logger.getLogger("dev.broadcaster");
        Warnings warnings = new Warnings();
        library.addHandler(warnings);
        try (TestServer server = TestServer.builder().config("broadcaster.max-message-size", "1KiB")
                .config("broadcaster.presence-leave-grace", "0s").start()) {
            ChannelRegistry registry = server.bean(ChannelRegistry.class);
            // too large as soon as carol is there (a stand-in for a channel with thousands of users)
            PresenceRenderer renderer = (channel, users) -> PatchElements.of("<ul id=\"online\">"
                    + (users.contains("carol") ? "x".repeat(2000) : String.join(",", users)) + "</ul>");
            registry.create("big", renderer);
            registry.create("also-big", renderer);
            try (SseStream bob = SseStream.connect(server.uri("sse/channels/big"), "bob")) {
                // carol joins only once bob has his render: a render coalesces the joins before it and renders the
                // users present then, so with both joined first it would be the oversized one, never sent to bob
                bob.awaitData("elements <ul id=\"online\">bob</ul>");
                try (SseStream carol = SseStream.connect(server.uri("sse/channels/big"), "carol")) {
                    Eventually.equalTo(1L, () -> registry.stats().oversizedPresence(), "carol's join rendered");
                    for (int i = 0; i < 5; i++) {
                        long renders = registry.stats().presenceRenders();
                        SseStream dave = SseStream.connect(server.uri("sse/channels/big"), "dave");
                        Eventually.equalTo(renders + 1, () -> registry.stats().presenceRenders(),
                                "dave's join rendered");
                        dave.close();
                        Eventually.equalTo(renders + 2, () -> registry.stats().presenceRenders(),
                                "dave's leave rendered");
                    }
                    Eventually.equalTo(11L, () -> registry.stats().oversizedPresence(), "renders too large to send");
                    assertEquals(1, warnings.about("'big'").size(), warnings.messages.toString());
                    try (SseStream other = SseStream.connect(server.uri("sse/channels/also-big"), "carol")) {
                        Eventually.equalTo(12L, () -> registry.stats().oversizedPresence(),
                                "the other channel's render");
                        assertEquals(1, warnings.about("'also-big'").size(), warnings.messages.toString());
                    }
                    // the channel itself keeps working
                    registry.broadcast("big", SseEvent.named("chat", "still here"));
                    bob.awaitData("still here");
                }
            }
        } finally {
            library.removeHandler(warnings);
        }
    }
}
