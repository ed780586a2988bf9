package dev.broadcaster.cluster.redis;

import dev.broadcaster.cluster.ClusterNode;
import java.net.URI;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * The engine's subscriber: listens on the bus ({@code <prefix>:bus}) and does what each message asks of the node.
 *
 * <p><b>Threads.</b> One thread, {@code broadcaster-redis-subscriber}, owns the subscriber's Redis connection
 * (no socket timeout: it waits for messages) and runs {@link #run}: Jedis calls {@link Listener#onMessage} on it
 * for every bus message, in the bus's order, and it makes every {@link ClusterNode} call that comes from the bus
 * ({@code deliver}, {@code deliverTo}, {@code kill}, {@code disconnect}, {@code presenceChanged}), so one slow
 * delivery holds the next ones back. A message the engine refuses ({@link RedisEngine#open}: not signed with the
 * cluster's secret, or not a bus message) is counted and skipped; one whose handling fails is logged and skipped.
 * When the connection fails it reports the loss to the engine and subscribes again with backoff (100 ms to 2 s);
 * once subscribed it may bring the engine up, which then calls {@code backplaneRecovered} on this thread.
 */
final class RedisSubscriber {

    private static final System.Logger LOG = System.getLogger(RedisSubscriber.class.getName());

    private final RedisEngine engine;
    private final URI uri;
    private final String bus;
    private final ClusterNode node;
    private volatile boolean subscribed;
    private volatile Listener listener;
    private Thread thread;

    RedisSubscriber(RedisEngine engine, URI uri, String bus, ClusterNode node) {
        this.engine = engine;
        this.uri = uri;
        this.bus = bus;
        this.node = node;
    }

    void start() {
        thread = new Thread(this::run, "broadcaster-redis-subscriber");
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether it listens on the bus now. */
    boolean subscribed() {
        return subscribed;
    }

    /** Unsubscribes and stops the thread (the engine is closed). */
    void stop() {
        Listener current = listener;
        if (current != null) {
            try {
                current.unsubscribe();
            } catch (RuntimeException e) {
                // not subscribed any more
            }
        }
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void run() {
        long backoff = 100;
        while (!engine.closed()) {
            Listener s = new Listener();
            listener = s;
            try (Jedis jedis = new Jedis(uri, RedisEngine.clientConfig(uri, 0))) {
                jedis.subscribe(s, bus); // returns when unsubscribed
                backoff = 100;
            } catch (RuntimeException e) {
                if (engine.closed()) {
                    break;
                }
                if (s.wasSubscribed) {
                    backoff = 100;
                }
                subscribed = false;
                engine.lost("subscriber", e);
            } finally {
                subscribed = false;
            }
            if (!engine.closed()) {
                RedisEngine.sleep(backoff);
                backoff = Math.min(2000, backoff * 2);
            }
        }
    }

    private final class Listener extends JedisPubSub {
        volatile boolean wasSubscribed;

        @Override
        public void onSubscribe(String channel, int subscribedChannels) {
            wasSubscribed = true;
            subscribed = true;
            engine.becomeUpIfReady();
        }

        @Override
        public void onMessage(String channel, String text) {
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
