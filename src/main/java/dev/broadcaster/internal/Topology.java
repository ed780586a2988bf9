package dev.broadcaster.internal;

import dev.broadcaster.ChannelInfo;
import dev.broadcaster.ConnectOptions;
import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import dev.broadcaster.cluster.ClusterEngine;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Where the registry's verbs go: to this node's channels only ({@link LocalTopology}), or through the cluster's
 * backplane to every node ({@link ClusteredTopology}). Chosen once, when the registry starts; it also chooses the
 * log of every channel ({@link ChannelLog}) and where presence counts users.
 */
interface Topology {

    /** The topology {@code settings} ask for (not started). */
    static Topology choose(BroadcasterSettings settings) {
        ClusterSettings cluster = settings.cluster();
        return cluster.enabled() ? new ClusteredTopology(cluster, ClusterEngines.create(cluster, settings.historySize()))
                : new LocalTopology();
    }

    /** Starts working on {@code channels}: in a cluster, joins the backplane. */
    void start(Channels channels, Counters counters, Runnable changed);

    /** The log of a new channel; {@code historySize} events are kept for catch-ups. */
    ChannelLog newLog(int historySize, int maxMessageSize);

    /** Where a channel's presence finds its users. */
    PresenceUpdater.Scope presence();

    /**
     * Publishes {@code event} on {@code channel} for every connection not in {@code exclude}; returns how many of
     * this node's connections it is addressed to.
     *
     * @throws dev.broadcaster.ChannelOverloadedException if the channel's fan-out queue is full
     */
    default int publish(String channel, SseEvent event, Set<String> exclude) {
        return publish(channel, event, exclude, false).addressed();
    }

    /**
     * As {@link #publish(String, SseEvent, Set)}; with {@code wantId}, also tells the id the event got: at once on a
     * single node (null if no channel of that name recorded it), once the backplane ordered it in a cluster.
     */
    Published publish(String channel, SseEvent event, Set<String> exclude, boolean wantId);

    /** What a publish did: how many of this node's connections it is addressed to; the id the event got, if asked. */
    record Published(int addressed, CompletionStage<String> id) {
    }

    /** Sends {@code event} to a connection that is not on this node; false if no node has it (or none can tell). */
    boolean sendElsewhere(String connectionId, SseEvent event);

    /**
     * What a connection joining {@code channel} with {@code options} needs from outside this node before it joins
     * (the backplane's replay), or null.
     */
    ClusterEngine.Replay fetchCatchUp(String channel, ConnectOptions options);

    /**
     * The id a client that saw every event of {@code channel} so far resumes from, on any node of this topology
     * (null if none can be named now).
     */
    String position(String channel);

    /** {@code connection} opened on this node. */
    void joined(ConnectionInfo connection);

    /** {@code connection} left this node. */
    void left(ConnectionInfo connection);

    /**
     * A join or leave on this node happened on {@code channel}; {@code changedHere} if it changed the users presence
     * shows here. Renders presence now if this topology does not announce the change to the node later.
     */
    void afterJoinOrLeave(Channel channel, boolean changedHere);

    /** {@code channel} was killed on this node: tell the other nodes. */
    void killed(String channel);

    /** {@code user} was disconnected from {@code channel} on this node: tell the other nodes. */
    void disconnected(String channel, String user);

    /** Every channel, given this node's listed ones ({@code here}), by name. */
    List<ChannelInfo> channels(List<ChannelInfo> here);

    /** How many channels {@link #channels} lists. */
    int channelCount();

    /** Every connection of {@code channel} in connection order; {@code here} is this node's channel (or null). */
    List<ConnectionInfo> connections(String channel, Channel here);

    /** The users of {@code channel}'s connections, distinct, in the order they joined. */
    List<String> distinctUsers(String channel, Channel here);

    /** The connection with this id on another node, if one has it. */
    Optional<ConnectionInfo> connectionElsewhere(String connectionId);

    /** Whether this node can serve now (readiness): always on a single node. */
    boolean ready();

    /** Whether this is a cluster. */
    boolean clustered();

    /** Stops: in a cluster, leaves the backplane. */
    void close();

    /** What the backplane's engine refused from the backplane since start ({@link ClusterEngine#rejected}); 0 alone. */
    default long clusterRejected() {
        return 0;
    }
}
