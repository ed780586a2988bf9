package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.ChannelOverloadedException;
import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import dev.broadcaster.cluster.ClusterEngine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A channel below HTTP: members with {@link RecordingSink}s, the executor turned by hand, so each test says exactly
 * when fan-outs and writes happen. The same behaviours over HTTP are in {@code DeliveryTest}, {@code ResumeTest},
 * {@code PresenceTest} and the cluster tests.
 */
class ChannelTest {

    private final HandTurnedExecutor executor = new HandTurnedExecutor();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Workers workers = Workers.on(executor, timer);
    private final Connection.Limits limits = new Connection.Limits(1000, 1 << 20, TimeUnit.SECONDS.toNanos(60),
            ControlEvents.closing("evicted", 1000));
    private final AtomicInteger resyncs = new AtomicInteger();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private Channel channel(ChannelLog log, int fanOutQueueSize, long maxReplayBytes) {
        return new Channel("room", null, false, log, new Channel.Context(executor, ch -> new PresenceUpdater(ch,
                PresenceUpdater.THIS_NODE, executor, () -> { }, () -> { }, () -> { }), resyncs::incrementAndGet,
                fanOutQueueSize, maxReplayBytes, 64 * 1024));
    }

    private Channel localChannel(int history) {
        return channel(new LocalLog(history, 64 * 1024), Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /** Joins a new connection of {@code user} (resuming after {@code lastEventId}, if any) and writes its catch-up. */
    private RecordingSink join(Channel channel, String user, String lastEventId, ClusterEngine.Replay fetched) {
        RecordingSink sink = new RecordingSink();
        Connection connection = new Connection(new ConnectionInfo(user + "-" + System.nanoTime(), channel.name(), user,
                Instant.now()), sink, workers, limits, (gone, evicted) -> { });
        channel.add(connection, lastEventId, 0, fetched, false);
        connection.start();
        executor.runAll();
        return sink;
    }

    private static ChannelLog.Publication event(String data) {
        return ChannelLog.Publication.of(SseEvent.data(data), -1);
    }

    private static ClusterEngine.IdentifiedEvent ordered(long position, String data) {
        String id = "1-" + position;
        return new ClusterEngine.IdentifiedEvent(id, position, SseEvent.data(data).withId(id));
    }

    @Test
    void aJoinerResumingAfterAnIdGetsExactlyTheEventsItMissedThenTheLiveOnes() {
        Channel channel = localChannel(10);
        RecordingSink first = join(channel, "alice", null, null);
        channel.publish(event("e1"), Set.of());
        channel.publish(event("e2"), Set.of());
        channel.publish(event("e3"), Set.of());
        executor.runAll();
        assertEquals(List.of("e1", "e2", "e3"), first.data());

        RecordingSink resumed = join(channel, "bob", first.ids().get(0), null);
        channel.publish(event("e4"), Set.of());
        executor.runAll();

        assertEquals(List.of("e2", "e3", "e4"), resumed.data());
        assertEquals(first.ids().subList(1, 4), resumed.ids());
        assertEquals(List.of("e1", "e2", "e3", "e4"), first.data());
        assertEquals(0, resyncs.get());
    }

    @Test
    void anIdOfAnotherChannelLifeIsAResyncNotAReplay() {
        Channel channel = localChannel(10);
        RecordingSink reader = join(channel, "alice", null, null);
        channel.publish(event("e1"), Set.of());
        executor.runAll();
        Channel recreated = localChannel(10);
        recreated.publish(event("new life"), Set.of());

        RecordingSink sink = join(recreated, "alice", reader.ids().get(0), null);

        assertEquals(List.of("resync"), sink.names());
        assertEquals("{\"channel\":\"room\",\"reason\":\"unknown-id\"}", sink.data().get(0));
        assertEquals(1, resyncs.get());
    }

    @Test
    void eventsNoLongerKeptAreAResyncWithReasonExpiredAndTheNewestId() {
        Channel channel = localChannel(2);
        RecordingSink reader = join(channel, "alice", null, null);
        for (int i = 1; i <= 4; i++) {
            channel.publish(event("e" + i), Set.of());
        }
        executor.runAll();

        RecordingSink late = join(channel, "bob", reader.ids().get(0), null);

        assertEquals(List.of("resync"), late.names());
        assertEquals("{\"channel\":\"room\",\"reason\":\"expired\"}", late.data().get(0));
        assertEquals(reader.ids().get(3), late.ids().get(0));
    }

    @Test
    void aCatchUpLargerThanTheReplayBoundIsOneResyncTooLarge() {
        // each event is about 105 bytes on the wire: one fits in 150, two do not
        Channel channel = channel(new LocalLog(10, 64 * 1024), Integer.MAX_VALUE, 150);
        RecordingSink reader = join(channel, "alice", null, null);
        channel.publish(event("x".repeat(80)), Set.of());
        channel.publish(event("y".repeat(80)), Set.of());
        executor.runAll();

        RecordingSink late = join(channel, "bob", reader.ids().get(0), null);
        RecordingSink tooMuch = new RecordingSink();
        Connection connection = new Connection(new ConnectionInfo("d", "room", "dave", Instant.now()), tooMuch, workers,
                limits, (gone, evicted) -> { });
        channel.add(connection, null, 2, null, false);
        connection.start();
        executor.runAll();

        assertEquals(List.of("y".repeat(80)), late.data(), "one event is within the bound");
        assertEquals(List.of("resync"), tooMuch.names());
        assertEquals("{\"channel\":\"room\",\"reason\":\"too-large\"}", tooMuch.data().get(0));
        assertEquals(reader.ids().get(1), tooMuch.ids().get(0), "the resync carries the newest id");
        assertEquals(1, resyncs.get());
    }

    @Test
    void aLargeChannelFansOutOnTheExecutorAndASendAfterAPublishArrivesAfterIt() {
        Channel channel = localChannel(10);
        List<RecordingSink> sinks = new ArrayList<>();
        List<Connection> members = new ArrayList<>();
        for (int i = 0; i < Channel.INLINE_FANOUT + 8; i++) {
            RecordingSink sink = new RecordingSink();
            Connection connection = new Connection(new ConnectionInfo("c" + i, "room", "u" + i, Instant.now()), sink,
                    workers, limits, (gone, evicted) -> { });
            channel.add(connection, null, 0, null, false);
            connection.start();
            sinks.add(sink);
            members.add(connection);
        }
        executor.runAll();

        assertEquals(sinks.size(), channel.publish(event("to all"), Set.of()));
        assertTrue(channel.send(members.get(0), SseEncoder.encode(SseEvent.data("to one"))));
        assertTrue(sinks.get(0).events().isEmpty(), "nothing is written before the executor runs the fan-out");

        executor.runAll();

        assertEquals(List.of("to all", "to one"), sinks.get(0).data());
        sinks.subList(1, sinks.size()).forEach(sink -> assertEquals(List.of("to all"), sink.data()));
    }

    @Test
    void aFullFanOutQueueRefusesAnApplicationsPublishButNotAnEventPublishedAlready() {
        Channel channel = channel(new ClusterLog(10), 1, Long.MAX_VALUE);
        List<RecordingSink> sinks = new ArrayList<>();
        for (int i = 0; i < Channel.INLINE_FANOUT + 1; i++) {
            sinks.add(join(channel, "u" + i, null, null));
        }
        channel.publish(event("queued"), Set.of());

        assertThrows(ChannelOverloadedException.class, () -> channel.publish(event("refused"), Set.of()));
        assertFalse(channel.hasFanOutRoom());
        channel.deliver(ChannelLog.Publication.ordered(ordered(1, "from the backplane"), -1), Set.of());
        executor.runAll();

        assertEquals(List.of("queued", "from the backplane"), sinks.get(0).data());
        assertEquals(2, channel.historySize(), "the refused publish was not recorded");
        assertTrue(channel.hasFanOutRoom());
    }

    @Test
    void presenceGoesToLaterJoinersOnceWithoutAnIdAndIsNotHistory() {
        Channel channel = localChannel(10);
        RecordingSink present = join(channel, "alice", null, null);
        channel.publish(event("e1"), Set.of());
        channel.sendPresence(List.of(SseEvent.named("presence", "alice")));
        executor.runAll();

        RecordingSink later = join(channel, "bob", present.ids().get(0), null);

        assertEquals(List.of("e1", "alice"), present.data());
        assertNull(present.ids().get(1), "presence has no id");
        assertEquals(List.of("alice"), later.data(), "nothing missed, then the current presence");
        assertEquals(1, channel.historySize());
    }

    @Test
    void anOwnPublishDeliveredWhileTheBackplaneWasDownIsNotDeliveredAgainWhenTheBackplaneOrdersIt() {
        Channel channel = channel(new ClusterLog(10), Integer.MAX_VALUE, Long.MAX_VALUE);
        RecordingSink sink = join(channel, "alice", null, null);

        assertEquals(1, channel.deliver(ChannelLog.Publication.of(SseEvent.data("mine"), 7), Set.of()));
        assertEquals(0, channel.deliver(ChannelLog.Publication.ordered(ordered(1, "mine"), 7), Set.of()));
        assertEquals(1, channel.deliver(ChannelLog.Publication.ordered(ordered(2, "theirs"), -1), Set.of()));
        executor.runAll();

        assertEquals(List.of("mine", "theirs"), sink.data());
        assertTrue(sink.ids().get(0).contains("~"), "an id of this node, never a backplane id: " + sink.ids());
        assertEquals("1-2", sink.ids().get(1));
    }

    @Test
    void aResumeFromARecentIdIsAnsweredHereAndAFetchedReplayMeetsTheLiveEventsOnce() {
        Channel channel = channel(new ClusterLog(10), Integer.MAX_VALUE, Long.MAX_VALUE);
        channel.deliver(ChannelLog.Publication.ordered(ordered(1, "e1"), -1), Set.of());
        channel.deliver(ChannelLog.Publication.ordered(ordered(2, "e2"), -1), Set.of());
        assertTrue(channel.answersAlone("1-1"));
        assertFalse(channel.answersAlone("1-0"), "not kept here: the backplane must be asked");

        RecordingSink fromRecent = join(channel, "alice", "1-1", null);
        // a client resuming from an id this node never saw: the backplane's replay (up to position 2) is fetched
        ClusterEngine.Replay fetched = new ClusterEngine.Replay(0, List.of(ordered(1, "e1"), ordered(2, "e2")));
        RecordingSink fromBackplane = join(channel, "bob", "1-0", fetched);
        // the backplane delivers position 2 again (it was in flight) and then 3
        channel.deliver(ChannelLog.Publication.ordered(ordered(2, "e2"), -1), Set.of());
        channel.deliver(ChannelLog.Publication.ordered(ordered(3, "e3"), -1), Set.of());
        executor.runAll();

        assertEquals(List.of("e2", "e2", "e3"), fromRecent.data(), "a connection that did not replay gets what comes");
        assertEquals(List.of("e1", "e2", "e3"), fromBackplane.data(), "replayed ones are not delivered twice");
    }

    @Test
    void afterTheBackplaneComesBackEveryMemberGetsResyncAndOlderIdsAreNoLongerAnsweredHere() {
        Channel channel = channel(new ClusterLog(10), Integer.MAX_VALUE, Long.MAX_VALUE);
        RecordingSink sink = join(channel, "alice", null, null);
        channel.deliver(ChannelLog.Publication.ordered(ordered(1, "e1"), -1), Set.of());

        channel.resyncMembers(ControlEvents.Reason.BACKPLANE_RECOVERED);
        executor.runAll();

        assertEquals(java.util.Arrays.asList(null, "resync"), sink.names());
        assertEquals("{\"channel\":\"room\",\"reason\":\"backplane-recovered\"}", sink.data().get(1));
        assertFalse(channel.answersAlone("1-1"));
        assertEquals(1, resyncs.get());
    }
}
