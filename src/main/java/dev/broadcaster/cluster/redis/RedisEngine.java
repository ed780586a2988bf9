package dev.broadcaster.cluster.redis;

import dev.broadcaster.ChannelInfo;
import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import dev.broadcaster.cluster.ClusterEngine;
import dev.broadcaster.cluster.ClusterNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;

/**
 * The Redis engine: one Redis (standalone or behind Sentinel) as the backplane of every node.
 * <ul>
 *   <li>A publish runs one script that appends the event to the channel's stream ({@code <prefix>:stream:<channel>},
 *       trimmed to {@code broadcaster.history-size}, kept 24 h after its last event) and publishes it, with the
 *       stream id as its event id, on the one bus channel ({@code <prefix>:bus}) that every node subscribes to.
 *       Every node, the publishing one included, delivers from the bus, so all see one order per channel.</li>
 *   <li>Each node registers its connections ({@code <prefix>:ch:<channel>}, {@code <prefix>:conn},
 *       {@code <prefix>:node:<node>}) and beats in {@code <prefix>:nodes} every third of the node timeout. Every
 *       node removes the nodes whose beat expired, with their connections, and announces the presence change.</li>
 *   <li>Three connections per node: a writer thread that pipelines everything queued, a subscriber thread,
 *       and one connection for queries. If Redis goes away, both threads retry with backoff (100 ms to 2 s);
 *       meanwhile {@link #publish} refuses and the node delivers locally. Once both are back the node
 *       registers its connections again and is told to resync its clients.</li>
 * </ul>
 */
public final class RedisEngine implements ClusterEngine {

    private static final System.Logger LOG = System.getLogger(RedisEngine.class.getName());
    private static final long RETENTION_MS = Duration.ofHours(24).toMillis();
    private static final int MAX_QUEUED = 100_000;
    private static final int BATCH = 512;

    private enum State { STARTING, UP, DOWN, CLOSED }

    /** Something the writer sends; {@code fallback} runs if the backplane failed before it surely arrived. */
    private record Op(String script, List<String> keys, List<String> args, Runnable fallback) {
    }

    private final URI uri;
    private final String prefix;
    private final RedisKeys keys;
    private final RedisQueries queries;
    private final long nodeTimeoutMillis;
    private final int historySize;
    private final JedisClientConfig clientConfig;
    private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private volatile boolean subscribed;
    private volatile boolean writerConnected;
    private volatile boolean reregister;
    private volatile ClusterNode node;
    private volatile Subscriber subscriber;
    private Thread writerThread;
    private Thread subscriberThread;

    /**
     * @param uri {@code redis://[user:password@]host:port[/database]}
     * @param prefix the start of every key and of the bus channel's name
     * @param nodeTimeout how long after its last beat a node counts as dead
     * @param historySize events kept per channel for resume
     */
    public RedisEngine(URI uri, String prefix, Duration nodeTimeout, int historySize) {
        this.uri = uri;
        this.prefix = prefix;
        this.nodeTimeoutMillis = nodeTimeout.toMillis();
        this.historySize = historySize;
        this.clientConfig = clientConfig(uri, 2000);
        this.keys = new RedisKeys(prefix);
        this.queries = new RedisQueries(uri, clientConfig, keys, historySize, this::ready);
    }

    @Override
    public void start(ClusterNode clusterNode) {
        this.node = clusterNode;
        writerThread = new Thread(this::writeLoop, "broadcaster-redis-writer");
        writerThread.setDaemon(true);
        writerThread.start();
        subscriberThread = new Thread(this::subscribeLoop, "broadcaster-redis-subscriber");
        subscriberThread.setDaemon(true);
        subscriberThread.start();
    }

    @Override
    public boolean ready() {
        return state.get() == State.UP;
    }

    @Override
    public boolean publish(String channel, SseEvent event, Set<String> exclude, long opId) {
        if (state.get() != State.UP) {
            return false;
        }
        String body = BusMessage.eventBody(event);
        Op op = new Op(RedisScripts.PUBLISH, List.of(keys.stream(channel), keys.bus()),
                List.of(Integer.toString(historySize), body, BusMessage.eventHead(node.id(), opId, channel, exclude),
                        "\n" + body, Long.toString(RETENTION_MS)),
                () -> node.undelivered(channel, event, exclude, opId));
        return queue.offer(op);
    }

    @Override
    public void send(String connectionId, SseEvent event) {
        enqueuePublish(BusMessage.send(node.id(), connectionId, event));
    }

