package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.ConnectionInfo;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A heartbeat reaches every quiet connection, and hands their writes to the pool a chunk at a time, as a fan-out
 * does ({@link DrainStarts}): on a quiet server nearly every connection gets one, and after a mass disconnect every
 * client gone is found by it; one task per connection was one executor hand-off each. Each of the timer's ticks
 * reaches one slice of the connections, so those writes are spread over the interval.
 */
class HeartbeatChunksTest {

    private final CountingPool pool = new CountingPool();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Workers workers = Workers.on(pool, timer);
    private final BroadcasterSettings settings = BroadcasterConfig.read(new SmallRyeConfigBuilder().build());

    @AfterEach
    void stop() {
        pool.shutdownNow();
        timer.shutdownNow();
    }

    @Test
    void aHeartbeatToManyQuietConnectionsReachesEachAndIsHandedToThePoolAChunkAtATime() {
        int quiet = 4 * DrainStarts.CHUNK;
        List<RecordingSink> clients = new ArrayList<>();
        List<Connection> connections = new ArrayList<>();
        Housekeeping housekeeping = housekeepingOf(quiet, clients, connections);
        int tasksBefore = pool.tasks.get();

        // every slice at once, all quiet for an interval
        housekeeping.tick(Housekeeping.ALL_SLICES, System.nanoTime() + settings.heartbeatInterval().toNanos());

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (RecordingSink client : clients) {
            while (!client.frames().contains(ControlEvents.heartbeat())) {
                assertTrue(System.nanoTime() < deadline, "every quiet connection got the heartbeat within 5 s");
                Thread.onSpinWait();
            }
        }
        assertEquals(quiet / DrainStarts.CHUNK, pool.tasks.get() - tasksBefore,
                "tasks handed to the pool for " + quiet + " heartbeats");
    }

    @Test
    void eachTimerTickReachesOneSliceOfTheQuietConnectionsAndAnIntervalOfTicksReachesEachOnce() {
        List<RecordingSink> clients = new ArrayList<>();
        List<Connection> connections = new ArrayList<>();
        Housekeeping housekeeping = housekeepingOf(4 * Housekeeping.SLICES, clients, connections);
        long now = System.nanoTime() + settings.heartbeatInterval().toNanos(); // all quiet for an interval
        int largestSlice = 0;
        for (int slice = 0; slice < Housekeeping.SLICES; slice++) {
            housekeeping.tick(slice, now);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int reached = 0;
            for (int i = 0; i < clients.size(); i++) {
                if (Housekeeping.slice(connections.get(i)) == slice) {
                    reached++;
                    while (heartbeats(clients.get(i)) == 0) {
                        assertTrue(System.nanoTime() < deadline, "connection c" + i + " got its tick's heartbeat");
                        Thread.onSpinWait();
                    }
                }
            }
            largestSlice = Math.max(largestSlice, reached);
            for (int i = 0; i < clients.size(); i++) {
                int expected = Housekeeping.slice(connections.get(i)) <= slice ? 1 : 0;
                assertEquals(expected, heartbeats(clients.get(i)), "heartbeats of c" + i + " after the tick of slice "
                        + slice + " (its slice: " + Housekeeping.slice(connections.get(i)) + ")");
            }
        }
        assertTrue(largestSlice < clients.size() / 4, "the largest tick reached " + largestSlice + " of "
                + clients.size() + " quiet connections");
    }

    /** The housekeeping of {@code count} started connections (c0, c1, ...) and their clients, added to the lists. */
    private Housekeeping housekeepingOf(int count, List<RecordingSink> clients, List<Connection> connections) {
        for (int i = 0; i < count; i++) {
            RecordingSink client = new RecordingSink();
            clients.add(client);
            connections.add(started("c" + i, client));
        }
        Channels none = new Channels(settings, workers, new Counters(), limits(), new LocalTopology(),
                new Channels.Listeners(joined -> { }, left -> { }), () -> { });
        return new Housekeeping(settings, workers, none, () -> connections, () -> { });
    }

    private static long heartbeats(RecordingSink client) {
        return client.frames().stream().filter(ControlEvents.heartbeat()::equals).count();
    }

    private Connection.Limits limits() {
        return new Connection.Limits(100, 1 << 20, TimeUnit.SECONDS.toNanos(30), SseEncoder.comment("evicted"));
    }

    /** A connection whose first drain ran, so its next one starts as a live connection's does. */
    private Connection started(String id, RecordingSink client) {
        Connection connection = new Connection(new ConnectionInfo(id, "ch", "bob", Instant.now()), client, workers,
                limits(), (conn, evicted) -> { });
        connection.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!connection.idle()) {
            assertTrue(System.nanoTime() < deadline, "connection " + id + " started within 5 s");
            Thread.onSpinWait();
        }
        return connection;
    }

    /** A pool of two threads that counts the tasks handed to it. */
    private static final class CountingPool extends ThreadPoolExecutor {
        final AtomicInteger tasks = new AtomicInteger();

        CountingPool() {
            super(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        }

        @Override
        public void execute(Runnable task) {
            tasks.incrementAndGet();
            super.execute(task);
        }
    }
}
