package dev.broadcaster.internal;

import dev.broadcaster.ChannelOverloadedException;
import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.MessageTooLargeException;
import dev.broadcaster.PresenceRenderer;
import dev.broadcaster.SseEvent;
import dev.broadcaster.cluster.ClusterEngine;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
 *
 * <p>Joining and leaving cost O(1) under the lock ({@link Members}, {@link ChannelUsers}), so a join storm into a
 * large channel does not hold publishers up. Presence is not history: the latest rendered presence is kept in a
 * slot of its own, sent without an id to the members and once to every connection that joins later, after its
 * replay. {@link DefaultChannelRegistry} owns the channel's life.
 */
final class Channel {

    /** The name of the event sent instead of a replay that is no longer possible. */
    static final String RESYNC = "resync";

    /**
     * What a channel holds back.
     *
     * @param fanOutQueueSize fan-out work (publishes, sends, closes) that may wait; a publish that finds it full
     *                        is refused with {@link ChannelOverloadedException}
     * @param maxReplayBytes the most bytes replayed to one connection on connect; a longer replay is a
     *                       {@code resync} event (reason {@code too-large}) instead
     */
    record Bounds(int fanOutQueueSize, long maxReplayBytes) {
        static final Bounds NONE = new Bounds(Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /** How long a publisher refused for a full fan-out queue is told to wait (HTTP {@code Retry-After}). */
    static final Duration RETRY_AFTER_OVERLOAD = Duration.ofSeconds(1);

    /** Up to this many members a fan-out with nothing pending is done on the publisher's thread. */
    static final int INLINE_FANOUT = 32;

    private static final System.Logger LOG = System.getLogger(Channel.class.getName());

    private final String name;
    private final String epoch = EventIds.newEpoch();
    private final Members members = new Members();
    private final ChannelUsers users = new ChannelUsers();
    private final Set<String> anonymousIds = new HashSet<>(); // members that are anonymous clients
    private List<Frame> latestPresence = List.of(); // the last presence render sent, for connections joining later
    private final ChannelHistory history;
    private final PresenceUpdater presence;
    private final boolean explicit;
    private final int maxMessageSize;
    private final Runnable resyncSent;
    private final Executor executor;
    private final ArrayDeque<Runnable> pending = new ArrayDeque<>(); // bounded by bounds.fanOutQueueSize for publishes
    private final Bounds bounds;
    private boolean fanningOut;
    private volatile PresenceRenderer renderer;
    private boolean everJoined;
    private long emptySinceNanos;
    // in a cluster only
    private final RecentEvents recent;
    private final Map<Long, Boolean> ownDelivered = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > 4096;
        }
    };
    private long localSequence;

    Channel(String name, PresenceRenderer renderer, boolean explicit, int historySize, int maxMessageSize,
            Runnable resyncSent, Executor executor, PresenceUpdater.Factory presenceFactory) {
        this(name, renderer, explicit, historySize, maxMessageSize, resyncSent, executor, presenceFactory, Bounds.NONE);
    }