    @Override
    public void kill(String channel) {
        enqueue(new Op("redis.call('DEL', KEYS[1]) redis.call('PUBLISH', KEYS[2], ARGV[1]) return 1",
                List.of(keys.stream(channel), keys.bus()), List.of(BusMessage.kill(node.id(), channel)), null));
    }

    @Override
    public void disconnect(String channel, String user) {
        enqueuePublish(BusMessage.disconnect(node.id(), channel, user));
    }

    @Override
    public void joined(ConnectionInfo connection) {
        enqueue(joinOp(connection));
    }

    @Override
    public void left(ConnectionInfo connection) {
        enqueue(new Op(RedisScripts.LEAVE, keys.registration(connection.channel(), node.id()),
                List.of(connection.id(), "", connection.channel(), BusMessage.presence(node.id(), connection.channel())),
                null));
    }

    @Override
    public Optional<Replay> replay(String channel, String lastEventId) {
        return queries.replay(channel, lastEventId);
    }

    @Override
    public Replay latest(String channel, int count) {
        return queries.latest(channel, count);
    }

    @Override
    public List<ConnectionInfo> connections(String channel) {
        return queries.connections(channel);
    }

    @Override
    public List<ChannelInfo> channels() {
        return queries.channels();
    }

    @Override
    public Optional<ConnectionInfo> connection(String connectionId) {
        return queries.connection(connectionId);
    }

    @Override
    public void close() {
        State was = state.getAndSet(State.CLOSED);
        if (was == State.CLOSED) {
            return;
        }
        Subscriber s = subscriber;
        if (s != null) {
            try {
                s.unsubscribe();
            } catch (RuntimeException e) {
                // not subscribed any more
            }
        }
        if (writerThread != null) {
            writerThread.interrupt();
        }
        if (subscriberThread != null) {
            subscriberThread.interrupt();
        }
        // leave the cluster's view at once rather than when the beat expires
        try (Jedis jedis = connect()) {
            jedis.zadd(keys.nodes(), 0, node.id());
            jedis.eval(RedisScripts.REAP, keys.reap(), List.of(prefix));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Could not leave the cluster's view; the beat will expire", e);
        }
        queries.close();
    }

    // ---- the writer ---------------------------------------------------------------------------------

