package dev.broadcaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.PresenceRecorder;
import dev.broadcaster.support.RawSseClient;
import dev.broadcaster.support.SseStream;
import dev.broadcaster.support.TestServer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeartbeatTest {

    static long heartbeats(SseStream stream) {
        return stream.comments().stream().filter("heartbeat"::equals).count();
    }

    @Test
    void quietConnectionReceivesHeartbeatComments() {
        try (TestServer server = TestServer.builder().config("broadcaster.heartbeat-interval", "100ms").start();
             SseStream tab = SseStream.connect(server.uri("sse/channels/quiet"), "bob")) {
            tab.awaitRaw(": heartbeat\n\n: heartbeat\n\n");
            assertEquals(List.of(), tab.events(), "heartbeats are comments, not events");
        }
    }

    @Test
    void quietConnectionsGetTheirHeartbeatsSpreadOverTheIntervalNotAllAtOnce() {
        long intervalMs = 1600;
        try (TestServer server = TestServer.builder()
                .config("broadcaster.heartbeat-interval", intervalMs + "ms").start()) {
            List<SseStream> tabs = new ArrayList<>();
            try {
                for (int i = 0; i < 16; i++) {
                    tabs.add(SseStream.connect(server.uri("sse/channels/idle-" + i), "bob"));
                }
                // when each tab first saw a heartbeat: all at one tick, or spread by the timer's slices
                long[] firstSeen = new long[tabs.size()];
                Eventually.equalTo(true, () -> {
                    for (int i = 0; i < tabs.size(); i++) {
                        if (firstSeen[i] == 0 && heartbeats(tabs.get(i)) > 0) {
                            firstSeen[i] = System.nanoTime();
                        }
                    }
                    return Arrays.stream(firstSeen).allMatch(seen -> seen != 0);
                }, "every quiet tab got a heartbeat");
                long spreadMs = (Arrays.stream(firstSeen).max().getAsLong()
                        - Arrays.stream(firstSeen).min().getAsLong()) / 1_000_000;
                assertTrue(spreadMs > intervalMs / 4, "16 quiet tabs' first heartbeats came within " + spreadMs
                        + " ms of each other: one burst, not spread over the " + intervalMs + " ms interval");
            } finally {
                tabs.forEach(SseStream::close);
            }
        }
    }

    @Test
    void vanishedClientIsNoticedWithinTwoHeartbeatsAndLeavesPresenceOnce() {
        try (TestServer server = TestServer.builder().config("broadcaster.heartbeat-interval", "400ms")
                .beans(PresenceRecorder.class).start()) {
            ChannelRegistry registry = server.bean(ChannelRegistry.class);
            PresenceRecorder recorder = server.bean(PresenceRecorder.class);
            var uri = server.uri("sse/channels/fragile-net");
            // the witness's heartbeat comments count the intervals (each connection is visited once an interval)
            try (SseStream witness = SseStream.connect(uri, "bob")) {
                RawSseClient crashed = RawSseClient.stalled(uri, "carol");
                Eventually.equalTo(List.of("bob", "carol"), () -> registry.users("fragile-net"), "carol joined");
                // vanish just after the witness's heartbeat: one in flight to the witness, or an interval that
                // skipped carol (written to less than half an interval before), would count without being a chance
                // to notice her
                long seen = heartbeats(witness);
                Eventually.equalTo(true, () -> heartbeats(witness) > seen, "a tick after carol joined");
                crashed.vanish();
                long ticksBefore = heartbeats(witness);
                Eventually.equalTo(List.of("bob"), () -> registry.users("fragile-net"), "carol noticed gone");
                long ticks = heartbeats(witness) - ticksBefore;
                assertTrue(ticks <= 2, "noticed after " + ticks + " heartbeats");
                // UserLeft once carol's leave grace (broadcaster.presence-leave-grace) is over
                Eventually.equalTo(List.of("joined fragile-net bob", "joined fragile-net carol",
                        "left fragile-net carol"), () -> recorder.on("fragile-net"), "carol left, once");
            }
        }
    }
}
