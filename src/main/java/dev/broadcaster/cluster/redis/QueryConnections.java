package dev.broadcaster.cluster.redis;

import dev.broadcaster.cluster.ClusterUnavailableException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The connections {@link RedisQueries} asks Redis on: at most {@value #MAX}, each opened when a query needs one and
 * none is idle, then kept for the next queries. A query holds one connection while it talks to Redis, so a slow one
 * (a listing of thousands of channels) does not hold the others back. When all are busy, a query waits for one at
 * most {@code maxWaitMillis}, then fails.
 *
 * <p>A connection that failed is closed, never reused. Kept connections may have been closed meanwhile by the
 * other side (Redis's idle {@code timeout}, a proxy): if the one a query took fails to reach Redis (other than by
 * timing out), it and every idle one (idle longer: it was the most recently used) are closed and the query runs once
 * more, on a new connection or one another query has just given back (harmless: queries only read).
 *
 * <p><b>Threads.</b> Any thread may {@link #use} (the query's caller, which then waits on Redis within the socket
 * timeout) and {@link #close}. One monitor, this object's, guards the idle connections and the count; it is never
 * held while talking to Redis (a connection is opened, and closed, outside it).
 */
final class QueryConnections {

    /** Connections at most. */
    static final int MAX = 4;

    private final Supplier<Jedis> opener;
    private final long maxWaitNanos;
    private final ArrayDeque<Jedis> idle = new ArrayDeque<>(); // guarded by this
    private int count; // connections lent or idle, guarded by this
    private boolean closed; // guarded by this

    /**
     * @param opener a new, not yet connected, connection (Jedis connects on its first command)
     * @param maxWaitMillis how long a query waits for a connection when all {@value #MAX} are busy
     */
    QueryConnections(Supplier<Jedis> opener, long maxWaitMillis) {
        this.opener = opener;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMillis);
    }

    /**
     * Runs {@code call} on a connection of its own. What it throws is passed on after the connection is closed; a
     * kept connection found closed is replaced once, as said above.
     *
     * @throws ClusterUnavailableException if no connection became free in time, or these connections are closed
     */
    <T> T use(Function<Jedis, T> call) {
        Borrowed borrowed = borrow();
        try {
            T result = call.apply(borrowed.jedis());
            giveBack(borrowed.jedis());
            return result;
        } catch (JedisConnectionException e) {
            if (!borrowed.kept() || timedOut(e)) { // a timeout: Redis is slow, not gone; asking again would wait again
                discard(borrowed.jedis());
                throw e;
            }
            // the most recently used connection was closed by the other side: so were those idle for longer
            discardWithIdle(borrowed.jedis());
        } catch (RuntimeException | Error e) {
            discard(borrowed.jedis());
            throw e;
        }
        Jedis again = borrow().jedis();
        try {
            T result = call.apply(again);
            giveBack(again);
            return result;
        } catch (RuntimeException | Error e) {
            discard(again);
            throw e;
        }
    }

    /** Closes the idle connections now and the lent ones when they come back; later queries fail. */
    void close() {
        ArrayDeque<Jedis> closing;
        synchronized (this) {
            closed = true;
            closing = new ArrayDeque<>(idle);
            count -= idle.size();
            idle.clear();
            notifyAll();
        }
        closing.forEach(RedisEngine::closeQuietly);
    }

    /** How many connections are open (lent or idle). */
    synchronized int size() {
        return count;
    }

    /** A connection, and whether it was kept from an earlier query (rather than opened now). */
    private record Borrowed(Jedis jedis, boolean kept) {
    }

    private Borrowed borrow() {
        synchronized (this) {
            long deadline = System.nanoTime() + maxWaitNanos;
            while (!closed && idle.isEmpty() && count >= MAX) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new ClusterUnavailableException("Redis backplane query failed: all " + MAX
                            + " query connections stayed busy for " + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos)
                            + " ms", null);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ClusterUnavailableException("Interrupted while waiting for a Redis query connection", e);
                }
            }
            if (closed) {
                throw new ClusterUnavailableException("Redis backplane closed", null);
            }
            if (!idle.isEmpty()) {
                return new Borrowed(idle.pop(), true); // the most recently used: the likeliest to be alive
            }
            count++;
        }
        return new Borrowed(open(), false);
    }

    private Jedis open() {
        try {
            return opener.get();
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                count--;
                notifyAll();
            }
            throw e;
        }
    }

    private void giveBack(Jedis jedis) {
        synchronized (this) {
            if (!closed) {
                idle.push(jedis);
                notifyAll();
                return;
            }
            count--;
        }
        RedisEngine.closeQuietly(jedis);
    }

    private void discard(Jedis jedis) {
        synchronized (this) {
            count--;
            notifyAll();
        }
        RedisEngine.closeQuietly(jedis);
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private void discardWithIdle(Jedis jedis) {
        ArrayDeque<Jedis> closing;
        synchronized (this) {
            closing = new ArrayDeque<>(idle);
            closing.push(jedis);
            count -= closing.size();
            idle.clear();
            notifyAll();
        }
        closing.forEach(RedisEngine::closeQuietly);
    }
}
