package dev.broadcaster.cluster.redis;

import dev.broadcaster.ChannelInfo;
import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import dev.broadcaster.cluster.ClusterEngine;
import dev.broadcaster.cluster.ClusterNode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;

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
 *   <li>Connections per node: the {@link RedisWriter}'s, which pipelines everything queued, the
 *       {@link RedisSubscriber}'s, and up to four for queries ({@link RedisQueries}), opened
 *       as concurrent queries need them. If Redis goes away, both threads
 *       retry with backoff (100 ms to 2 s); meanwhile {@link #publish} refuses and the node delivers locally.
 *       Once both are back the node registers its connections again and is told to resync its clients.</li>
 * </ul>
 *
 * <p><b>Threads.</b> This class is the {@link ClusterEngine} facade and the state machine
 * ({@code STARTING -> UP <-> DOWN -> CLOSED}); it owns no thread. Its publishing methods run on the caller's
 * thread and only queue to the writer (never blocking); its queries run on the caller's thread and may wait on
 * Redis (see {@link RedisQueries}). The writer and subscriber threads move the state ({@link #becomeUpIfReady},
 * {@link #lost}, under this object's monitor) and make the node's {@code backplaneLost} and
 * {@code backplaneRecovered} calls from there. {@link #close} runs on the caller's thread and may wait on Redis
 * (a 1 s connect and 2 s socket timeout) to leave the cluster's view at once.
 */
public final class RedisEngine implements ClusterEngine {

    private static final System.Logger LOG = System.getLogger(RedisEngine.class.getName());
    private static final long RETENTION_MS = Duration.ofHours(24).toMillis();

    private enum State { STARTING, UP, DOWN, CLOSED }

    private final URI uri;
    private final String prefix;
    private final RedisKeys keys;
    private final RedisQueries queries;
    private final long nodeTimeoutMillis;
    private final int historySize;
    private final JedisClientConfig clientConfig;
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private volatile ClusterNode node;
    private volatile RedisWriter writer;
    private volatile RedisSubscriber subscriber;

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
        writer = new RedisWriter(this, keys, prefix, nodeTimeoutMillis, clusterNode);
        subscriber = new RedisSubscriber(this, uri, keys.bus(), clusterNode);
        writer.start();
        subscriber.start();
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
        RedisWriter.Op op = new RedisWriter.Op(RedisScripts.PUBLISH, List.of(keys.stream(channel), keys.bus()),
                List.of(Integer.toString(historySize), body, BusMessage.eventHead(node.id(), opId, channel, exclude),
                        "\n" + body, Long.toString(RETENTION_MS)),
                () -> node.undelivered(channel, event, exclude, opId));
        return writer.offer(op);
    }

    @Override
    public void send(String connectionId, SseEvent event) {
        enqueueBus(BusMessage.send(node.id(), connectionId, event));
    }

    @Override
    public void kill(String channel) {
        enqueue(new RedisWriter.Op(RedisScripts.KILL, List.of(keys.stream(channel), keys.bus()),
                List.of(BusMessage.kill(node.id(), channel)), null));
    }

    @Override
    public void disconnect(String channel, String user) {
        enqueueBus(BusMessage.disconnect(node.id(), channel, user));
    }

    @Override
    public void joined(ConnectionInfo connection) {
        enqueue(writer.joinOp(connection));
    }

    @Override
    public void left(ConnectionInfo connection) {
        enqueue(new RedisWriter.Op(RedisScripts.LEAVE, keys.registration(connection.channel(), node.id()),
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

    /** SCARD of the channels set, and SMISMEMBER of {@code alsoListed} if any: one round trip. */
    @Override
    public int channelCount(Set<String> alsoListed) {
        return queries.channelCount(alsoListed);
    }

    @Override
    public void close() {
        State was = state.getAndSet(State.CLOSED);
        if (was == State.CLOSED) {
            return;
        }
        if (subscriber != null) {
            subscriber.stop();
        }
        if (writer != null) {
            writer.stop();
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

    private void enqueueBus(String message) {
        enqueue(new RedisWriter.Op(RedisScripts.BUS, List.of(keys.bus()), List.of(message), null));
    }

    /** Queues {@code op} unless the backplane is down: then it is dropped, as the node registers again on recovery. */
    private void enqueue(RedisWriter.Op op) {
        State now = state.get();
        if ((now == State.UP || now == State.STARTING) && !writer.offer(op)) {
            LOG.log(System.Logger.Level.WARNING, "Redis writer queue full: dropped an operation");
        }
    }

    // ---- state (called by the writer and the subscriber threads) ---------------------------------------------

    boolean closed() {
        return state.get() == State.CLOSED;
    }

    /**
     * Up once the writer reaches Redis and the subscriber listens. The writer then registers this node's
     * connections again; after a loss the node is told to resync its clients.
     */
    synchronized void becomeUpIfReady() {
        State now = state.get();
        if (now == State.UP || now == State.CLOSED || !subscriber.subscribed() || !writer.connected()) {
            return;
        }
        if (state.compareAndSet(now, State.UP)) {
            writer.registerAgainSoon();
            LOG.log(System.Logger.Level.INFO, "Redis backplane " + (now == State.DOWN ? "back" : "connected") + ": "
                    + uri.getHost() + ":" + uri.getPort());
            if (now == State.DOWN) {
                runGuarded(node::backplaneRecovered, "resync after the backplane came back");
            }
        }
    }

    synchronized void lost(String who, RuntimeException e) {
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
    static JedisClientConfig clientConfig(URI uri, int socketTimeoutMillis) {
        String path = uri.getPath() == null ? "" : uri.getPath().replace("/", "");
        return DefaultJedisClientConfig.builder().connectionTimeoutMillis(1000).socketTimeoutMillis(socketTimeoutMillis)
                .database(path.isEmpty() ? 0 : Integer.parseInt(path)).ssl("rediss".equals(uri.getScheme())).build();
    }

    /** A connection for the writer or for {@link #close}, checked with a PING. */
    Jedis connect() {
        Jedis jedis = new Jedis(uri, clientConfig);
        jedis.ping();
        return jedis;
    }

    /** Runs a callback into the node on one of the engine's threads, which must survive whatever it throws. */
    static void runGuarded(Runnable callback, String what) {
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

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
