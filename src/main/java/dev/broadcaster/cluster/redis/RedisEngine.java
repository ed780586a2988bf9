package dev.broadcaster.cluster.redis;

import dev.broadcaster.ChannelInfo;
import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import dev.broadcaster.cluster.ClusterEngine;
import dev.broadcaster.cluster.ClusterNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Pipeline;

/**
 * The Redis engine: one Redis (standalone or behind Sentinel) as the backplane of every node.
 * <ul>
 *   <li>A publish runs one script that appends the event to the channel's stream ({@code <prefix>:stream:<channel>},
 *       trimmed to {@code broadcaster.history-size}; kept 24 h after its last event or join while some node has a
 *       connection on the channel, otherwise only the idle retention, and at most so many idle streams: see
 *       {@link RedisScripts}) and publishes it, with the stream id as its event id, on the one bus channel
 *       ({@code <prefix>:bus}) that every node subscribes to. Every node, the publishing one included, delivers
 *       from the bus, so all see one order per channel.</li>
 *   <li>With a secret, every bus message and stream entry is signed, and what is not signed with it is refused
 *       ({@link Signatures}); anything that is not in the engine's format is refused too. Refusals are counted
 *       ({@link #rejected}) and logged at most once a minute ({@link Rejections}): a bus message is skipped, a
 *       stream entry is never replayed (a resume across it is a {@code resync}).</li>
 *   <li>Each node registers its connections ({@code <prefix>:ch:<channel>}, {@code <prefix>:conn},
 *       {@code <prefix>:node:<node>}) and beats in {@code <prefix>:nodes} every third of the node timeout. Every
 *       node removes the nodes whose beat expired, with their connections, and announces the presence change.</li>
 *   <li>Connections per node: the {@link RedisWriter}'s, which pipelines everything queued, the
 *       {@link RedisSubscriber}'s (pinged, so a silently dropped one is noticed within about the node timeout),
 *       and up to four for queries ({@link RedisQueries}), opened as concurrent queries need them. If Redis goes
 *       away (or the writer's queue overflows), the node is down: not ready, {@link #publish} refuses and the node
 *       delivers locally, and kills, disconnects and sends are kept to be sent later. Both threads retry with
 *       backoff. Once both are back the node registers its connections again, tells the other nodes which channels
 *       it published to alone ({@code R} messages: they resync their clients of those channels), sends what it
 *       kept, and resyncs its own clients.</li>
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
    private static final long RETENTION_MS = RedisScripts.RETENTION.toMillis();
    /** Channels this node remembers publishing to alone; beyond, it tells every node to resync every channel. */
    static final int MAX_PUBLISHED_ALONE = 10_000;
    /** Kills, disconnects and sends kept while the backplane is down; beyond, the oldest are dropped (logged). */
    static final int MAX_KEPT = 10_000;

    private enum State { STARTING, UP, DOWN, CLOSED }

    private final URI uri;
    private final String prefix;
    private final RedisKeys keys;
    private final RedisQueries queries;
    private final long nodeTimeoutMillis;
    private final int historySize;
    private final JedisClientConfig clientConfig;
    private final Options options;
    private final Signatures signatures;
    private final Rejections rejections = new Rejections();
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private volatile ClusterNode node;
    private volatile RedisWriter writer;
    private volatile RedisSubscriber subscriber;
    // channels this node published to while down (only its own clients got those events); "" stands for all of
    // them; guarded by itself
    private final Set<String> publishedAlone = new LinkedHashSet<>();
    private final Deque<RedisWriter.Op> kept = new ArrayDeque<>(); // guarded by itself

    /**
     * What the Redis engine takes beyond the settings every engine gets.
     *
     * @param secret what every node signs its bus messages and stream entries with, and without which it refuses
     *               them (see {@code broadcaster.cluster.secret}); null: nothing signed or checked
     * @param acceptedSecret a second secret whose signatures are accepted, never used to sign; null for none
     * @param idleStreamRetention how long the stream of a channel no node has a connection on is kept
     * @param maxIdleStreams how many such streams are kept at most, cluster-wide
     * @param maxQueued the operations queued for Redis at most; beyond (Redis slow), the node is down until its
     *                  queue is drained, as if Redis were unreachable
     */
    public record Options(String secret, String acceptedSecret, Duration idleStreamRetention, int maxIdleStreams,
                          int maxQueued) {

        public Options {
            if (secret != null && secret.isEmpty() || acceptedSecret != null && acceptedSecret.isEmpty()) {
                throw new IllegalArgumentException("an empty secret");
            }
            if (acceptedSecret != null && secret == null) {
                throw new IllegalArgumentException("an accepted secret without a secret to sign with");
            }
            if (idleStreamRetention.toMillis() < 1 || maxIdleStreams < 1) {
                throw new IllegalArgumentException("idle streams need a positive retention and cap");
            }
            if (maxQueued < 1) {
                throw new IllegalArgumentException("the writer's queue needs room for one operation at least");
            }
        }

        /** No secret, idle streams kept 60 s, at most 1,000, at most 100,000 operations queued. */
        public static Options defaults() {
            return new Options(null, null, Duration.ofSeconds(60), 1000, RedisWriter.MAX_QUEUED);
        }

        @Override
        public String toString() {
            return "Options[secret=" + (secret == null ? "none" : "***") + ", acceptedSecret="
                    + (acceptedSecret == null ? "none" : "***") + ", idleStreamRetention=" + idleStreamRetention
                    + ", maxIdleStreams=" + maxIdleStreams + ", maxQueued=" + maxQueued + "]";
        }
    }

    /**
     * With {@link Options#defaults()}.
     *
     * @param uri {@code redis[s]://[user:password@]host:port[/database]}
     * @param prefix the start of every key and of the bus channel's name
     * @param nodeTimeout how long after its last beat a node counts as dead
     * @param historySize events kept per channel for resume
     */
    public RedisEngine(URI uri, String prefix, Duration nodeTimeout, int historySize) {
        this(uri, prefix, nodeTimeout, historySize, Options.defaults());
    }

    /**
     * @param uri {@code redis[s]://[user:password@]host:port[/database]}
     * @param prefix the start of every key and of the bus channel's name
     * @param nodeTimeout how long after its last beat a node counts as dead
     * @param historySize events kept per channel for resume
     * @param options the secret and the limits on idle streams
     */
    public RedisEngine(URI uri, String prefix, Duration nodeTimeout, int historySize, Options options) {
        this.uri = uri;
        this.prefix = prefix;
        this.nodeTimeoutMillis = nodeTimeout.toMillis();
        this.historySize = historySize;
        this.options = options;
        this.clientConfig = clientConfig(uri, 2000);
        this.keys = new RedisKeys(prefix);
        this.signatures = Signatures.of(prefix, options.secret(), options.acceptedSecret());
        this.queries = new RedisQueries(uri, clientConfig, keys, historySize, this::ready,
                new RedisQueries.EntryCheck(signatures, rejections));
    }

    @Override
    public void start(ClusterNode clusterNode) {
        this.node = clusterNode;
        writer = new RedisWriter(this, keys, prefix, nodeTimeoutMillis, historySize, options.maxQueued(), clusterNode);
        subscriber = new RedisSubscriber(this, uri, keys.bus(), clusterNode, nodeTimeoutMillis);
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
            publishedAlone(Set.of(channel));
            return false;
        }
        String body = BusMessage.eventBody(event);
        String tail = "\n" + body;
        RedisWriter.Op op = new RedisWriter.Op(RedisScripts.PUBLISH, keys.publish(channel),
                List.of(Integer.toString(historySize), body,
                        signatures.sealHead(BusMessage.eventHead(node.id(), opId, channel, exclude), tail), tail,
                        Long.toString(RETENTION_MS), signatures.entrySignature(channel, body), idleRetentionMillis(),
                        Integer.toString(options.maxIdleStreams()), prefix, channel),
                () -> {
                    publishedAlone(Set.of(channel));
                    node.undelivered(channel, event, exclude, opId);
                });
        if (!writer.offer(op)) {
            publishedAlone(Set.of(channel));
            overflowed();
            return false;
        }
        return true;
    }

    @Override
    public void send(String connectionId, SseEvent event) {
        enqueue(new RedisWriter.Op(RedisScripts.BUS, List.of(keys.bus()),
                List.of(seal(BusMessage.send(node.id(), connectionId, event))), null, true));
    }

    @Override
    public void kill(String channel) {
        enqueue(new RedisWriter.Op(RedisScripts.KILL, keys.kill(channel),
                List.of(seal(BusMessage.kill(node.id(), channel)), channel), null, true));
    }

    @Override
    public void disconnect(String channel, String user) {
        enqueue(new RedisWriter.Op(RedisScripts.BUS, List.of(keys.bus()),
                List.of(seal(BusMessage.disconnect(node.id(), channel, user))), null, true));
    }

    @Override
    public void joined(ConnectionInfo connection) {
        enqueue(writer.joinOp(connection));
    }

    @Override
    public void left(ConnectionInfo connection) {
        enqueue(new RedisWriter.Op(RedisScripts.LEAVE, keys.registration(connection.channel(), node.id()),
                List.of(connection.id(), "", connection.channel(), seal(BusMessage.presence(node.id(),
                        connection.channel())), idleRetentionMillis(), Integer.toString(options.maxIdleStreams()), prefix),
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

    /** Bus messages and stream entries refused since start: not the engine's, or not signed with the secret. */
    @Override
    public long rejected() {
        return rejections.count();
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
            reap(jedis);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Could not leave the cluster's view; the beat will expire", e);
        }
        queries.close();
    }

    private String idleRetentionMillis() {
        return Long.toString(options.idleStreamRetention().toMillis());
    }

    // ---- what nodes tell each other (called by any thread: see Signatures) ---------------------------------------

    /** {@code message} (see {@link BusMessage}) as this node sends it on the bus: signed if there is a secret. */
    String seal(String message) {
        return signatures.seal(message);
    }

    /**
     * The bus message {@code text} holds, if it may be obeyed; null if it is refused (not signed with the secret,
     * or not a bus message), which is counted and logged at most once a minute. Called by the subscriber.
     */
    BusMessage open(String text) {
        try {
            return BusMessage.parse(signatures.open(text));
        } catch (Signatures.Refused e) {
            rejections.reject("bus message", e.getMessage(), text);
        } catch (RuntimeException e) {
            rejections.reject("bus message", "not a bus message: " + e.getMessage(), text);
        }
        return null;
    }

    /**
     * Removes the nodes whose beat expired, with their connections, and announces the presence change of each
     * channel that had some, signed, on {@code jedis}. Called by the writer (each beat) and by {@link #close}.
     */
    void reap(Jedis jedis) {
        Object changed = jedis.eval(RedisScripts.REAP, keys.reap(), List.of(prefix, idleRetentionMillis(),
                Integer.toString(options.maxIdleStreams())));
        if (changed instanceof List<?> channels && !channels.isEmpty()) {
            Pipeline pipeline = jedis.pipelined();
            for (Object channel : channels) {
                String name = channel instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                        : String.valueOf(channel);
                pipeline.publish(keys.bus(), seal(BusMessage.presence(node.id(), name)));
            }
            pipeline.sync();
        }
    }

    /**
     * Queues {@code op} unless the backplane is down: then an op for {@link RedisWriter.Op#later} is kept, and the
     * others (joins, leaves) are dropped, as the node registers again on recovery. A full queue takes the node down.
     */
    private void enqueue(RedisWriter.Op op) {
        State now = state.get();
        if (now == State.UP || now == State.STARTING) {
            if (writer.offer(op)) {
                return;
            }
            overflowed();
        }
        if (op.later()) {
            keepForLater(op);
        }
    }

    /** The writer's queue is full (Redis is slow, not down): the node goes down, and recovers as after an outage. */
    private void overflowed() {
        lost("writer", new IllegalStateException("writer queue full"));
        writer.failSoon();
    }

    // ---- what waits for the backplane (called by any thread) ------------------------------------------------

    /** Records that this node delivered events of {@code channels} to its own clients only. */
    void publishedAlone(Collection<String> channels) {
        synchronized (publishedAlone) {
            if (publishedAlone.contains("")) {
                return;
            }
            publishedAlone.addAll(channels);
            if (publishedAlone.size() > MAX_PUBLISHED_ALONE) {
                publishedAlone.clear();
                publishedAlone.add(""); // too many to name: every node resyncs every channel
            }
        }
    }

    /** The channels this node published to alone since last asked (the writer tells the other nodes). */
    Set<String> takePublishedAlone() {
        synchronized (publishedAlone) {
            if (publishedAlone.isEmpty()) {
                return Set.of();
            }
            Set<String> taken = Set.copyOf(publishedAlone);
            publishedAlone.clear();
            return taken;
        }
    }

    /** Keeps {@code op} to send once the backplane is back. */
    void keepForLater(RedisWriter.Op op) {
        synchronized (kept) {
            kept.addLast(op);
            if (kept.size() > MAX_KEPT) {
                kept.removeFirst();
                LOG.log(System.Logger.Level.WARNING, "Redis backplane down for long: dropped the oldest kill,"
                        + " disconnect or send kept for it (" + MAX_KEPT + " kept)");
            }
        }
    }

    /** What was kept for the backplane, oldest first, now to be sent. */
    List<RedisWriter.Op> sendLater() {
        synchronized (kept) {
            List<RedisWriter.Op> ops = List.copyOf(kept);
            kept.clear();
            return ops;
        }
    }

    // ---- state (called by the writer and the subscriber threads) ---------------------------------------------

    boolean closed() {
        return state.get() == State.CLOSED;
    }

    /**
     * Up once the writer reaches Redis and the subscriber listens. The writer then recovers (registers this node's
     * connections again, tells the others where this node published alone, sends what was kept); this node's
     * clients are told to resync (on the first start too: a client connected before may have missed events).
     */
    synchronized void becomeUpIfReady() {
        State now = state.get();
        if (now == State.UP || now == State.CLOSED || !subscriber.subscribed() || !writer.connected()) {
            return;
        }
        if (state.compareAndSet(now, State.UP)) {
            writer.recoverSoon();
            LOG.log(System.Logger.Level.INFO, "Redis backplane " + (now == State.DOWN ? "back" : "connected") + ": "
                    + uri.getHost() + ":" + uri.getPort());
            runGuarded(node::backplaneRecovered, "resync after the backplane came back");
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

    /** The longest pause between two attempts to reach Redis: a third of the node timeout, from 100 ms to 2 s. */
    static long maxBackoff(long nodeTimeoutMillis) {
        return Math.max(100, Math.min(2000, nodeTimeoutMillis / 3));
    }

    static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
