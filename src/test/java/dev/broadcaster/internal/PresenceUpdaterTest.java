package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.PresenceRenderer;
import dev.broadcaster.SseEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Presence below HTTP: a burst of changes is one render, a render happens only when the users it would show
 * changed (unless forced), and what it renders reaches the members in order. Over HTTP: {@code PresenceTest},
 * {@code PresenceChurnTest}.
 */
class PresenceUpdaterTest {

    private final HandTurnedExecutor executor = new HandTurnedExecutor();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Workers workers = Workers.on(executor, timer);
    private final Connection.Limits limits = new Connection.Limits(1000, 1 << 20, TimeUnit.SECONDS.toNanos(60),
            ControlEvents.closing("evicted", 1000));
    private final List<List<String>> renders = new ArrayList<>();
    private final PresenceRenderer renderer = (channel, users) -> {
        renders.add(users);
        return SseEvent.named("presence", String.join(",", users));
    };
    private final Channel channel = new Channel("room", renderer, false, new LocalLog(10, 64 * 1024),
            new Channel.Context(executor, ch -> new PresenceUpdater(ch, PresenceUpdater.THIS_NODE, executor, () -> { },
                    () -> { }, () -> { }), () -> { }, Integer.MAX_VALUE, Long.MAX_VALUE, 64 * 1024));

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private RecordingSink join(String user) {
        RecordingSink sink = new RecordingSink();
        Connection connection = new Connection(new ConnectionInfo(user + renders.size() + System.nanoTime(), "room",
                user, Instant.now()), sink, workers, limits, (gone, evicted) -> { });
        channel.add(connection, null, 0, null, false);
        connection.start();
        return sink;
    }

    @Test
    void aBurstOfJoinsIsOneRenderWithTheUsersOfTheEnd() {
        RecordingSink alice = join("alice");
        channel.presenceChanged();
        join("bob");
        channel.presenceChanged();
        join("carol");
        channel.presenceChanged();

        executor.runAll();

        assertEquals(List.of(List.of("alice", "bob", "carol")), renders);
        assertEquals(List.of("alice,bob,carol"), alice.data());
    }

    @Test
    void theSameUsersAreNotRenderedAgainUnlessForced() {
        RecordingSink alice = join("alice");
        channel.presenceChanged();
        executor.runAll();
        join("alice"); // a second tab: the users presence shows did not change
        channel.presenceChanged();
        executor.runAll();

        assertEquals(1, renders.size());

        channel.presenceChanged(true);
        executor.runAll();

        assertEquals(2, renders.size());
        assertEquals(List.of("alice", "alice"), alice.data());
    }
}
