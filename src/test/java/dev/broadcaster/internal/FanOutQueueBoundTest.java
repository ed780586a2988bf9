package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.ChannelOverloadedException;
import dev.broadcaster.SseEvent;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseReaders;
import dev.broadcaster.support.TestServer;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A channel's fan-out queue is bounded ({@code broadcaster.fan-out-queue-size}): while the server is behind, a
 * publish that finds it full is refused, never queued without limit and never silently dropped. From Java it is a
 * {@link ChannelOverloadedException}; over HTTP a 503 with {@code Retry-After}; both are counted. What was
 * accepted is delivered, in order, once the server catches up. The executor is held busy to make the server
 * fall behind on purpose.
 */
class FanOutQueueBoundTest {

    static final int CONNECTIONS = Channel.INLINE_FANOUT + 8; // large enough that fan-out is queued, not inline

    @Test
    void aPublishThatFindsTheFanOutQueueFullIsRefusedAndNothingAcceptedIsLost() throws InterruptedException {
        try (TestServer server = TestServer.builder().config("broadcaster.fan-out-queue-size", "5").start()) {
            DefaultChannelRegistry registry = server.bean(DefaultChannelRegistry.class);
            URI channel = server.uri("sse/channels/crowded");
            try (SseReaders readers = SseReaders.open(channel, "bob", CONNECTIONS)) {
                dev.broadcaster.support.Eventually.equalTo((long) CONNECTIONS, readers::connectedCount,
                        "every stream registered");
                CountDownLatch release = new CountDownLatch(1);
                int threads = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
                CountDownLatch busy = new CountDownLatch(threads);
                for (int i = 0; i < threads; i++) { // every thread of the library's pool is taken
                    registry.workers().execute(() -> {
                        busy.countDown();
                        await(release);
                    });
                }
                assertTrue(busy.await(10, TimeUnit.SECONDS), "the pool is busy");
                int accepted = 0;
                for (int i = 0; i < 5; i++) { // five fan-outs wait: the queue is full
                    registry.broadcast("crowded", SseEvent.named("n", Integer.toString(accepted++)));
                }
                ChannelOverloadedException refused = assertThrows(ChannelOverloadedException.class,
                        () -> registry.broadcast("crowded", SseEvent.named("n", "refused")));
                assertEquals("crowded", refused.channel());
                var response = HttpCalls.postJson(channel, "alice",
                        "{\"type\":\"event\",\"event\":\"n\",\"data\":\"refused over HTTP\"}");
                assertEquals(503, response.statusCode(), response.body());
                assertEquals("1", response.headers().firstValue("Retry-After").orElse(null));
                assertTrue(response.body().contains("crowded"), response.body());
                assertEquals(2, registry.stats().publishesRefused());

                release.countDown(); // the server catches up: everything accepted is delivered, in order
                int expected = accepted;
                OverloadAwait.until(() -> readers.readers().stream().allMatch(r -> r.numbered() == expected),
                        "every accepted event delivered");
                readers.readers().forEach(r -> {
                    assertEquals(0, r.outOfOrder(), r.firstProblem());
                    assertEquals(java.util.List.of(), r.others(), "nothing else (the refused events never went out)");
                });
                // and publishing works again, with the next id after the accepted ones
                assertEquals(CONNECTIONS, registry.broadcast("crowded", SseEvent.named("n", Integer.toString(expected))));
                assertEquals(expected + 1, registry.historySize("crowded"));
                assertEquals(202, HttpCalls.postJson(channel, "alice",
                        "{\"type\":\"event\",\"event\":\"n\",\"data\":\"" + (expected + 1) + "\"}").statusCode());
                OverloadAwait.until(() -> readers.readers().stream().allMatch(r -> r.numbered() == expected + 2),
                        "publishing accepted again");
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for a condition with a deadline. */
    static final class OverloadAwait {
        static void until(java.util.function.BooleanSupplier condition, String what) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out: " + what);
                }
                try {
                    Thread.sleep(20); // polling interval of a deadline-bound wait
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }
}
