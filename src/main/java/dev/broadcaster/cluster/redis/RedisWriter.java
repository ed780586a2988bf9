package dev.broadcaster.cluster.redis;

import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.cluster.ClusterNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * The engine's writer: everything this node tells Redis goes through its queue, and its thread sends it.
 *
 * <p><b>Threads.</b> One thread, {@code broadcaster-redis-writer}, owns the writer's Redis connection and runs
 * {@link #run}: it takes what is queued (up to {@value #BATCH} at a time) and sends it in one pipeline, beats
 * every third of the node timeout and reaps the nodes whose beat expired, and registers this node's connections
 * again when asked to. It blocks on the queue (until the next beat is due) and on Redis (2 s socket timeout).
 * When Redis fails it reports the loss to the engine, runs the fallback of every op that may not have arrived
 * (the node then delivers those publishes itself, on this thread), drops the rest, and retries with backoff (100
 * ms to 2 s). Any thread may {@link #offer}; the queue is bounded ({@value #MAX_QUEUED}).
 */
final class RedisWriter {

    static final int MAX_QUEUED = 100_000;
    static final int BATCH = 512;

    /** Something the writer sends; {@code fallback} runs if the backplane failed before it surely arrived. */
    record Op(String script, List<String> keys, List<String> args, Runnable fallback) {
    }

    /** Sends nothing: only wakes the writer up. */
    private static final Op WAKE_UP = new Op(null, List.of(), List.of(), null);

    private final RedisEngine engine;
    private final RedisKeys keys;
    private final String prefix;
    private final long nodeTimeoutMillis;
    private final ClusterNode node;
    private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    private volatile boolean connected;
    private volatile boolean reregister;
    private Thread thread;

    RedisWriter(RedisEngine engine, RedisKeys keys, String prefix, long nodeTimeoutMillis, ClusterNode node) {
        this.engine = engine;
        this.keys = keys;
        this.prefix = prefix;
        this.nodeTimeoutMillis = nodeTimeoutMillis;
        this.node = node;
    }

    void start() {
        thread = new Thread(this::run, "broadcaster-redis-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the thread (the engine is closed). */
    void stop() {
        if (thread != null) {
            thread.interrupt();
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

    /** Has the thread register this node's connections again before it sends anything more (the engine is up). */
    void registerAgainSoon() {
        reregister = true;
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
                if (jedis == null) {
                    jedis = engine.connect();
                    nextBeat = 0;
                }
                if (reregister) {
                    reregister = false;
                    registerAgain(jedis);
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
                Op first = queue.poll(Math.max(1, nextBeat - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                Pipeline pipeline = jedis.pipelined();
                for (Op op : batch) {
                    if (op.script() != null) {
                        pipeline.eval(op.script(), op.keys(), op.args());
                    }
                }
                pipeline.sync();
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
                // what was on its way may or may not have arrived; what was queued will not be sent
                batch.addAll(queue);
                queue.clear();
                batch.forEach(op -> {
                    if (op.fallback() != null) {
                        RedisEngine.runGuarded(op.fallback(), "deliver a publish locally");
                    }
                });
                batch.clear();
                RedisEngine.sleep(backoff);
                backoff = Math.min(2000, backoff * 2);
            }
        }
        RedisEngine.closeQuietly(jedis);
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
