package dev.broadcaster.cluster.memory;

import dev.broadcaster.ChannelInfo;
import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import dev.broadcaster.cluster.ClusterEngine;
import dev.broadcaster.cluster.ClusterNode;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A {@link ClusterEngine} whose backplane is an {@link InMemoryBackplane} in this JVM, named by
 * {@code broadcaster.cluster.prefix}: several in-process servers with the same prefix are nodes of one cluster,
 * without Redis. Test code, chosen with {@code broadcaster.cluster.engine=} this class's name. It keeps the
 * engine contract as the Redis engine does: ids ordered per channel, history bounded by
 * {@code broadcaster.history-size}, every event delivered to every node (this one included) in one order,
 * presence announced on every join and leave, kill and disconnect for the other nodes only.
 *
 * <p><b>Threads.</b> Each engine owns one thread ({@code broadcaster-memory-engine}), its writer and subscriber
 * in one: it takes from one queue, in order, both what this node sends to the backplane (publish, send, kill,
 * disconnect, joined, left) and what the backplane delivers to this node, and makes every call into the
 * {@link ClusterNode}. So the publisher's thread never delivers, and a node gets a channel's events in the
 * backplane's order. The thread blocks only on its queue (unbounded). Queries run on the caller's thread under
 * the backplane's monitor.
 *
 * <p>The test hooks {@link InMemoryBackplane#down()} and {@link InMemoryBackplane#up()} show the node's paths for
 * a lost backplane ({@code backplaneLost}, {@code undelivered}) and a recovered one (registrations again,
 * {@code backplaneRecovered}). A node never dies without {@link #close} here, so the node timeout is unused.
 */
public final class InMemoryClusterEngine implements ClusterEngine {

    private static final System.Logger LOG = System.getLogger(InMemoryClusterEngine.class.getName());

    private enum State { NEW, UP, DOWN, CLOSED }

    private final String name;
    private final int historySize;
    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private volatile State state = State.NEW;
    private volatile ClusterNode node;
    private volatile InMemoryBackplane backplane;
    private Thread thread;

    /**
     * The constructor the library calls for an engine named by class.
     *
     * @param prefix the backplane's name: engines with the same prefix are one cluster
     * @param nodeTimeout unused (a node here leaves only by closing)
     * @param historySize events kept per channel for resume
     */
    public InMemoryClusterEngine(String prefix, Duration nodeTimeout, int historySize) {
        this.name = prefix;
        this.historySize = historySize;
    }

    @Override
    public void start(ClusterNode clusterNode) {
        this.node = clusterNode;
        thread = new Thread(this::run, "broadcaster-memory-engine-" + name + "-" + clusterNode.id());
        thread.setDaemon(true);
        thread.start();
        backplane = InMemoryBackplane.attach(name, historySize, this);
        state = backplane.isUp() ? State.UP : State.DOWN;
    }

    @Override
    public boolean ready() {
        return state == State.UP;
    }

    @Override
    public boolean publish(String channel, SseEvent event, Set<String> exclude, long opId) {
        if (state != State.UP) {
            return false;
        }
        Set<String> excluded = Set.copyOf(exclude);
        return queue.offer(() -> {
            if (!backplane.publish(channel, event, excluded, node.id(), opId)) {
                node.undelivered(channel, event, excluded, opId); // down while it was on its way
            }
        });
    }

    @Override
    public void send(String connectionId, SseEvent event) {
        write(() -> backplane.send(node.id(), connectionId, event));
    }

    @Override
    public void kill(String channel) {
        write(() -> backplane.kill(node.id(), channel));
    }

    @Override
    public void disconnect(String channel, String user) {
        write(() -> backplane.disconnect(node.id(), channel, user));
    }

    @Override
    public void joined(ConnectionInfo connection) {
        // the Redis engine keeps milliseconds: so does this one, for the same listing order
        ConnectionInfo kept = new ConnectionInfo(connection.id(), connection.channel(), connection.user(),
                connection.connectedAt().truncatedTo(ChronoUnit.MILLIS));
        write(() -> backplane.joined(node.id(), kept));
    }

    @Override
    public void left(ConnectionInfo connection) {
        write(() -> backplane.left(node.id(), connection));
    }

    @Override
    public Optional<Replay> replay(String channel, String lastEventId) {
        return backplane.replay(channel, lastEventId);
    }

    @Override
    public Replay latest(String channel, int count) {
        return backplane.latest(channel, count);
    }

    @Override
    public List<ConnectionInfo> connections(String channel) {
        return backplane.connections(channel);
    }

    @Override
    public List<ChannelInfo> channels() {
        return backplane.channels();
    }

    @Override
    public Optional<ConnectionInfo> connection(String connectionId) {
        return backplane.connection(connectionId);
    }

    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (backplane != null) {
            backplane.detach(this);
        }
        if (thread != null) {
            thread.interrupt();
        }
    }

    // ---- what the backplane calls (under its monitor): queued for this engine's thread ----------------------

    String nodeId() {
        return node.id();
    }

    void delivered(String channel, IdentifiedEvent event, Set<String> exclude, String origin, long opId) {
        receive(() -> node.deliver(channel, event, exclude, origin, opId));
    }

    void sentTo(String connectionId, SseEvent event) {
        receive(() -> node.deliverTo(connectionId, event));
    }

    void killed(String channel) {
        receive(() -> node.kill(channel));
    }

    void disconnected(String channel, String user) {
        receive(() -> node.disconnect(channel, user));
    }

    void presenceChanged(String channel) {
        receive(() -> node.presenceChanged(channel));
    }

    void backplaneDown() {
        if (state == State.UP) {
            state = State.DOWN;
            receive(node::backplaneLost);
        }
    }

    void backplaneUp() {
        if (state == State.DOWN) {
            state = State.UP;
            receive(() -> {
                node.localConnections().forEach(connection -> backplane.joined(node.id(), connection));
                node.backplaneRecovered();
            });
        }
    }

    // ---- the engine's thread -----------------------------------------------------------------------------

    /** Queues a write unless the backplane is down: then it is dropped, as the node registers again on recovery. */
    private void write(Runnable op) {
        if (state == State.UP) {
            queue.offer(op);
        }
    }

    private void receive(Runnable message) {
        if (state != State.CLOSED) {
            queue.offer(message);
        }
    }

    private void run() {
        while (state != State.CLOSED) {
            Runnable task;
            try {
                task = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (state == State.CLOSED) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "In-memory cluster engine " + name + ": a task failed", e);
            }
        }
    }
}
