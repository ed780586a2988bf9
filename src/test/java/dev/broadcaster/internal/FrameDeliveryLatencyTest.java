package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.SseEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A tracked frame's countdown: told once, after the fan-out and the last connection finished with it. */
class FrameDeliveryLatencyTest {

    private final List<Long> told = new CopyOnWriteArrayList<>();
    private final Latencies latencies = new Latencies();

    FrameDeliveryLatencyTest() {
        latencies.add(told::add);
    }

    @Test
    void theLastConnectionToFinishEndsTheMeasurementWhetherItWroteOrDropped() {
        Frame frame = SseEncoder.encode(SseEvent.data("one"));
        frame.track(latencies, System.nanoTime());
        frame.queued();
        frame.queued();
        frame.finished(); // written by the first connection while the fan-out goes on
        frame.queued();
        frame.fannedOut();
        frame.finished();
        assertEquals(List.of(), told, "one connection still holds it");
        frame.finished(); // the last one dropped it (evicted, resynced, conflated, closed)
        assertEquals(1, told.size());
        assertTrue(told.get(0) >= 0, told.toString());
    }

    @Test
    void aConnectionFinishingBeforeTheFanOutEndsDoesNotEndTheMeasurement() {
        Frame frame = SseEncoder.encode(SseEvent.data("one"));
        frame.track(latencies, System.nanoTime());
        frame.queued();
        frame.finished();
        assertEquals(List.of(), told);
        frame.fannedOut();
        assertEquals(1, told.size());
    }

    @Test
    void aBroadcastThatReachedNoConnectionIsNotRecorded() {
        Frame frame = SseEncoder.encode(SseEvent.data("one"));
        frame.track(latencies, System.nanoTime());
        frame.fannedOut();
        assertEquals(List.of(), told);
    }

    @Test
    void anUntrackedFrameCountsNothing() {
        Frame frame = SseEncoder.encode(SseEvent.data("one"));
        frame.queued();
        frame.finished();
        frame.fannedOut();
        assertEquals(List.of(), told);
    }
}
