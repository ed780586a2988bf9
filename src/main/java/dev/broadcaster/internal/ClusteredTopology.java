package dev.broadcaster.internal;

import dev.broadcaster.ChannelInfo;
import dev.broadcaster.ConnectOptions;
import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.MessageTooLargeException;
import dev.broadcaster.SseEvent;
import dev.broadcaster.cluster.ClusterEngine;
import dev.broadcaster.cluster.ClusterNode;
import dev.broadcaster.cluster.ClusterUnavailableException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A cluster: publishes, sends, kills and disconnects go to the backplane ({@link ClusterEngine}), which orders each
 * channel's events and hands them back to every node, this one included; this class is also the {@link ClusterNode}
 * the engine calls, and works on this node's {@link Channels} directly. Each channel's log is a {@link ClusterLog}.
 * Queries ask the backplane and, when it cannot answer, answer for this node alone; while the backplane is down,
 * this node's publishes reach this node's connections only, and they get {@code resync} when it is back.
 *
 * <p>Threads: the verbs run on the caller's thread (request threads, the library's executor) and never wait on the
 * backplane for publishes (the engine queues them); queries (replay, listings, presence) do wait on it, within the
 * engine's own timeouts. The {@link ClusterNode} callbacks run on the engine's threads; none of them blocks.
 */
final class ClusteredTopology implements Topology, ClusterNode {

    private static final System.Logger LOG = System.getLogger(ClusteredTopology.class.getName());
    /** Only a connection id (base64url) can match a connection: other excluded ids are not sent to other nodes. */
    private static final Pattern CONNECTION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final String id = newNodeId();
    private final ClusterSettings settings;
    private final ClusterEngine engine;
    private final AtomicLong opIds = new AtomicLong();
    /** How long a publish whose id was asked for may wait for the backplane's answer. */
    private static final long ID_TIMEOUT_SECONDS = 10;
    // this node's publishes whose id a caller waits for, by op id; completed when the backplane hands them back
    private final ConcurrentHashMap<Long, CompletableFuture<String>> awaitingIds = new ConcurrentHashMap<>();
    private final PresenceUpdater.Scope presence = channel -> connections(channel.name(), channel::connectionInfos)
            .stream().map(ConnectionInfo::user).distinct().toList();
    private Channels channels; // set once by start, before the engine delivers anything
    private Counters counters;
    private Runnable changed;

    ClusteredTopology(ClusterSettings settings, ClusterEngine engine) {
        this.settings = settings;
        this.engine = engine;
    }

    @Override
    public void start(Channels channels, Counters counters, Runnable changed) {
        this.channels = channels;
        this.counters = counters;
        this.changed = changed;
        LOG.log(System.Logger.Level.INFO, () -> "Cluster node " + id + ": " + ClusterEngines.describe(settings)
                + ", node timeout " + settings.nodeTimeout().toMillis() + " ms");
        engine.start(this);
    }

    @Override
    public ChannelLog newLog(int historySize, int maxMessageSize) {
        return new ClusterLog(historySize);
    }

    /** Presence in a cluster: the distinct users of every node; each node renders for its own connections. */
    @Override
    public PresenceUpdater.Scope presence() {
        return presence;
    }

    /**
     * Hands the event to the backplane, which delivers it on every node (this one included) in the channel's order;
     * returns how many of this node's connections it is addressed to. If the backplane is down, this node's
     * connections get it at once.
     */
    @Override
    public Published publish(String channel, SseEvent event, Set<String> exclude, boolean wantId) {
        Set<String> excluded = exclude.stream().filter(id -> id != null && CONNECTION_ID.matcher(id).matches())
                .collect(Collectors.toUnmodifiableSet());
        // the backplane gives the id: checked with the longest one, before it leaves this node
        int size = SseEncoder.encode(event.withId(EventIds.LONGEST)).size();
        if (size > channels.maxMessageSize()) {
            throw new MessageTooLargeException(size, channels.maxMessageSize());
        }
        channels.requireFanOutRoom(channel);
        Channel here = channels.get(channel);
        long opId = opIds.incrementAndGet();
        counters.eventsPublished.increment();
        int addressed = here == null ? 0 : here.countExcept(excluded);
        CompletableFuture<String> id = null;
        if (wantId) {
            id = new CompletableFuture<>();
            awaitingIds.put(opId, id);
            id.orTimeout(ID_TIMEOUT_SECONDS, TimeUnit.SECONDS).whenComplete((ignored, failure) -> awaitingIds.remove(opId));
        }
        if (!engine.publish(channel, event, excluded, opId)) {
            Channel.Published published = deliverHere(channel, ChannelLog.Publication.of(event, opId), excluded);
            addressed = published.addressed();
            idKnown(opId, published.id());
        }
        changed.run();
        return new Published(addressed, id);
    }

