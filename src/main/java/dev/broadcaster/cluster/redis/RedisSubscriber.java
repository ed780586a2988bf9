package dev.broadcaster.cluster.redis;

import dev.broadcaster.cluster.ClusterNode;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * The engine's subscriber: listens on the bus ({@code <prefix>:bus}) and does what each message asks of the node,
 * and proves that the subscription is alive.
 *
 * <p><b>Liveness.</b> A subscription that a proxy, NAT or firewall dropped silently reads nothing forever, and TCP
 * would notice only hours later. So the subscription is pinged every third of the node timeout, and anything it
 * reads (a pong, a message, a subscribe confirmation) counts as a sign of life; when three pings in a row went
 * unanswered (about one node timeout of silence, counted in pings so that a stalled pinger never trips it), the
 * socket is closed, which ends the subscription with an error: the engine goes down (not ready), and the
 * subscriber connects again.
 *
 * <p><b>Threads.</b> {@code broadcaster-redis-subscriber} owns the subscriber's connection and runs {@link #run}:
 * Jedis calls {@link Listener#onMessage} on it for every bus message, in the bus's order, and it makes every
 * {@link ClusterNode} call that comes from the bus ({@code deliver}, {@code deliverTo}, {@code kill},
 * {@code disconnect}, {@code presenceChanged}, {@code missed}), so one slow delivery holds the next ones back. A
 * message the engine refuses ({@link RedisEngine#open}: not signed with the cluster's secret, or not a bus message)
 * is counted and skipped; one whose handling fails is logged and skipped. When the connection fails it reports the loss to the engine and
 * subscribes again with backoff; once subscribed it may bring the engine up, which then calls
 * {@code backplaneRecovered} on this thread. {@code broadcaster-redis-pinger} sends the pings and closes a silent
 * connection's socket; writes to the connection (pings) are made under the listener's monitor. {@link #stop}
 * closes the socket from the caller's thread and never waits for either thread.
 */
final class RedisSubscriber {

    private static final System.Logger LOG = System.getLogger(RedisSubscriber.class.getName());
    /** Pings unanswered in a row after which the connection counts as dead. */
    static final int UNANSWERED_PINGS = 3;

    private final RedisEngine engine;
    private final URI uri;
    private final String bus;
    private final ClusterNode node;
    private final long pingEveryMillis;
    private final long maxBackoffMillis;
    private final int handshakeTimeoutMillis;
    private volatile boolean subscribed;
    private volatile Listener listener; // the current connection's, or null between connections
    private Thread thread;
    private Thread pinger;

    RedisSubscriber(RedisEngine engine, URI uri, String bus, ClusterNode node, long nodeTimeoutMillis) {
        this.engine = engine;
        this.uri = uri;
        this.bus = bus;
        this.node = node;
        this.pingEveryMillis = Math.max(20, nodeTimeoutMillis / UNANSWERED_PINGS);
        this.maxBackoffMillis = RedisEngine.maxBackoff(nodeTimeoutMillis);
        this.handshakeTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1000, nodeTimeoutMillis));
    }

    void start() {
        thread = RedisEngine.daemon("broadcaster-redis-subscriber", this::run);
        pinger = RedisEngine.daemon("broadcaster-redis-pinger", this::pingLoop);
        thread.start();
        pinger.start();
    }

    /** Whether it listens on the bus now. */
    boolean subscribed() {
        return subscribed;
    }

    /** Closes the connection's socket and stops both threads (the engine is closed); never waits for them. */
    void stop() {
        Listener current = listener;
        if (current != null) {
            current.disconnect();
        }
        if (thread != null) {
            thread.interrupt();
        }
        if (pinger != null) {
            pinger.interrupt();
        }
    }

    private void run() {
        long backoff = 100;
        while (!engine.closed()) {
            Jedis jedis = null;
            Listener current = null;
            try {
                // connects and authenticates within the timeouts; subscribing then waits without one (pings watch it)
                jedis = new Jedis(uri, RedisEngine.clientConfig(uri, handshakeTimeoutMillis));
                current = new Listener(jedis);
                listener = current;
                if (engine.closed()) {
                    break; // closed while this connection was being made: stop() could not see it
                }
                jedis.subscribe(current, bus); // returns when unsubscribed
                backoff = 100;
            } catch (RuntimeException e) {
                if (engine.closed()) {
                    break;
                }
                if (current != null && current.wasSubscribed) {
                    backoff = 100;
                }
                subscribed = false;
                engine.lost("subscriber", e);
            } finally {
                subscribed = false;
                listener = null;
                RedisEngine.closeQuietly(jedis);
            }
            if (!engine.closed()) {
                RedisEngine.sleep(backoff);
                backoff = Math.min(maxBackoffMillis, backoff * 2);
            }
        }
    }

    private void pingLoop() {
        while (!engine.closed()) {
            try {
                Thread.sleep(pingEveryMillis); // the ping period
            } catch (InterruptedException e) {
                return;
            }
            Listener current = listener;
            if (current != null) {
                current.pingOrGiveUp();
            }
        }
    }

    private final class Listener extends JedisPubSub {
        private final Jedis jedis;
        private final AtomicInteger unanswered = new AtomicInteger();
        volatile boolean wasSubscribed;

        Listener(Jedis jedis) {
            this.jedis = jedis;
        }

        /** Pings the subscription, or closes its socket if the last pings went unanswered. */
        void pingOrGiveUp() {
            if (unanswered.incrementAndGet() > UNANSWERED_PINGS) {
                LOG.log(System.Logger.Level.WARNING, "Redis subscription silent for " + UNANSWERED_PINGS
                        + " pings (about the node timeout): closing it and subscribing again");
                disconnect();
                return;
            }
            if (!isSubscribed()) {
                return; // the subscription is not confirmed yet: its silence counts, there is nothing to ping
            }
            try {
                synchronized (this) {
                    ping();
                }
            } catch (RuntimeException e) {
                disconnect(); // the connection broke under the ping: the subscriber thread sees it fail
            }
        }

        /** Closes the socket: the subscriber thread, blocked reading it, fails and starts over. */
        void disconnect() {
            try {
                jedis.getConnection().forceDisconnect();
            } catch (java.io.IOException | RuntimeException e) {
                // already closed
            }
        }

        private void heard() {
            unanswered.set(0);
        }

        @Override
        public void onSubscribe(String channel, int subscribedChannels) {
            heard();
            wasSubscribed = true;
            subscribed = true;
            engine.becomeUpIfReady();
        }

        @Override
        public void onPong(String pattern) {
            heard();
        }

        @Override
        public void onMessage(String channel, String text) {
            heard();
            try {
                BusMessage message = engine.open(text); // null: refused (unsigned, badly signed, malformed), counted
                if (message != null) {
                    message.applyTo(node);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Could not handle a bus message", e);
            }
        }
    }
}
