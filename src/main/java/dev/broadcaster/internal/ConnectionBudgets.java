package dev.broadcaster.internal;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The connection limits of this node: {@code broadcaster.max-connections-per-user} per budget (a user, or for
 * anonymous clients their address) and {@code broadcaster.max-connections} in all. A connection is reserved before
 * it is registered and released when it leaves; both are exact under concurrency (a burst never admits more than
 * the limit). Thread-safe: the per-budget counts change atomically in the map, the total with an atomic counter.
 */
final class ConnectionBudgets {

    /** What a client refused by a limit is asked to wait before trying again ({@code Retry-After}). */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final int perUser;
    private final int perNode;
    private final ConcurrentHashMap<String, Integer> byBudget = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final LongAdder refused = new LongAdder();

    ConnectionBudgets(int perUser, int perNode) {
        this.perUser = perUser;
        this.perNode = perNode;
    }

    /**
     * The budget a connection counts against: its user's, or for an anonymous client its address's (anonymous
     * clients without a known address share one). A principal named like the anonymous user has its own.
     */
    static String budget(String user, boolean anonymous, String clientAddress) {
        if (anonymous) {
            return "address:" + (clientAddress == null ? "unknown" : clientAddress);
        }
        return "user:" + user;
    }

    /** Reserves a connection on {@code budget}; throws the 429 refusal if a limit is reached. */
    void reserve(String budget) {
        byBudget.compute(budget, (key, count) -> {
            int now = count == null ? 0 : count;
            if (now >= perUser) { // thrown inside the compute: the count stays as it was
                refused.increment();
                throw Refusals.tooManyRequests("Too many connections of this " + (budget.startsWith("address:")
                        ? "client address" : "user") + " on this server (broadcaster.max-connections-per-user = "
                        + perUser + "); close one and retry", RETRY_AFTER);
            }
            return now + 1;
        });
        if (total.incrementAndGet() > perNode) {
            total.decrementAndGet();
            releaseBudget(budget);
            refused.increment();
            throw Refusals.tooManyRequests("This server has as many connections as it accepts"
                    + " (broadcaster.max-connections = " + perNode + "); retry later", RETRY_AFTER);
        }
    }

    /** Releases a connection reserved on {@code budget}. */
    void release(String budget) {
        total.decrementAndGet();
        releaseBudget(budget);
    }

    private void releaseBudget(String budget) {
        byBudget.computeIfPresent(budget, (key, count) -> count <= 1 ? null : count - 1);
    }

    /** Connections refused by a limit since start. */
    long refused() {
        return refused.sum();
    }
}
