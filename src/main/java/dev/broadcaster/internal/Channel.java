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
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * A named stream: its connections in connection order, its log and its presence renderer.
 * Publishing records the event in the channel's log (which gives it its id) and queues its frame to the
 * connections that are members at that moment, under one lock. For a small channel the fan-out happens on
 * the publisher's thread; for a larger one, or while earlier work is still pending, it is queued and done in
 * order on the executor, so the publisher never waits for it. Sends to one connection and closes go through the
 * same queue, so every connection sees one order.
 *
 * <p>The channel does not know whether it is part of a cluster: its {@link ChannelLog}, chosen by the topology,
 * does. Joining and leaving cost O(1) under the lock ({@link Members}, {@link ChannelUsers}), so a join storm into
 * a large channel does not hold publishers up. Presence is not history: the latest rendered presence is kept in a
 * slot of its own, sent without an id to the members and once to every connection that joins later, after its
 * catch-up. {@link Channels} owns the channel's life.
 *
 * <p>Threads and locks: every mutable field is guarded by the channel's monitor, except {@code renderer}
 * (volatile). The fan-out task runs on the executor, one per channel at a time ({@code fanningOut}); it takes the
 * monitor only to poll {@code pending}, and delivers outside it. Lock order: channel, then connection (a
 * connection's monitor is taken inside the channel's when frames are queued to it; never the other way).
 */
final class Channel {

    /**
     * What a channel needs from the node it lives on.
     *
     * @param executor runs fan-outs too large to do on the publisher's thread
     * @param presence creates the channel's presence updater
     * @param resyncSent told each time a joining connection gets {@code resync} instead of a catch-up
     * @param fanOutQueueSize fan-out work (publishes, sends, closes) that may wait; a publish that finds it full
     *                        is refused with {@link ChannelOverloadedException}
     * @param maxReplayBytes the most bytes replayed to one connection on connect; a longer catch-up is a
     *                       {@code resync} event (reason {@code too-large}) instead
     * @param maxMessageSize the largest presence event, in bytes ({@code broadcaster.max-message-size})
     * @param conflates which channels conflate ({@code broadcaster.conflate}, see {@link Conflation})
     * @param deliveryLatency told each broadcast's delivery latency ({@link Frame#track})
     */
    record Context(Executor executor, PresenceUpdater.Factory presence, Runnable resyncSent, int fanOutQueueSize,
                   long maxReplayBytes, int maxMessageSize, Predicate<String> conflates, Latencies deliveryLatency) {

        /** A context without delivery latency listeners. */
        Context(Executor executor, PresenceUpdater.Factory presence, Runnable resyncSent, int fanOutQueueSize,
                long maxReplayBytes, int maxMessageSize, Predicate<String> conflates) {
            this(executor, presence, resyncSent, fanOutQueueSize, maxReplayBytes, maxMessageSize, conflates,
                    new Latencies());
        }

        /** A context of channels that do not conflate. */
        Context(Executor executor, PresenceUpdater.Factory presence, Runnable resyncSent, int fanOutQueueSize,
                long maxReplayBytes, int maxMessageSize) {
            this(executor, presence, resyncSent, fanOutQueueSize, maxReplayBytes, maxMessageSize, name -> false);
        }
    }

    /** How long a publisher refused for a full fan-out queue is told to wait (HTTP {@code Retry-After}). */
    static final Duration RETRY_AFTER_OVERLOAD = Duration.ofSeconds(1);

    /** Up to this many members a fan-out with nothing pending is done on the publisher's thread. */
    static final int INLINE_FANOUT = 32;

    private static final System.Logger LOG = System.getLogger(Channel.class.getName());

