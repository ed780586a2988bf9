package dev.broadcaster.internal;

import dev.broadcaster.ChannelInfo;
import dev.broadcaster.ConnectOptions;
import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.PresenceRenderer;
import dev.broadcaster.UserJoined;
import dev.broadcaster.UserLeft;
import dev.broadcaster.cluster.ClusterEngine;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * This node's channels and connections, and the transitions between them: a connection joins (creating its
 * channel), leaves (a user's last connection within {@code broadcaster.presence-leave-grace} stays present), is
 * disconnected or killed with its channel; an empty channel is removed after {@code broadcaster.channel-linger}.
 * Each transition fires {@link UserJoined}/{@link UserLeft}, tells the topology, asks presence to render and
 * tells the admin feed. The limits {@code max-channels} and the connection budgets are enforced here.
 *
 * <p>Threads and locks: called from request threads, the library's executor, the timer and the cluster engine's
 * threads. A channel is created and changed inside the channel map's {@code compute} for its name (the map's bin
 * lock, then the channel's monitor, then a connection's: never the other way round); CDI events, presence and the
 * topology are told after the compute, outside any lock. {@code channelsBeingCreated} is guarded by
 * {@code channelCreation}.
 */
final class Channels {

    private static final System.Logger LOG = System.getLogger(Channels.class.getName());

    /** What a transition tells the application: the CDI events {@link UserJoined} and {@link UserLeft}. */
    record Listeners(Consumer<UserJoined> joined, Consumer<UserLeft> left) {
    }

    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Connection> connections = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> budgetOf = new ConcurrentHashMap<>(); // connection id -> budget
    // the key client.js gave a shared stream -> its connection id, and back: for its tab counts
    private final ConcurrentHashMap<String, String> sharedStreams = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> sharedKeys = new ConcurrentHashMap<>();
    private final BroadcasterSettings settings;
    private final Workers workers;
    private final Counters counters;
    private final ConnectionBudgets budgets;
    private final Connection.Limits limits;
    private final Topology topology;
    private final Listeners listeners;
    private final Runnable changed; // the admin feed: something its snapshot shows changed
    private final Channel.Context context;
    // channels being created now (in the map's compute, not yet counted by its size): max-channels is exact
    private final Object channelCreation = new Object();
    private int channelsBeingCreated; // guarded by channelCreation

    Channels(BroadcasterSettings settings, Workers workers, Counters counters, Connection.Limits limits,
             Topology topology, Listeners listeners, Runnable changed) {
        this.settings = settings;
        this.workers = workers;
        this.counters = counters;
        this.limits = limits;
        this.topology = topology;
        this.listeners = listeners;
        this.changed = changed;
        this.budgets = new ConnectionBudgets(settings.maxConnectionsPerUser(), settings.maxConnections());
        this.context = new Channel.Context(workers::execute, ch -> new PresenceUpdater(ch, topology.presence(),
                workers::execute, counters.presenceRenders::increment, changed, counters.oversizedPresence::increment),
                counters.resyncs::increment, settings.fanOutQueueSize(), settings.maxReplayBytes(),
                settings.maxMessageSize(), settings::conflates, counters.deliveryLatency);
    }

    // ---- lookups ----

    Channel get(String name) {
        return channels.get(name);
    }

    /** Every channel here (listed or not). */
    Collection<Channel> all() {
        return channels.values();
    }

    /** Every open connection here. */
    Collection<Connection> connections() {
        return connections.values();
    }

    boolean isHere(String connectionId) {
        return connections.containsKey(connectionId);
    }

    Connection connection(String connectionId) {
        return connections.get(connectionId);
    }

    int connectionCount() {
        return connections.size();
    }

    List<ConnectionInfo> connectionInfos() {
        // a stream of several channels is one connection on each
        return connections.values().stream()
                .flatMap(connection -> connection.memberships().stream().map(connection::infoOn)).toList();
    }

    /** The listed channels, by name (with connections, or created and not joined yet). */
    List<Channel> listed() {
        return channels.values().stream().filter(Channel::isListed).sorted(Comparator.comparing(Channel::name))
                .toList();
    }

    List<ChannelInfo> listedInfos() {
        return listed().stream()
                .map(ch -> new ChannelInfo(ch.name(), ch.connections().size(), ch.distinctUsers().size())).toList();
    }