    private Channel.Published deliverHere(String channel, ChannelLog.Publication publication, Set<String> exclude) {
        Channel target = channels.get(channel);
        if (target == null) {
            return new Channel.Published(0, null);
        }
        Channel.Published published = target.deliverWithId(publication, exclude);
        counters.framesQueued.add(published.addressed());
        return published;
    }

    /** A publish of this node whose id was asked for got {@code eventId} (null: none that any client could name). */
    private void idKnown(long opId, String eventId) {
        CompletableFuture<String> waiting = awaitingIds.remove(opId);
        if (waiting != null) {
            waiting.complete(eventId);
        }
    }

    @Override
    public boolean sendElsewhere(String connectionId, SseEvent event) {
        try {
            if (engine.connection(connectionId).isPresent()) {
                engine.send(connectionId, event);
                return true;
            }
        } catch (ClusterUnavailableException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "Cannot look connection " + connectionId + " up: " + e.getMessage());
        }
        return false;
    }

    /**
     * Nothing if the connection asks for no catch-up or this node still has its last event; otherwise the
     * backplane's replay (null if it is gone or the backplane cannot answer: the client then resyncs, or gets this
     * node's latest). The channel is created first, so it records what arrives from now on and the replay and the
     * live events meet.
     */
    @Override
    public ClusterEngine.Replay fetchCatchUp(String channel, ConnectOptions options) {
        if (options.lastEventId() == null && options.history() <= 0) {
            return null;
        }
        Channel recording = channels.prepare(channel, options.presence());
        if (options.lastEventId() != null && recording.answersAlone(options.lastEventId())) {
            return null;
        }
        try {
            return options.lastEventId() != null ? engine.replay(channel, options.lastEventId()).orElse(null)
                    : engine.latest(channel, options.history());
        } catch (ClusterUnavailableException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "No replay from the backplane for channel '" + channel + "': "
                    + e.getMessage());
            return null;
        }
    }

    /**
     * The backplane's latest id of the channel (any node resumes from it); without the backplane, this node's (which
     * no other node knows: a client resuming from it elsewhere gets {@code resync}).
     */
    @Override
    public String position(String channel) {
        try {
            return engine.latestId(channel);
        } catch (ClusterUnavailableException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "No position from the backplane for channel '" + channel + "': "
                    + e.getMessage());
            return channels.localPosition(channel);
        }
    }

    @Override
    public void joined(ConnectionInfo connection) {
        engine.joined(connection);
    }

    @Override
    public void left(ConnectionInfo connection) {
        engine.left(connection);
    }

    /**
     * With the backplane up, it announces every join and leave to every node (this one included) once recorded,
     * and each node renders then ({@link #presenceChanged}); without it, this node renders now.
     */
    @Override
    public void afterJoinOrLeave(Channel channel, boolean changedHere) {
        if (!engine.ready()) {
            channel.presenceChanged();
        }
    }

    @Override
    public void killed(String channel) {
        engine.kill(channel);
    }

    @Override
    public void disconnected(String channel, String user) {
        engine.disconnect(channel, user);
    }

    /** The cluster's channels and this node's ones that nobody joined yet, by name; this node's alone without it. */
    @Override
    public List<ChannelInfo> channels(List<ChannelInfo> here) {
        try {
            Map<String, ChannelInfo> all = new TreeMap<>();
            here.forEach(info -> all.put(info.name(), info));
            engine.channels().forEach(info -> all.put(info.name(), info));
            return List.copyOf(all.values());
        } catch (ClusterUnavailableException e) {
            return here;
        }
    }

    /**
     * Counted, not listed: the backplane counts the channels with a connection on a live node (this node's among
     * them once their join reached it) and this node's created channels nobody joined yet, each once; this node's
     * listed channels alone if it cannot answer.
     */
    @Override
    public int channelCount() {
        try {
            return engine.channelCount(channels.listedUnjoinedNames());
        } catch (ClusterUnavailableException e) {
            return channels.listedCount();
        }
    }

    @Override
    public List<ConnectionInfo> connections(String channel, Channel here) {
        return connections(channel, () -> here == null ? List.of() : here.connectionInfos());
    }

    /**
     * The backplane's list, and after it this node's connections it does not list yet (their joins are still on
     * their way to it): a node always sees its own connections. This node's alone if the backplane cannot answer.
     */
    private List<ConnectionInfo> connections(String channel, Supplier<List<ConnectionInfo>> here) {
        List<ConnectionInfo> all;
        try {
            all = engine.connections(channel);
        } catch (ClusterUnavailableException e) {
            return here.get();
        }
        List<ConnectionInfo> local = here.get();
        if (local.isEmpty()) {
            return all;
        }
        Set<String> listed = all.stream().map(ConnectionInfo::id).collect(Collectors.toSet());
        List<ConnectionInfo> missing = local.stream().filter(info -> !listed.contains(info.id())).toList();
        if (missing.isEmpty()) {
            return all;
        }
        List<ConnectionInfo> merged = new ArrayList<>(all);
        merged.addAll(missing);
        return merged;
    }

    @Override
    public List<String> distinctUsers(String channel, Channel here) {
        return connections(channel, here).stream().map(ConnectionInfo::user).distinct().toList();
    }

    @Override
    public Optional<ConnectionInfo> connectionElsewhere(String connectionId) {
        try {
            return engine.connection(connectionId);
        } catch (ClusterUnavailableException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean ready() {
        return engine.ready();
    }

    @Override
    public boolean clustered() {
        return true;
    }

    @Override
    public long clusterRejected() {
        return engine.rejected();
    }

    @Override
    public void close() {
        engine.close();
    }

    // ---- what the engine calls on this node ----

    @Override
    public String id() {
        return id;
    }

    @Override
    public void deliver(String channel, ClusterEngine.IdentifiedEvent event, Set<String> exclude, String origin,
                        long opId) {
        if (id.equals(origin)) {
            idKnown(opId, event.id());
        }
        if (channels.get(channel) != null) {
            deliverHere(channel, ChannelLog.Publication.ordered(event, id.equals(origin) ? opId : -1), exclude);
            changed.run();
        }
    }

    @Override
    public void deliverTo(String connectionId, SseEvent event) {
        channels.send(connectionId, SseEncoder.encode(event));
    }

    @Override
    public void kill(String channel) {
        channels.kill(channel);
    }

    @Override
    public void disconnect(String channel, String user) {
        channels.disconnect(channel, user);
    }

    @Override
    public void presenceChanged(String channel) {
        Channel target = channels.get(channel);
        if (target != null && !target.isEmpty()) {
            target.presenceChanged();
        }
    }

    @Override
    public void undelivered(String channel, SseEvent event, Set<String> exclude, long opId) {
        idKnown(opId, deliverHere(channel, ChannelLog.Publication.of(event, opId), exclude).id());
    }

    @Override
    public void missed(String channel) {
        for (Channel target : channel == null ? channels.all() : java.util.Collections.singletonList(channels.get(channel))) {
            if (target != null) {
                target.resyncMembers(ControlEvents.Reason.PEER_RECOVERED);
            }
        }
    }

    @Override
    public void backplaneLost() {
        LOG.log(System.Logger.Level.WARNING, "Cluster node " + id + ": backplane lost; this node's connections get"
                + " this node's events only until it is back");
    }

    /** Events may have been missed: every connection here gets {@code resync}; presence is rendered again. */
    @Override
    public void backplaneRecovered() {
        for (Channel channel : channels.all()) {
            channel.resyncMembers(ControlEvents.Reason.BACKPLANE_RECOVERED);
            channel.presenceChanged(true);
        }
    }

    @Override
    public Collection<ConnectionInfo> localConnections() {
        return channels.connectionInfos();
    }

    private static String newNodeId() {
        byte[] bytes = new byte[9];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