    private final String name;
    private final boolean conflates; // its live events supersede older ones waiting in a connection's backlog
    private final boolean explicit;
    private final ChannelLog log; // guarded by this
    private final Context context;
    private final PresenceUpdater presence;
    private final Members members = new Members(); // guarded by this
    private final ChannelUsers users = new ChannelUsers(); // guarded by this
    private final Set<String> anonymousIds = new HashSet<>(); // members that are anonymous clients; guarded by this
    private List<Frame> latestPresence = List.of(); // the last presence render sent, for later joiners; guarded by this
    private final ArrayDeque<Runnable> pending = new ArrayDeque<>(); // fan-out work waiting; guarded by this
    private boolean fanningOut; // a fan-out task is queued or running; guarded by this
    private boolean everJoined; // guarded by this
    private long emptySinceNanos; // guarded by this
    private volatile PresenceRenderer renderer;

    Channel(String name, PresenceRenderer renderer, boolean explicit, ChannelLog log, Context context) {
        this.name = name;
        this.conflates = context.conflates().test(name);
        this.renderer = renderer;
        this.explicit = explicit;
        this.log = log;
        this.context = context;
        this.presence = context.presence().create(this);
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
     * Adds {@code connection}, first queueing what it should see before live events: its catch-up from the log
     * (the events after {@code lastEventId}, or the latest {@code historyCount} events, or a {@code resync} event
     * if they are gone or larger than the replay bound; {@code fetched} is the backplane's answer, if it was asked),
     * then the current presence. Returns true if its user was not present here (neither connected nor within the
     * leave grace).
     */
    synchronized boolean add(Connection connection, String lastEventId, int historyCount, ClusterEngine.Replay fetched,
                             boolean anonymous) {
        ChannelLog.CatchUp catchUp = log.catchUp(name, lastEventId, historyCount, fetched);
        List<Frame> frames = catchUp.frames();
        if (!catchUp.resync() && bytes(frames) > context.maxReplayBytes()) {
            frames = List.of(ControlEvents.resync(name, frames.get(frames.size() - 1).event().id(),
                    ControlEvents.Reason.TOO_LARGE));
        }
        if (frames != catchUp.frames() || catchUp.resync()) {
            context.resyncSent().run();
        }
        connection.startsAt(name, lastEventId != null ? lastEventId : log.position());
        if (!frames.isEmpty()) {
            connection.deliverAll(name, frames);
        }
        connection.skipUpTo(name, catchUp.replayedUpTo());
        return join(connection, anonymous);
    }

    /** Makes {@code connection} a member, after the current presence; true if its user was not present here. */
    private boolean join(Connection connection, boolean anonymous) {
        if (!latestPresence.isEmpty()) {
            connection.deliverAll(name, latestPresence);
        }
        members.add(connection);
        if (anonymous) {
            anonymousIds.add(connection.id());
        }
        everJoined = true;
        emptySinceNanos = 0;
        return users.join(new ChannelUsers.Key(connection.user(), anonymous));
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
        members.view().forEach(c -> infos.add(c.infoOn(name)));
        return infos;
    }

    /** The user of every connection, once per browser tab it serves (a stream shared by tabs serves several). */
    synchronized List<String> users() {
        List<String> names = new ArrayList<>(members.size());
        members.view().forEach(c -> {
            for (int i = c.tabs(); i > 0; i--) {
                names.add(c.user());
            }
        });
        return names;
    }

    /** The id a client that saw everything recorded so far would resume from (null: nothing to name yet). */
    synchronized String position() {
        return log.position();
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

    /** Whether a connection resuming after {@code lastEventId} can be answered without asking the backplane. */
    synchronized boolean answersAlone(String lastEventId) {
        return log.answersAlone(lastEventId);
    }

    /** Events its log keeps for catch-ups. */
    synchronized int historySize() {
        return log.size();
    }

    /**
     * Publishes an application's event: records it in the log (which gives it its id) and queues it to every
     * current member not in {@code exclude}; returns how many it is addressed to.
     *
     * @throws ChannelOverloadedException if the fan-out queue is full (nothing is recorded)
     */
    synchronized int publish(ChannelLog.Publication publication, Set<String> exclude) {
        return publishWithId(publication, exclude).addressed();
    }

    /** What a publish did: how many members it is addressed to, and the id the event got (null: none). */
    record Published(int addressed, String id) {
    }

    /** As {@link #publish}, telling the id the event got. */
    synchronized Published publishWithId(ChannelLog.Publication publication, Set<String> exclude) {
        if (!hasFanOutRoomLocked()) {
            throw overloaded();
        }
        return deliverWithId(publication, exclude);
    }

    /**
     * Delivers an event published already (by the backplane's order, or this node's publish that the backplane
     * could not take): records it and queues it to the members not in {@code exclude}, whatever the fan-out queue
     * holds; returns how many it is addressed to (0 if the log had delivered it already).
     */
    synchronized int deliver(ChannelLog.Publication publication, Set<String> exclude) {
        return deliverWithId(publication, exclude).addressed();
    }

    /** As {@link #deliver}, telling the id the event got (null if the log had delivered it already). */
    synchronized Published deliverWithId(ChannelLog.Publication publication, Set<String> exclude) {
        Frame frame = log.record(publication);
        if (frame != null && context.deliveryLatency().listened()) {
            frame.track(context.deliveryLatency(), System.nanoTime()); // a broadcast's delivery, from now
        }
        return frame == null ? new Published(0, null) : new Published(queueToMembers(frame, exclude),
                frame.event().id());
    }

    /** Whether a publish would be taken now: the fan-out queue is not full. */
    synchronized boolean hasFanOutRoom() {
        return hasFanOutRoomLocked();
    }

    private boolean hasFanOutRoomLocked() {
        return pending.size() < context.fanOutQueueSize();
    }

    /** The exception a publish that finds the fan-out queue full gets. */
    ChannelOverloadedException overloaded() {
        return new ChannelOverloadedException(name, context.fanOutQueueSize(), RETRY_AFTER_OVERLOAD);
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
            DrainStarts starts = new DrainStarts();
            for (int i = 0; i < count; i++) {
                Connection connection = targets[i];
                if (excluded.isEmpty() || !excluded.contains(connection.id())) {
                    connection.deliver(name, frame, conflates, starts);
                }
            }
            starts.start(); // the last, partial chunk
            frame.fannedOut(); // a tracked broadcast's delivery may end now
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
            if (frame.size() > context.maxMessageSize()) {
                throw new MessageTooLargeException(frame.size(), context.maxMessageSize());
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

    /**
     * Events may have been missed (the cluster's backplane is back after an outage): the log forgets its recent
     * events, and every member gets a {@code resync} event (reason {@code reason}) after what it was sent so far.
     */
    synchronized void resyncMembers(ControlEvents.Reason reason) {
        log.forgetRecent();
        if (members.isEmpty()) {
            return;
        }
        int sent = queueToMembers(ControlEvents.resync(name, null, reason), Set.of());
        for (int i = 0; i < sent; i++) {
            context.resyncSent().run();
        }
    }

    /**
     * Tells {@code leaving} (streams of several channels removed from this one, open on their others) with a
     * {@code resync} (reason {@code removed}), after everything published to them before has been queued.
     */
    synchronized void removedFrom(List<Connection> leaving) {
        if (leaving.isEmpty()) {
            return;
        }
        Frame removed = ControlEvents.resync(name, null, ControlEvents.Reason.REMOVED);
        inOrder(leaving.size(), () -> leaving.forEach(connection -> connection.deliver(name, removed)));
    }

    /**
     * Closes {@code closing} after everything published to them before has been queued, with {@code lastFrame}
     * (null: none) as their last frame.
     */
    synchronized void close(List<Connection> closing, Frame lastFrame) {
        inOrder(closing.size(), () -> closing.forEach(connection -> connection.closeAfter(lastFrame)));
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
            context.executor().execute(this::fanOut);
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