    /** The names of the listed channels nobody has joined: created explicitly, nobody connected yet. */
    Set<String> listedUnjoinedNames() {
        return channels.values().stream().filter(ch -> ch.isListed() && ch.isEmpty()).map(Channel::name)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** How many channels are listed, counted without listing them. */
    int listedCount() {
        return (int) channels.values().stream().filter(Channel::isListed).count();
    }

    long refusedConnections() {
        return budgets.refused();
    }

    int maxMessageSize() {
        return settings.maxMessageSize();
    }

    /** Throws {@link dev.broadcaster.ChannelOverloadedException} (counted) if {@code channel}'s fan-out queue is full. */
    void requireFanOutRoom(String channel) {
        Channel target = channels.get(channel);
        if (target != null && !target.hasFanOutRoom()) {
            counters.publishesRefused.increment();
            throw target.overloaded();
        }
    }

    // ---- transitions ----

    /**
     * Opens a connection of {@code user} to {@code channel} on {@code sink}: reserves its place in the limits (429
     * beyond them), queues its greeting and catch-up, makes it a member and starts it; then fires {@link UserJoined}
     * if it is the user's first connection here, and renders presence.
     */
    ConnectionInfo connect(String channel, String user, boolean anonymous, SseEventSink sink,
                           ConnectOptions options, String connectionId) {
        return connect(List.of(channel), false, user, anonymous, sink, options, connectionId);
    }

    /**
     * Opens one connection of {@code user} to several channels ({@code multi}: a stream with stream ids,
     * {@link StreamIds}); as {@link #connect(String, String, boolean, SseEventSink, ConnectOptions, String)} for each
     * channel, in order, all or none. Its {@code Last-Event-ID} ({@code options}) is a stream id: each channel
     * resumes after its own part of it (a part that is not one of the channel's ids: {@code resync}); without one,
     * each channel starts at its position now, which the stream's first frame tells the client.
     */
    ConnectionInfo connect(List<String> names, boolean multi, String user, boolean anonymous, SseEventSink sink,
                           ConnectOptions options, String connectionId) {
        return connect(names, multi, user, anonymous, sink, options, connectionId, Connection.Ending.NONE);
    }

    /** As {@link #connect(List, boolean, String, boolean, SseEventSink, ConnectOptions, String)}, telling {@code ending} when its sink closes. */
    ConnectionInfo connect(List<String> names, boolean multi, String user, boolean anonymous, SseEventSink sink,
                           ConnectOptions options, String connectionId, Connection.Ending ending) {
        String budget = ConnectionBudgets.budget(user, anonymous, options.clientAddress());
        budgets.reserve(budget);
        ConnectionInfo info = new ConnectionInfo(connectionId, names.get(0), user, Instant.now());
        Connection connection = new Connection(info, names, multi, sink, workers, limits, this::gone);
        connection.endingTo(ending);
        Channel[] targets = new Channel[names.size()];
        boolean[] firstOfUser = new boolean[names.size()];
        try {
            String[] resumeAfter = multi ? resumePoints(names, options) : new String[] {options.lastEventId()};
            connection.deliverAll(List.of(ControlEvents.connected(info.id())));
            connection.deliverPosition();
            connection.tabs(options.tabs());
            budgetOf.put(info.id(), budget);
            connections.put(info.id(), connection);
            if (options.sharedKey() != null) {
                sharedKeys.put(info.id(), options.sharedKey());
                sharedStreams.put(options.sharedKey(), info.id());
            }
            for (int i = 0; i < names.size(); i++) {
                String resume = resumeAfter[i];
                // the presence renderer of the options is the first channel's (a stream's main channel)
                PresenceRenderer presence = i == 0 ? options.presence() : null;
                ConnectOptions channelOptions = options.withLastEventId(resume).withPresence(presence);
                ClusterEngine.Replay fetched = topology.fetchCatchUp(names.get(i), channelOptions);
                Changed<Boolean> joined = change(names.get(i), presence, false, ch -> {
                    ch.renderer(presence);
                    return ch.add(connection, resume, channelOptions.history(), fetched, anonymous);
                });
                targets[i] = joined.channel();
                firstOfUser[i] = joined.answer();
            }
        } catch (RuntimeException | Error e) {
            for (Channel joined : targets) {
                if (joined != null) {
                    joined.remove(connection);
                }
            }
            connections.remove(info.id());
            budgetOf.remove(info.id());
            forgetSharedKey(info.id());
            budgets.release(budget);
            throw e;
        }
        connection.start();
        for (int i = 0; i < names.size(); i++) {
            if (firstOfUser[i]) {
                listeners.joined().accept(new UserJoined(names.get(i), user));
            }
            ConnectionInfo member = connection.infoOn(names.get(i));
            topology.joined(member);
            if (!connections.containsKey(info.id())) {
                // removed (disconnected, killed, gone) before its join was announced: announce the leave after it, so
                // the cluster's view keeps no ghost
                topology.left(member);
            }
            topology.afterJoinOrLeave(targets[i], firstOfUser[i]);
        }
        changed.run();
        return info;
    }

    /**
     * Where each channel of a multi-channel stream resumes: its part of the stream's {@code Last-Event-ID}
     * ({@link #UNKNOWN_ID} for every channel if that is not a stream id of these channels; an empty part, a
     * channel that had no event to name, resumes from the backplane's start), or without one, the channel's
     * position now.
     */
    private String[] resumePoints(List<String> names, ConnectOptions options) {
        String[] points = new String[names.size()];
        if (options.lastEventId() == null) {
            if (options.history() > 0) {
                return points; // the latest events of each channel, then live: no resume
            }
            for (int i = 0; i < points.length; i++) {
                points[i] = topology.position(names.get(i));
            }
            return points;
        }
        String[] ids = StreamIds.parse(options.lastEventId(), names.size());
        for (int i = 0; i < points.length; i++) {
            points[i] = ids == null ? UNKNOWN_ID : ids[i] == null ? ClusterEngine.BEGINNING : ids[i];
        }
        return points;
    }

    /** A {@code Last-Event-ID} no channel's log knows: its channel answers {@code resync}. */
    static final String UNKNOWN_ID = "-";

    /** Creates {@code channel} if it does not exist (429 beyond {@code max-channels}); sets its renderer if given. */
    void create(String channel, PresenceRenderer presence) {
        change(channel, presence, true, ch -> {
            ch.renderer(presence);
            return ch;
        });
        changed.run();
    }

    /** The channel {@code name}, created if absent (429 beyond {@code max-channels}), e.g. to record a catch-up. */
    Channel prepare(String name, PresenceRenderer presence) {
        return change(name, presence, false, ch -> ch).channel();
    }

    /**
     * Sends {@code frame} to the connection {@code connectionId} if it is here, in order on its channel (a stream of
     * several: on the first it is still a member of).
     */
    boolean send(String connectionId, Frame frame) {
        Connection connection = connections.get(connectionId);
        List<String> memberships = connection == null ? List.of() : connection.memberships();
        Channel channel = memberships.isEmpty() ? null : channels.get(memberships.get(0));
        boolean sent = channel != null && channel.send(connection, frame);
        if (sent) {
            counters.framesQueued.increment();
            changed.run();
        }
        return sent;
    }

    /**
     * Closes this node's connections of {@code channel} and removes it; fires {@link UserLeft} for its users (those
     * within the leave grace too); returns how many connections were closed.
     */
    int kill(String channel) {
        ChannelNames.require(channel);
        Channel removed = channels.remove(channel);
        if (removed == null) {
            return 0;
        }
        List<Connection> members = removed.connections();
        LOG.log(System.Logger.Level.DEBUG, () -> "Channel '" + channel + "' removed: killed, " + members.size()
                + " connections closed or left");
        // a stream of several channels stays open on its others
        List<Connection> closed = members.stream().filter(connection -> connection.leave(channel)).toList();
        closed.forEach(this::forget);
        members.forEach(connection -> topology.left(connection.infoOn(channel)));
        removed.close(closed, ControlEvents.killed(channel));
        removed.removedFrom(members.stream().filter(connection -> !closed.contains(connection)).toList());
        removed.clearUsers().stream().distinct().forEach(user -> listeners.left().accept(new UserLeft(channel, user)));
        changed.run();
        return members.size();
    }

    /** Closes this node's connections of {@code user} on {@code channel}; returns how many. */
    int disconnect(String channel, String user) {
        ChannelNames.require(channel);
        Channel target = channels.get(channel);
        if (target == null) {
            return 0;
        }
        List<Connection> matching = target.connections().stream().filter(c -> c.user().equals(user)).toList();
        List<Connection> closing = new java.util.ArrayList<>();
        List<Connection> staying = new java.util.ArrayList<>();
        for (Connection connection : matching) {
            if (connection.memberships().size() <= 1 || !connection.memberships().contains(channel)) {
                remove(connection);
                closing.add(connection);
            } else {
                leaveChannel(connection, channel, false); // a stream of several channels stays open on its others
                staying.add(connection);
            }
        }
        target.close(closing, null);
        target.removedFrom(staying);
        return matching.size();
    }

    /**
     * Closes the connection {@code connectionId} (after what is queued for it) and removes it from its channels, as a
     * {@link #disconnect} would; false if it is not open here.
     */
    boolean close(String connectionId) {
        Connection connection = connections.get(connectionId);
        if (connection == null) {
            return false;
        }
        List<String> memberships = connection.memberships();
        Channel channel = memberships.isEmpty() ? null : channels.get(memberships.get(0));
        remove(connection);
        if (channel != null) {
            channel.close(List.of(connection), null);
        } else {
            connection.close();
        }
        return true;
    }

    /**
     * The position of {@code name} now (the id of its latest event), creating the channel if absent so that it
     * records what is published from now on (429 beyond {@code max-channels}).
     */
    String localPosition(String name) {
        return prepare(name, null).position();
    }

    /**
     * Sets how many browser tabs the stream of {@code user} that client.js opened with {@code sharedKey} serves;
     * false if this node has no such stream of that user.
     */
    boolean tabs(String user, String sharedKey, int tabs) {
        String id = sharedStreams.get(sharedKey);
        Connection connection = id == null ? null : connections.get(id);
        if (connection == null || !connection.user().equals(user)) {
            return false;
        }
        connection.tabs(tabs);
        changed.run();
        return true;
    }

    private void forgetSharedKey(String connectionId) {
        String key = sharedKeys.remove(connectionId);
        if (key != null) {
            sharedStreams.remove(key, connectionId);
        }
    }

    /** Removes the channels whose linger is over (the heartbeat's timer). */
    void removeExpired(long nowNanos) {
        long linger = settings.channelLinger().toNanos();
        for (String name : channels.keySet()) {
            if (changeIfPresent(name, ch -> ch.expired(nowNanos, linger), (ch, expired) -> expired).answer() == Boolean.TRUE) {
                LOG.log(System.Logger.Level.DEBUG, () -> "Channel '" + name + "' removed: linger over");
            }
        }
    }

    /** Forgets every channel and connection (the server stops: the caller closes them). */
    void clear() {
        connections.clear();
        channels.clear();
    }

    /** A connection ended by itself (client gone, or evicted). */
    private void gone(Connection connection, boolean evicted) {
        if (evicted) {
            counters.evictions.increment();
        }
        boolean publishing = evicted && connection.memberships().stream().map(channels::get)
                .anyMatch(channel -> channel != null && Thread.holdsLock(channel));
        if (publishing) {
            // noticed while publishing, under the channel's lock: leave it first
            workers.execute(() -> remove(connection));
        } else {
            // the watchdog's and heartbeat's evictions are removed at once: the executor may be busy with the very
            // writes that made them slow
            remove(connection);
        }
    }

    /** Unregisters {@code connection} and releases its place in the limits; false if it was not registered. */
    private boolean forget(Connection connection) {
        if (connections.remove(connection.id()) == null) {
            return false;
        }
        forgetSharedKey(connection.id());
        String budget = budgetOf.remove(connection.id());
        if (budget != null) {
            budgets.release(budget);
        }
        return true;
    }

    /**
     * Removes a connection that ended (client gone, evicted, disconnected); updates presence. Idempotent. A user
     * whose last connection this was stays in presence for {@code broadcaster.presence-leave-grace}: coming back
     * within it (a page reload) renders nothing and fires neither {@link UserLeft} nor {@link UserJoined}.
     */
    private void remove(Connection connection) {
        if (!forget(connection)) {
            return;
        }
        boolean grace = !settings.presenceLeaveGrace().isZero();
        for (String name : connection.memberships()) {
            connection.leave(name);
            leaveChannel(connection, name, grace);
        }
    }

    /** {@code connection} leaves {@code name} (one of its channels): presence, CDI event, topology. */
    private void leaveChannel(Connection connection, String name, boolean grace) {
        connection.leave(name);
        boolean lingers = !settings.channelLinger().isZero();
        Changed<ChannelUsers.Departure> left = changeIfPresent(name, ch -> ch.remove(connection, grace),
                (ch, departure) -> ch.isEmpty() && !lingers && !ch.anyLeaving());
        ChannelUsers.Departure departure = left.answer() == null ? ChannelUsers.Departure.STAYS : left.answer();
        Channel after = left.channel();
        if (after == null && left.answer() != null) {
            LOG.log(System.Logger.Level.DEBUG, () -> "Channel '" + name + "' removed: last connection left");
        }
        if (departure == ChannelUsers.Departure.LEFT) {
            listeners.left().accept(new UserLeft(name, connection.user()));
        } else if (departure == ChannelUsers.Departure.LEAVING && after != null) {
            endGraceLater(after);
        }
        topology.left(connection.infoOn(name));
        if (after != null && !after.isEmpty()) {
            topology.afterJoinOrLeave(after, departure == ChannelUsers.Departure.LEFT);
        }
        changed.run();
    }

    /** Once the leave grace is over, the users of {@code channel} who did not come back leave presence. */
    private void endGraceLater(Channel channel) {
        workers.runLater(() -> endGrace(channel), settings.presenceLeaveGrace().toNanos());
    }

    private void endGrace(Channel channel) {
        List<String> gone = channel.expireLeavers(settings.presenceLeaveGrace().toNanos());
        if (gone.isEmpty()) {
            return;
        }
        gone.forEach(user -> listeners.left().accept(new UserLeft(channel.name(), user)));
        if (settings.channelLinger().isZero()) {
            channels.computeIfPresent(channel.name(), (key, ch) -> ch == channel && ch.isEmpty() && !ch.anyLeaving()
                    ? null : ch);
        }
        channel.presenceChanged(); // the grace is this node's: render here, also in a cluster
        changed.run();
    }

    // ---- the channel map's atomic changes ----

    /** What a change of one channel did: the channel after it (null if removed or absent) and the change's answer. */
    private record Changed<T>(Channel channel, T answer) {
    }

    /**
     * Runs {@code update} on the channel {@code name} inside the map's compute, creating the channel first if it
     * is absent: beyond {@code broadcaster.max-channels} that is refused with 429 (and nothing changes).
     */
    private <T> Changed<T> change(String name, PresenceRenderer presence, boolean explicit,
                                  Function<Channel, T> update) {
        var outcome = new Object() {
            T answer;
            boolean reserved;
        };
        try {
            Channel channel = channels.compute(name, (key, existing) -> {
                Channel ch = existing;
                if (ch == null) {
                    reserveChannel();
                    outcome.reserved = true;
                    ch = newChannel(key, presence, explicit);
                }
                outcome.answer = update.apply(ch);
                return ch;
            });
            return new Changed<>(channel, outcome.answer);
        } finally {
            if (outcome.reserved) {
                synchronized (channelCreation) {
                    channelsBeingCreated--; // counted by the map's size from now on (or not created)
                }
            }
        }
    }

    /**
     * Runs {@code update} on the channel {@code name} if it exists, inside the map's compute, and removes it if
     * {@code drop} then holds for it and the update's answer; the answer is null if there was no such channel.
     */
    private <T> Changed<T> changeIfPresent(String name, Function<Channel, T> update, BiPredicate<Channel, T> drop) {
        var outcome = new Object() {
            T answer;
        };
        Channel after = channels.computeIfPresent(name, (key, ch) -> {
            outcome.answer = update.apply(ch);
            return drop.test(ch, outcome.answer) ? null : ch;
        });
        return new Changed<>(after, outcome.answer);
    }

    /** Reserves room for a new channel; throws the 429 refusal at {@code broadcaster.max-channels}. */
    private void reserveChannel() {
        synchronized (channelCreation) {
            if (channels.size() + channelsBeingCreated >= settings.maxChannels()) {
                counters.refusedChannels.increment();
                throw Refusals.tooManyRequests("This server keeps as many channels as it may"
                        + " (broadcaster.max-channels = " + settings.maxChannels() + "); no new channel now",
                        ConnectionBudgets.RETRY_AFTER);
            }
            channelsBeingCreated++;
        }
    }

    private Channel newChannel(String name, PresenceRenderer presence, boolean explicit) {
        LOG.log(System.Logger.Level.DEBUG, () -> "Channel '" + name + "' created");
        return new Channel(name, presence, explicit, topology.newLog(settings.historySize(), settings.maxMessageSize()),
                context);
    }
}