    Channel(String name, PresenceRenderer renderer, boolean explicit, int historySize, int maxMessageSize,
            Runnable resyncSent, Executor executor, PresenceUpdater.Factory presenceFactory, Bounds bounds) {
        this.bounds = bounds;
        this.name = name;
        this.executor = executor;
        this.maxMessageSize = maxMessageSize;
        this.resyncSent = resyncSent;
        this.renderer = renderer;
        this.explicit = explicit;
        this.history = new ChannelHistory(historySize);
        this.recent = new RecentEvents(historySize);
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
     * {@code historyCount} events, then the current presence. Returns true if its user was not present here
     * (neither connected nor within the leave grace).
     */
    synchronized boolean add(Connection connection, String lastEventId, int historyCount, boolean anonymous) {
        List<Frame> replay = lastEventId != null ? history.after(EventIds.sequenceIn(epoch, lastEventId))
                : historyCount > 0 ? history.latest(historyCount) : List.of();
        if (replay == null || bytes(replay) > bounds.maxReplayBytes()) {
            connection.deliverAll(List.of(resyncFrame(lastEventId, replay == null ? null : "too-large")));
            resyncSent.run();
        } else if (!replay.isEmpty()) {
            connection.deliverAll(replay);
        }
        return join(connection, anonymous);
    }

    /** Makes {@code connection} a member, after the current presence; true if its user was not present here. */
    private boolean join(Connection connection, boolean anonymous) {
        if (!latestPresence.isEmpty()) {
            connection.deliverAll(latestPresence);
        }
        members.add(connection);
        if (anonymous) {
            anonymousIds.add(connection.id());
        }
        everJoined = true;
        emptySinceNanos = 0;
        return users.join(new ChannelUsers.Key(connection.user(), anonymous));
    }

    /** The resync event instead of a replay: {@code reason}, or why {@code lastEventId} cannot be replayed. */
    private Frame resyncFrame(String lastEventId, String reason) {
        if (reason == null) {
            long sequence = EventIds.sequenceIn(epoch, lastEventId);
            reason = sequence < 0 ? "unknown-id" : sequence > history.lastSequence() ? "unknown-id" : "expired";
        }
        String data = "{\"channel\":\"" + name + "\",\"reason\":\"" + reason + "\"}";
        return SseEncoder.encode(new SseEvent(RESYNC, EventIds.format(epoch, history.lastSequence()), null, data));
    }

    /** Removes {@code connection} (O(1)), without a leave grace for its user. */
    synchronized void remove(Connection connection) {
        remove(connection, false);
    }

    /**
     * Removes {@code connection} (O(1)); says whether its user stays, has left, or (with {@code grace}) is leaving:
     * still present until {@link #expireLeavers} finds the grace over.
     */
    synchronized ChannelUsers.Departure remove(Connection connection, boolean grace) {
        if (!members.remove(connection.id())) {
            return ChannelUsers.Departure.STAYS;
        }
        boolean anonymous = anonymousIds.remove(connection.id());
        if (members.isEmpty()) {
            emptySinceNanos = System.nanoTime();
        }
        return users.leave(new ChannelUsers.Key(connection.user(), anonymous), System.nanoTime(), grace);
    }

    /** Users whose last connection left at least {@code graceNanos} ago: they leave presence now; their names. */
    synchronized List<String> expireLeavers(long graceNanos) {
        return users.expire(System.nanoTime(), graceNanos).stream().map(ChannelUsers.Key::user).toList();
    }

    /** Forgets every user (the channel is killed); returns them, those within the leave grace included. */
    synchronized List<String> clearUsers() {
        return users.clear().stream().map(ChannelUsers.Key::user).toList();
    }

    /** How many members are not in {@code exclude}. */
    synchronized int countExcept(Set<String> exclude) {
        int count = members.size();
        for (String id : exclude) {
            if (members.contains(id)) {
                count--;
            }
        }
        return count;
    }

    synchronized boolean isEmpty() {
        return members.isEmpty();
    }

    /** Open connections here. */
    synchronized int size() {
        return members.size();
    }

    /** Listed: it has connections, or was created explicitly and nobody joined yet. */
    synchronized boolean isListed() {
        return !members.isEmpty() || (explicit && !everJoined);
    }

    /**
     * Empty (and not a never-joined explicit channel) for longer than {@code lingerNanos}, and nobody within the
     * leave grace.
     */
    synchronized boolean expired(long now, long lingerNanos) {
        return members.isEmpty() && !(explicit && !everJoined) && !users.anyLeaving()
                && now - emptySinceNanos >= lingerNanos;
    }

    /** Whether a user whose last connection left is within the leave grace. */
    synchronized boolean anyLeaving() {
        return users.anyLeaving();
    }

    synchronized List<Connection> connections() {
        return members.list();
    }

    synchronized List<ConnectionInfo> connectionInfos() {
        List<ConnectionInfo> infos = new ArrayList<>(members.size());
        members.view().forEach(c -> infos.add(c.info()));
        return infos;
    }

    synchronized List<String> users() {
        List<String> names = new ArrayList<>(members.size());
        members.view().forEach(c -> names.add(c.user()));
        return names;
    }

    /** The users connected now, in the order they joined. */
    synchronized List<String> distinctUsers() {
        return users.connected();
    }

    /** The users presence shows: connected now or within the leave grace, in the order they joined. */
    synchronized List<String> presentUsers() {
        return users.present();
    }

    /** The users within the leave grace (their last connection here left; presence still shows them). */
    synchronized List<String> usersInGrace() {
        return users.inGrace();
    }

    synchronized int historySize() {
        return history.size();
    }

    /**
     * Publishes {@code event} with the channel's next id (replacing any id it had), records it and
     * queues it to every current connection not in {@code exclude}; returns how many it is addressed to.
     */
    synchronized int publish(SseEvent event, Set<String> exclude) {
        if (!hasFanOutRoomLocked()) {
            throw overloaded();
        }
        long sequence = history.lastSequence() + 1;
        Frame frame = SseEncoder.encode(event.withId(EventIds.format(epoch, sequence)));
        if (frame.size() > maxMessageSize) {
            throw new MessageTooLargeException(frame.size(), maxMessageSize);
        }
        history.add(sequence, frame);
        return queueToMembers(frame, exclude);
    }

    /** Whether a publish would be taken now: the fan-out queue is not full. */
    synchronized boolean hasFanOutRoom() {
        return hasFanOutRoomLocked();
    }

    private boolean hasFanOutRoomLocked() {
        return pending.size() < bounds.fanOutQueueSize();
    }

    /** The exception a publish that finds the fan-out queue full gets. */
    ChannelOverloadedException overloaded() {
        return new ChannelOverloadedException(name, bounds.fanOutQueueSize(), RETRY_AFTER_OVERLOAD);
    }

    private static long bytes(List<Frame> frames) {
        long total = 0;
        for (Frame frame : frames) {
            total += frame.size();
        }
        return total;
    }

    /** Queues {@code frame} to the members now but those in {@code exclude}, in order; returns how many. */
    private int queueToMembers(Frame frame, Set<String> exclude) {
        Members.Snapshot snapshot = members.snapshot();
        Connection[] targets = snapshot.connections();
        int count = snapshot.count();
        Set<String> excluded = exclude.isEmpty() ? Set.of() : Set.copyOf(exclude); // the caller's set may change
        int addressed = count;
        for (String id : excluded) {
            if (members.contains(id)) {
                addressed--;
            }
        }
        inOrder(count, () -> {
            for (int i = 0; i < count; i++) {
                Connection connection = targets[i];
                if (excluded.isEmpty() || !excluded.contains(connection.id())) {
                    connection.deliver(frame);
                }
            }
        });
        return addressed;
    }

    /**
     * Sends a presence render to the members, in order with everything published, without event ids and outside
     * the history, and keeps it for connections that join later (replacing the one before).
     *
     * @throws MessageTooLargeException if an event exceeds {@code broadcaster.max-message-size} (nothing is sent)
     */
    synchronized void sendPresence(List<SseEvent> events) {
        List<Frame> frames = new ArrayList<>(events.size());
        for (SseEvent event : events) {
            Frame frame = SseEncoder.encode(event.withId(null));
            if (frame.size() > maxMessageSize) {
                throw new MessageTooLargeException(frame.size(), maxMessageSize);
            }
            frames.add(frame);
        }
        latestPresence = List.copyOf(frames);
        frames.forEach(frame -> queueToMembers(frame, Set.of()));
    }

    /** Queues {@code frame} to {@code connection} (a member) after everything published before; false if it is closing. */
    synchronized boolean send(Connection connection, Frame frame) {
        if (!members.contains(connection.id())) {
            return false;
        }
        if (!fanningOut) {
            return connection.deliver(frame);
        }
        inOrder(1, () -> connection.deliver(frame));
        return true;
    }

    // ---- in a cluster: the backplane orders events and keeps the history ----------------------------

    /**
     * Delivers an event the backplane ordered to this node's members; {@code ownOpId} is this node's id of the
     * publish if it came from here (-1 otherwise), so a publish delivered already (locally, while the backplane
     * failed) is not delivered twice. Returns how many connections it is addressed to.
     */
    synchronized int deliverClustered(ClusterEngine.IdentifiedEvent event, Set<String> exclude, long ownOpId) {
        if (ownOpId >= 0 && ownDelivered.put(ownOpId, Boolean.TRUE) != null) {
            return 0;
        }
        Frame frame = SseEncoder.encode(event.event()).at(event.position());
        recent.add(event.id(), frame);
        return queueToMembers(frame, exclude);
    }

    /**
     * Delivers this node's publish {@code opId} to this node's members only (the backplane is down), once, with
     * an id of this node ({@code <epoch>~<n>}: never a Redis stream id, and no longer than
     * {@link EventIds#LONGEST}, against which the caller checked the event's size); returns how many connections
     * it is addressed to. Never throws: it also runs on the engine's writer thread.
     */
    synchronized int deliverLocally(SseEvent event, Set<String> exclude, long opId) {
        if (ownDelivered.put(opId, Boolean.TRUE) != null) {
            return 0;
        }
        String id = epoch + "~" + (++localSequence);
        Frame frame = SseEncoder.encode(event.withId(id));
        recent.add(id, frame);
        return queueToMembers(frame, exclude);
    }

    /** Whether this node still has the event {@code id} among its recent ones. */
    synchronized boolean hasRecent(String id) {
        return recent.contains(id);
    }

    /**
     * Adds {@code connection}, first queueing what it should see before live events. With a
     * {@code lastEventId}: the events after it, from this node's recent events if it has that one, otherwise
     * {@code fetched} (the backplane's replay; null if it is gone) followed by what arrived here since, otherwise
     * a resync event. With a {@code historyCount}: {@code fetched} (the backplane's latest) followed by what
     * arrived since, or this node's latest. Returns true if it is its user's first connection here.
     */
    synchronized boolean addClustered(Connection connection, String lastEventId, int historyCount,
                                      ClusterEngine.Replay fetched, boolean anonymous) {
        List<Frame> frames = null;
        long replayedUpTo = 0;
        if (lastEventId != null) {
            frames = recent.afterId(lastEventId);
        }
        if (frames == null && (lastEventId != null || historyCount > 0)) {
            if (fetched != null) {
                frames = new ArrayList<>();
                replayedUpTo = fetched.after();
                for (ClusterEngine.IdentifiedEvent event : fetched.events()) {
                    frames.add(SseEncoder.encode(event.event()));
                    replayedUpTo = Math.max(replayedUpTo, event.position());
                }
                frames.addAll(recent.afterPosition(replayedUpTo));
            } else if (lastEventId == null) {
                frames = recent.latest(historyCount);
            } else {
                String data = "{\"channel\":\"" + name + "\",\"reason\":\"expired\"}";
                frames = List.of(SseEncoder.encode(new SseEvent(RESYNC, recent.lastId(), null, data)));
                resyncSent.run();
            }
        }
        if (frames != null && bytes(frames) > bounds.maxReplayBytes()) {
            String lastId = frames.get(frames.size() - 1).event().id();
            String data = "{\"channel\":\"" + name + "\",\"reason\":\"too-large\"}";
            frames = List.of(SseEncoder.encode(new SseEvent(RESYNC, lastId, null, data)));
            resyncSent.run();
        }
        if (frames != null) {
            connection.deliverAll(frames);
        }
        connection.skipUpTo(replayedUpTo);
        return join(connection, anonymous);
    }

    /**
     * The backplane is back after an outage: events may have been lost, so every member gets a resync event
     * (reason {@code backplane-recovered}) after what it was sent so far.
     */
    synchronized void resyncMembers() {
        recent.clear();
        if (members.isEmpty()) {
            return;
        }
        String data = "{\"channel\":\"" + name + "\",\"reason\":\"backplane-recovered\"}";
        int sent = queueToMembers(SseEncoder.encode(new SseEvent(RESYNC, null, null, data)), Set.of());
        for (int i = 0; i < sent; i++) {
            resyncSent.run();
        }
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

    /**
     * Asks for the presence renderer to run (coalesced with any request still pending); it renders only if the
     * users it would show changed since its last render, or if {@code force}.
     */
    void presenceChanged(boolean force) {
        if (renderer != null) {
            presence.requestUpdate(force);
        }
    }

    void presenceChanged() {
        presenceChanged(false);
    }
}
