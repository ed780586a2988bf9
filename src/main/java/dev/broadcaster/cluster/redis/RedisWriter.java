package dev.broadcaster.cluster.redis;

import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.cluster.ClusterNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The engine's writer: everything this node tells Redis goes through its queue, and its thread sends it.
 *
 * <p><b>Threads.</b> One thread, {@code broadcaster-redis-writer}, owns the writer's Redis connection and runs
 * {@link #run}: it takes what is queued (up to {@value #BATCH} at a time) and sends it in one pipeline, beats
 * every third of the node timeout and reaps the nodes whose beat expired, and after an outage recovers: it
 * registers this node's connections again, tells the other nodes which channels this node published to while it
 * was cut off ({@code R} messages), and sends the kills, disconnects and sends that could not be sent meanwhile.
 * It blocks on the queue (until the next beat is due) and on Redis (2 s socket timeout). When Redis fails, or the
 * queue overflowed ({@link #failSoon}), it reports the loss to the engine, runs the fallback of every publish that
 * may not have arrived (the node then delivers it itself, on this thread), keeps the ops that must be sent later
 * ({@link Op#later}), drops the rest (joins and leaves: the registration is replaced on recovery), closes its
 * connection and retries with backoff (100 ms up to a third of the node timeout, at most 2 s). Any thread may
 * {@link #offer}; the queue is bounded ({@code broadcaster.cluster.max-queued}, by default {@value #MAX_QUEUED}). {@link #stop} closes the connection's socket from the
 * caller's thread and never waits for the thread.
 */
final class RedisWriter {

    private static final System.Logger LOG = System.getLogger(RedisWriter.class.getName());
    static final int MAX_QUEUED = 100_000;
    static final int BATCH = 512;

    /**
     * Something the writer sends; {@code fallback} runs if the backplane failed before it surely arrived; an op
     * {@code later} is kept and sent once the backplane is back if it could not be sent (kill, disconnect, send).
     */
    record Op(String script, List<String> keys, List<String> args, Runnable fallback, boolean later) {
        Op(String script, List<String> keys, List<String> args, Runnable fallback) {
            this(script, keys, args, fallback, false);
        }
    }

    /** Sends nothing: only wakes the writer up. */
    private static final Op WAKE_UP = new Op(null, List.of(), List.of(), null);

    private final RedisEngine engine;
    private final RedisKeys keys;
    private final String prefix;
    private final long nodeTimeoutMillis;
    private final ClusterNode node;
    private final LinkedBlockingQueue<Op> queue; // bounded: maxQueued
    private final int maxQueued;
    private final long maxBackoffMillis;
    private final int historySize;
    private volatile boolean connected;
    private volatile boolean recover;
    private volatile boolean overflowed;
    private volatile Jedis current; // the thread's connection, for stop() to close
    private long refusals; // confined to the writer's thread
    private long lastRefusalLogged; // confined to the writer's thread
    private Thread thread;

    RedisWriter(RedisEngine engine, RedisKeys keys, String prefix, long nodeTimeoutMillis, int historySize,
                int maxQueued, ClusterNode node) {
        this.queue = new LinkedBlockingQueue<>(maxQueued);
        this.maxQueued = maxQueued;
        this.historySize = historySize;
        this.engine = engine;
        this.keys = keys;
        this.prefix = prefix;
        this.nodeTimeoutMillis = nodeTimeoutMillis;
        this.node = node;
        this.maxBackoffMillis = RedisEngine.maxBackoff(nodeTimeoutMillis);
    }

    void start() {
        thread = RedisEngine.daemon("broadcaster-redis-writer", this::run);
        thread.start();
    }

    /** Stops the thread (the engine is closed): closes its connection's socket, never waits. */
    void stop() {
        if (thread != null) {
            thread.interrupt();
        }
        Jedis jedis = current;
        if (jedis != null) {
            try {
                jedis.getConnection().forceDisconnect();
            } catch (java.io.IOException | RuntimeException e) {
                // already closed
            }
        }
    }

    /** Whether the writer's connection reached Redis (and beat) since it last failed. */
    boolean connected() {
        return connected;
    }

    /** Queues {@code op}; false if the queue is full. */
    boolean offer(Op op) {
        return queue.offer(op);
    }

    /**
     * Has the thread recover before it sends anything more (the engine is up): register this node's connections
     * again, tell the others where this node published alone, send what waited.
     */
    void recoverSoon() {
        recover = true;
        queue.offer(WAKE_UP);
    }

    /** The queue overflowed: the thread fails as if Redis had, so the engine goes down and recovers. */
    void failSoon() {
        overflowed = true;
        queue.offer(WAKE_UP);
    }

    /** The op that records {@code connection} as open on this node and announces the presence change. */
    Op joinOp(ConnectionInfo connection) {
        String value = node.id() + "\t" + connection.connectedAt().toEpochMilli() + "\t" + connection.user();
        return new Op(RedisScripts.JOIN, keys.registration(connection.channel(), node.id()),
                List.of(connection.id(), value, connection.channel(),
                        engine.seal(BusMessage.presence(node.id(), connection.channel()))),
                null);
    }

    private void run() {
        Jedis jedis = null;
        long backoff = 100;
        long beatEvery = Math.max(50, nodeTimeoutMillis / 3);
        long nextBeat = 0;
        List<Op> batch = new ArrayList<>(BATCH);
        while (!engine.closed()) {
            try {
                if (overflowed) {
                    overflowed = false;
                    throw new IllegalStateException("writer queue full (" + maxQueued + " operations)");
                }
                if (jedis == null) {
                    jedis = engine.connect();
                    current = jedis;
                    if (engine.closed()) {
                        break;
                    }
                    nextBeat = 0;
                }
                if (recover) {
                    recover = false;
                    registerAgain(jedis);
                    engine.sendLater().forEach(batch::add);
                }
                if (engine.ready()) {
                    tellPublishedAlone(jedis);
                }
                long now = System.currentTimeMillis();
                if (now >= nextBeat) {
                    boolean unknown = beat(jedis);
                    engine.reap(jedis);
                    if (unknown && engine.ready()) {
                        registerAgain(jedis); // Redis restarted, or the others gave this node up during a pause
                    }
                    nextBeat = now + beatEvery;
                    connected = true;
                    backoff = 100;
                    engine.becomeUpIfReady();
                }
                if (batch.isEmpty()) {
                    Op first = queue.poll(Math.max(1, nextBeat - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                }
                queue.drainTo(batch, BATCH - 1);
                Pipeline pipeline = jedis.pipelined();
                List<Op> sent = new ArrayList<>(batch.size());
                for (Op op : batch) {
                    if (op.script() != null) {
                        pipeline.eval(op.script(), op.keys(), op.args());
                        sent.add(op);
                    }
                }
                List<Object> replies = pipeline.syncAndReturnAll();
                for (int i = 0; i < replies.size() && i < sent.size(); i++) {
                    if (replies.get(i) instanceof JedisDataException refused) {
                        refusedByRedis(sent.get(i), refused);
                    }
                }
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                if (engine.closed()) {
                    break;
                }
                connected = false;
                engine.lost("writer", e);
                RedisEngine.closeQuietly(jedis);
                jedis = null;
                current = null;
                // what was on its way may or may not have arrived; what was queued will not be sent now
                batch.addAll(queue);
                queue.clear();
                for (Op op : batch) {
                    if (op.fallback() != null) {
                        RedisEngine.runGuarded(op.fallback(), "deliver a publish locally");
                    } else if (op.later()) {
                        engine.keepForLater(op);
                    }
                }
                batch.clear();
                RedisEngine.sleep(backoff);
                backoff = Math.min(maxBackoffMillis, backoff * 2);
            }
        }
        RedisEngine.closeQuietly(jedis);
        current = null;
    }

    /**
     * Redis refused {@code op} (a script error: out of memory at {@code maxmemory}, an ACL that denies a command, a
     * key of the wrong type): a publish is delivered on this node only (and the other nodes are told to resync that
     * channel), anything else is logged, at most once a minute.
     */
    private void refusedByRedis(Op op, JedisDataException e) {
        if (op.fallback() != null) {
            RedisEngine.runGuarded(op.fallback(), "deliver a publish Redis refused locally");
        }
        long now = System.nanoTime();
        refusals++;
        if (now - lastRefusalLogged > 60_000_000_000L || lastRefusalLogged == 0) {
            LOG.log(System.Logger.Level.WARNING, "Redis refused " + refusals + " operation(s) of the cluster engine"
                    + " since the last such warning, the latest: " + e.getMessage()
                    + (op.fallback() != null ? " (publishes are delivered on this node only, the others resync)" : ""));
            lastRefusalLogged = now;
            refusals = 0;
        }
    }

    /** Tells every node which channels this node published to while cut off: they resync their clients of them. */
    private void tellPublishedAlone(Jedis jedis) {
        Set<String> channels = engine.takePublishedAlone();
        if (channels.isEmpty()) {
            return;
        }
        try {
            Pipeline pipeline = jedis.pipelined();
            for (String channel : channels) {
                String message = engine.seal(BusMessage.missed(node.id(), channel));
                if (channel.isEmpty()) {
                    pipeline.eval(RedisScripts.BUS, List.of(keys.bus()), List.of(message));
                } else {
                    pipeline.eval(RedisScripts.MISSED, List.of(keys.stream(channel), keys.bus()),
                            List.of(message, Integer.toString(historySize)));
                }
            }
            pipeline.sync();
        } catch (RuntimeException e) {
            engine.publishedAlone(channels); // told once the backplane is back again
            throw e;
        }
    }

    private boolean beat(Jedis jedis) {
        Object added = jedis.eval(RedisScripts.BEAT, List.of(keys.nodes()),
                List.of(node.id(), Long.toString(nodeTimeoutMillis)));
        return ((Number) added).longValue() == 1;
    }

    /**
     * Replaces whatever Redis holds for this node by its connections now: after an outage Redis may have
     * lost them (restart), or still hold some that left meanwhile.
     */
    private void registerAgain(Jedis jedis) {
        jedis.zadd(keys.nodes(), 0, node.id());
        engine.reap(jedis);
        beat(jedis);
        Pipeline pipeline = jedis.pipelined();
        for (ConnectionInfo connection : node.localConnections()) {
            Op op = joinOp(connection);
            pipeline.eval(op.script(), op.keys(), op.args());
        }
        pipeline.sync();
    }
}
