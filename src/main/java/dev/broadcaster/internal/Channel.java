package dev.broadcaster.internal;

import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.MessageTooLargeException;
import dev.broadcaster.PresenceRenderer;
import dev.broadcaster.SseEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * A named stream: its connections in connection order, its history and its presence renderer.
 * Publishing assigns the next event id and records the frame in the history under one lock; the frame
 * then goes to the connections that were members at that moment. For a small channel that happens on
 * the publisher's thread; for a larger one, or while earlier work is still pending, the fan-out is
 * queued and done in order on the executor, so the publisher never waits for it. Sends to one
 * connection and closes go through the same queue, so every connection sees one order.
 * {@link DefaultChannelRegistry} owns the channel's life.
 */
final class Channel {

    /** The name of the event sent instead of a replay that is no longer possible. */
    static final String RESYNC = "resync";

    /** Up to this many members a fan-out with nothing pending is done on the publisher's thread. */
    static final int INLINE_FANOUT = 32;

    private static final System.Logger LOG = System.getLogger(Channel.class.getName());
    private static final Connection[] NONE = new Connection[0];

    private final String name;
    private final String epoch = EventIds.newEpoch();
    private final Map<String, Connection> connections = new LinkedHashMap<>();
    private final ChannelHistory history;
    private final PresenceUpdater presence;
    private final boolean explicit;
    private final int maxMessageSize;
    private final Runnable resyncSent;
    private final Executor executor;
    private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
    private boolean fanningOut;
    private Connection[] members = NONE; // the connections' values, copied on change: captured by each fan-out
    private volatile PresenceRenderer renderer;
    private boolean everJoined;
    private long emptySinceNanos;

    Channel(String name, PresenceRenderer renderer, boolean explicit, int historySize, int maxMessageSize,
            Runnable resyncSent, Executor executor, PresenceUpdater.Factory presenceFactory) {
        this.name = name;
        this.executor = executor;
        this.maxMessageSize = maxMessageSize;
        this.resyncSent = resyncSent;
        this.renderer = renderer;
        this.explicit = explicit;
        this.history = new ChannelHistory(historySize);
        this.presence = presenceFactory.create(this);
        this.emptySinceNanos = System.nanoTime();
    }

    String name() {
        return name;
    }

    PresenceRenderer renderer() {
        return renderer;
    }

    void renderer(PresenceRenderer newRenderer) {
        if (newRenderer != null) {
            renderer = newRenderer;
        }
    }

    /**
     * Adds {@code connection}, first queueing what it should see before live events: the events
     * after {@code lastEventId} (or a resync event if they are gone), or the latest
     * {@code historyCount} events. Returns true if it is its user's first connection here.
     */
    synchronized boolean add(Connection connection, String lastEventId, int historyCount) {
        if (lastEventId != null) {
            List<Frame> missed = history.after(EventIds.sequenceIn(epoch, lastEventId));
            if (missed != null) {
                connection.deliverAll(missed);
            } else {
                connection.deliverAll(List.of(resyncFrame(lastEventId)));
                resyncSent.run();
            }
        } else if (historyCount > 0) {
            connection.deliverAll(history.latest(historyCount));
        }
        boolean first = connections.values().stream().noneMatch(c -> c.user().equals(connection.user()));
        connections.put(connection.id(), connection);
        members = connections.values().toArray(NONE);
        everJoined = true;
        emptySinceNanos = 0;
        return first;
    }

    private Frame resyncFrame(String lastEventId) {
        long sequence = EventIds.sequenceIn(epoch, lastEventId);
        String reason = sequence < 0 ? "unknown-id" : sequence > history.lastSequence() ? "unknown-id" : "expired";
        String data = "{\"channel\":\"" + name + "\",\"reason\":\"" + reason + "\"}";
        return SseEncoder.encode(new SseEvent(RESYNC, EventIds.format(epoch, history.lastSequence()), null, data));
    }