    private void writeLoop() {
        Jedis jedis = null;
        long backoff = 100;
        long beatEvery = Math.max(50, nodeTimeoutMillis / 3);
        long nextBeat = 0;
        List<Op> batch = new ArrayList<>(BATCH);
        while (state.get() != State.CLOSED) {
            try {
                if (jedis == null) {
                    jedis = connect();
                    nextBeat = 0;
                }
                if (reregister) {
                    reregister = false;
                    registerAgain(jedis);
                }
                long now = System.currentTimeMillis();
                if (now >= nextBeat) {
                    boolean unknown = beat(jedis);
                    jedis.eval(RedisScripts.REAP, keys.reap(), List.of(prefix));
                    if (unknown && state.get() == State.UP) {
                        registerAgain(jedis); // Redis restarted, or the others gave this node up during a pause
                    }
                    nextBeat = now + beatEvery;
                    writerConnected = true;
                    backoff = 100;
                    becomeUpIfReady();
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
                if (state.get() == State.CLOSED) {
                    break;
                }
                writerConnected = false;
                lost("writer", e);
                closeQuietly(jedis);
                jedis = null;
                // what was on its way may or may not have arrived; what was queued will not be sent
                batch.addAll(queue);
                queue.clear();
                batch.forEach(op -> {
                    if (op.fallback() != null) {
                        runGuarded(op.fallback(), "deliver a publish locally");
                    }
                });
                batch.clear();
                sleep(backoff);
                backoff = Math.min(2000, backoff * 2);
            }
        }
        closeQuietly(jedis);
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
        jedis.eval(RedisScripts.REAP, keys.reap(), List.of(prefix));
        beat(jedis);
        Pipeline pipeline = jedis.pipelined();
        for (ConnectionInfo connection : node.localConnections()) {
            Op op = joinOp(connection);
            pipeline.eval(op.script(), op.keys(), op.args());
        }
        pipeline.sync();
    }

    private Op joinOp(ConnectionInfo connection) {
        String value = node.id() + "\t" + connection.connectedAt().toEpochMilli() + "\t" + connection.user();
        return new Op(RedisScripts.JOIN, keys.registration(connection.channel(), node.id()),
                List.of(connection.id(), value, connection.channel(), BusMessage.presence(node.id(), connection.channel())),
                null);
    }

    private void enqueuePublish(String message) {
        enqueue(new Op("redis.call('PUBLISH', KEYS[1], ARGV[1]) return 1", List.of(keys.bus()), List.of(message), null));
    }

    /** Queues {@code op} unless the backplane is down: then it is dropped, as the node registers again on recovery. */
    private void enqueue(Op op) {
        State now = state.get();
        if ((now == State.UP || now == State.STARTING) && !queue.offer(op)) {
            LOG.log(System.Logger.Level.WARNING, "Redis writer queue full: dropped an operation");
        }
    }

    // ---- the subscriber -----------------------------------------------------------------------------

    private void subscribeLoop() {
        long backoff = 100;
        while (state.get() != State.CLOSED) {
            Subscriber s = new Subscriber();
            subscriber = s;
            try (Jedis jedis = new Jedis(uri, clientConfig(uri, 0))) {
                jedis.subscribe(s, keys.bus()); // returns when unsubscribed
                backoff = 100;
            } catch (RuntimeException e) {
                if (state.get() == State.CLOSED) {
                    break;
                }
                if (s.wasSubscribed) {
                    backoff = 100;
                }
                subscribed = false;
                lost("subscriber", e);
            } finally {
                subscribed = false;
            }
            if (state.get() != State.CLOSED) {
                sleep(backoff);
                backoff = Math.min(2000, backoff * 2);
            }
        }
    }

    private final class Subscriber extends JedisPubSub {
        volatile boolean wasSubscribed;

        @Override
        public void onSubscribe(String channel, int subscribedChannels) {
            wasSubscribed = true;
            subscribed = true;
            becomeUpIfReady();
        }

        @Override
        public void onMessage(String channel, String text) {
            try {
                BusMessage.parse(text).applyTo(node);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Could not handle a bus message", e);
            }
        }
    }

    // ---- state --------------------------------------------------------------------------------------

    /**
     * Up once the writer reaches Redis and the subscriber listens. The writer then registers this node's
     * connections again; after a loss the node is told to resync its clients.
     */
    private synchronized void becomeUpIfReady() {
        State now = state.get();
        if (now == State.UP || now == State.CLOSED || !subscribed || !writerConnected) {
            return;
        }
        if (state.compareAndSet(now, State.UP)) {
            reregister = true;
            queue.offer(new Op(null, List.of(), List.of(), null)); // wakes the writer up
            LOG.log(System.Logger.Level.INFO, "Redis backplane " + (now == State.DOWN ? "back" : "connected") + ": "
                    + uri.getHost() + ":" + uri.getPort());
            if (now == State.DOWN) {
                runGuarded(node::backplaneRecovered, "resync after the backplane came back");
            }
        }
    }

    private synchronized void lost(String who, RuntimeException e) {
        State was = state.get();
        if ((was == State.UP || was == State.STARTING) && state.compareAndSet(was, State.DOWN)) {
            LOG.log(System.Logger.Level.WARNING, "Redis backplane lost (" + who + "): " + e
                    + "; delivering on this node only until it is back");
            if (was == State.UP) {
                runGuarded(node::backplaneLost, "report the backplane lost");
            }
        }
    }

    // ---- stream ids ---------------------------------------------------------------------------------

    /** A stream id's place in its channel's order: milliseconds, then sequence. */
    static long position(String streamId) {
        int dash = streamId.indexOf('-');
        long millis = Long.parseLong(streamId.substring(0, dash));
        long sequence = Math.min(Long.parseLong(streamId.substring(dash + 1)), (1L << 20) - 1);
        return (millis << 20) | sequence;
    }

    // ---- plumbing -----------------------------------------------------------------------------------

    /**
     * Timeouts, and what the URI says: Jedis takes user and password from it but not, once a configuration is
     * given, the database ({@code /2}) or TLS ({@code rediss:}).
     */
    private static JedisClientConfig clientConfig(URI uri, int socketTimeoutMillis) {
        String path = uri.getPath() == null ? "" : uri.getPath().replace("/", "");
        return DefaultJedisClientConfig.builder().connectionTimeoutMillis(1000).socketTimeoutMillis(socketTimeoutMillis)
                .database(path.isEmpty() ? 0 : Integer.parseInt(path)).ssl("rediss".equals(uri.getScheme())).build();
    }

    private Jedis connect() {
        Jedis jedis = new Jedis(uri, clientConfig);
        jedis.ping();
        return jedis;
    }

    /** Runs a callback into the node on one of the engine's threads, which must survive whatever it throws. */
    private static void runGuarded(Runnable callback, String what) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Could not " + what, e);
        }
    }

    static void closeQuietly(Jedis jedis) {
        if (jedis != null) {
            try {
                jedis.close();
            } catch (RuntimeException e) {
                // already broken
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
