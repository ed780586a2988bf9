package dev.broadcaster.cluster.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.cluster.ClusterUnavailableException;
import dev.broadcaster.cluster.RedisProcess;
import dev.broadcaster.support.Eventually;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

/**
 * The engine's queries on a real Redis: each runs on a connection of its own, so one that waits on Redis holds no
 * other back; there are at most {@value QueryConnections#MAX} such connections; a query fails at once while the
 * backplane is down, and a kept connection that Redis closed meanwhile is replaced without failing the query.
 *
 * <p>A slow query is made with a blocking {@code BLPOP} on a key nobody pushes to, run through the queries' own
 * connections: Redis answers it only when the test pushes, so "slow" lasts exactly as long as the test wants.
 */
@Timeout(60)
class RedisQueriesTest {

    private RedisProcess redis;
    private Jedis control;
    private RedisQueries queries;
    private final AtomicBoolean up = new AtomicBoolean(true);
    private final List<CompletableFuture<?>> slowQueries = new ArrayList<>();

    @BeforeEach
    void start() {
        redis = RedisProcess.start();
        URI uri = URI.create(redis.uri());
        control = new Jedis(uri, DefaultJedisClientConfig.builder().build());
        queries = new RedisQueries(uri, RedisEngine.clientConfig(uri, 2000), new RedisKeys("q"), 50, up::get,
                new RedisQueries.EntryCheck(Signatures.none(), new Rejections()));
        control.sadd("q:channels", "lobby", "kitchen");
    }

    @AfterEach
    void stop() {
        if (control != null) {
            slowQueries.forEach(slow -> control.lpush("q:never", "done")); // one for each that still waits
            slowQueries.forEach(slow -> slow.handle((result, failure) -> null).join());
            control.close();
        }
        if (queries != null) {
            queries.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aQueryWaitingOnRedisHoldsNoOtherQueryBack() {
        CompletableFuture<List<String>> slow = slowQuery();
        awaitBlockedQueries(1);

        CompletableFuture<Integer> count = CompletableFuture.supplyAsync(() -> queries.channelCount(Set.of()));
        Eventually.equalTo(true, count::isDone, "the channel count answered while the slow query waits");
        assertEquals(2, count.join());
        assertFalse(slow.isDone(), "the slow query still waits on Redis");

        control.lpush("q:never", "at last");
        assertEquals(List.of("q:never", "at last"), slow.join());
    }

    @Test
    void atMostFourQueriesTalkToRedisAtOnceAndAFifthWaitsThenFails() {
        for (int i = 0; i < QueryConnections.MAX; i++) {
            slowQuery();
        }
        awaitBlockedQueries(QueryConnections.MAX);
        assertEquals(QueryConnections.MAX, queries.connectionsOpen());

        ClusterUnavailableException busy = assertThrows(ClusterUnavailableException.class,
                () -> queries.channelCount(Set.of()));
        assertTrue(busy.getMessage().contains("busy"), busy.getMessage());
        assertEquals(QueryConnections.MAX, queries.connectionsOpen(), "no fifth connection");

        control.lpush("q:never", "one");
        Eventually.equalTo(QueryConnections.MAX - 1, this::blockedQueries, "one slow query answered");
        assertEquals(2, queries.channelCount(Set.of()), "a query on the connection it gave back");
        assertEquals(QueryConnections.MAX, queries.connectionsOpen());
    }

    @Test
    void aQueryFailsAtOnceWithoutAConnectionWhileTheBackplaneIsDown() {
        up.set(false);
        assertThrows(ClusterUnavailableException.class, () -> queries.channelCount(Set.of()));
        assertEquals(0, queries.connectionsOpen());
        assertEquals(1, clients().size(), "only the test's own connection: " + clients());
    }

    @Test
    void aKeptConnectionThatRedisClosedIsReplacedWithoutFailingTheQuery() {
        assertEquals(2, queries.channelCount(Set.of()));
        long own = control.clientId();
        for (String client : clients()) {
            long id = Long.parseLong(field(client, "id"));
            if (id != own) {
                control.clientKill(new redis.clients.jedis.params.ClientKillParams().id(Long.toString(id)));
            }
        }
        assertEquals(1, clients().size(), "the query connection closed by Redis");

        assertEquals(3, queries.channelCount(Set.of("cellar")), "counted on a new connection");
        assertEquals(1, queries.connectionsOpen());
    }

    @Test
    void theChannelCountCountsTheNamesGivenThatRedisDoesNotHold() {
        assertEquals(2, queries.channelCount(Set.of()));
        assertEquals(2, queries.channelCount(Set.of("lobby")));
        assertEquals(4, queries.channelCount(Set.of("lobby", "cellar", "attic")));
    }

    // ---- slow queries ----

    /** A query that waits on Redis until the test pushes to {@code q:never}. */
    private CompletableFuture<List<String>> slowQuery() {
        CompletableFuture<List<String>> slow = CompletableFuture.supplyAsync(
                () -> queries.query(jedis -> jedis.blpop(0, "q:never")), runnable -> {
                    Thread thread = new Thread(runnable, "slow-query");
                    thread.setDaemon(true);
                    thread.start();
                });
        slowQueries.add(slow);
        return slow;
    }

    private void awaitBlockedQueries(int count) {
        Eventually.equalTo(count, this::blockedQueries, "queries blocked in BLPOP");
    }

    private int blockedQueries() {
        return (int) clients().stream().filter(client -> field(client, "flags").contains("b")).count();
    }

    private List<String> clients() {
        return Arrays.stream(control.clientList().split("\n")).filter(line -> !line.isBlank()).toList();
    }

    private static String field(String client, String name) {
        return Arrays.stream(client.trim().split(" ")).filter(part -> part.startsWith(name + "="))
                .map(part -> part.substring(name.length() + 1)).findFirst().orElse("");
    }
}