    /** Removes {@code connection}; true if it was its user's last connection here. */
    synchronized boolean remove(Connection connection) {
        if (connections.remove(connection.id()) == null) {
            return false;
        }
        members = connections.values().toArray(NONE);
        if (connections.isEmpty()) {
            emptySinceNanos = System.nanoTime();
        }
        return connections.values().stream().noneMatch(c -> c.user().equals(connection.user()));
    }

    synchronized boolean isEmpty() {
        return connections.isEmpty();
    }

    /** Listed: it has connections, or was created explicitly and nobody joined yet. */
    synchronized boolean isListed() {
        return !connections.isEmpty() || (explicit && !everJoined);
    }

    /** Empty (and not a never-joined explicit channel) for longer than {@code lingerNanos}. */
    synchronized boolean expired(long now, long lingerNanos) {
        return connections.isEmpty() && !(explicit && !everJoined) && now - emptySinceNanos >= lingerNanos;
    }

    synchronized List<Connection> connections() {
        return new ArrayList<>(connections.values());
    }

    synchronized List<ConnectionInfo> connectionInfos() {
        return connections.values().stream().map(Connection::info).toList();
    }

    synchronized List<String> users() {
        return connections.values().stream().map(Connection::user).toList();
    }

    synchronized List<String> distinctUsers() {
        Set<String> users = new LinkedHashSet<>();
        connections.values().forEach(c -> users.add(c.user()));
        return List.copyOf(users);
    }

    synchronized int historySize() {
        return history.size();
    }

    /**
     * Publishes {@code event} with the channel's next id (replacing any id it had), records it and
     * queues it to every current connection not in {@code exclude}; returns how many it is addressed to.
     */
    synchronized int publish(SseEvent event, Set<String> exclude) {
        long sequence = history.lastSequence() + 1;
        Frame frame = SseEncoder.encode(event.withId(EventIds.format(epoch, sequence)));
        if (frame.size() > maxMessageSize) {
            throw new MessageTooLargeException(frame.size(), maxMessageSize);
        }
        history.add(sequence, frame);
        Connection[] targets = members;
        Set<String> excluded = exclude.isEmpty() ? Set.of() : Set.copyOf(exclude); // the caller's set may change
        int addressed = targets.length;
        for (String id : excluded) {
            if (connections.containsKey(id)) {
                addressed--;
            }
        }
        inOrder(targets.length, () -> {
            for (Connection connection : targets) {
                if (excluded.isEmpty() || !excluded.contains(connection.id())) {
                    connection.deliver(frame);
                }
            }
        });
        return addressed;
    }

    /** Queues {@code frame} to {@code connection} (a member) after everything published before; false if it is closing. */
    synchronized boolean send(Connection connection, Frame frame) {
        if (!connections.containsKey(connection.id())) {
            return false;
        }
        if (!fanningOut) {
            return connection.deliver(frame);
        }
        inOrder(1, () -> connection.deliver(frame));
        return true;
    }

    /** Closes {@code closing} after everything published to them before has been queued. */
    synchronized void close(List<Connection> closing) {
        inOrder(closing.size(), () -> closing.forEach(Connection::close));
    }

    /** Runs {@code work} after the work queued before it: at once if nothing is pending and it is small. */
    private void inOrder(int size, Runnable work) {
        if (!fanningOut && size <= INLINE_FANOUT) {
            work.run();
            return;
        }
        pending.add(work);
        if (!fanningOut) {
            fanningOut = true;
            executor.execute(this::fanOut);
        }
    }

    private void fanOut() {
        while (true) {
            Runnable work;
            synchronized (this) {
                work = pending.poll();
                if (work == null) {
                    fanningOut = false;
                    return;
                }
            }
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Fan-out on channel '" + name + "' failed", e);
            }
        }
    }

    /** Asks for the presence renderer to run (coalesced with any request still pending). */
    void presenceChanged() {
        if (renderer != null) {
            presence.requestUpdate();
        }
    }
}
