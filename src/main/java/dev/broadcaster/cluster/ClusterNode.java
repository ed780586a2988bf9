package dev.broadcaster.cluster;

import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import java.util.Collection;
import java.util.Set;

/** What a {@link ClusterEngine} calls on the node it runs in. Calls for one channel come in publish order. */
public interface ClusterNode {

    /** This node's id: unique in the cluster for this node's life. */
    String id();

    /**
     * An event published on {@code channel} by any node (this one included): deliver it to this node's
     * connections of the channel not in {@code exclude}. {@code origin} and {@code opId} identify the publish.
     */
    void deliver(String channel, ClusterEngine.IdentifiedEvent event, Set<String> exclude, String origin, long opId);

    /** An event for one connection, if it is on this node. */
    void deliverTo(String connectionId, SseEvent event);

    /** Another node killed {@code channel}: close this node's connections of it. */
    void kill(String channel);

    /** Another node disconnected {@code user} from {@code channel}: close this node's connections of them. */
    void disconnect(String channel, String user);

    /** The users of {@code channel} may have changed somewhere in the cluster: render its presence again. */
    void presenceChanged(String channel);

    /**
     * A publish of this node that the backplane may not have delivered (it failed while the publish was on
     * its way): deliver it to this node's connections, unless it already was.
     */
    void undelivered(String channel, SseEvent event, Set<String> exclude, long opId);

    /**
     * Another node published events on {@code channel} (null: on any channel) that only its own connections got, as
     * it was cut off from the backplane: this node's connections of the channel are told to resync.
     */
    void missed(String channel);

    /** The backplane went away: events published from now on reach this node's connections only. */
    void backplaneLost();

    /**
     * The backplane is back after being lost: events may have been missed, so this node's connections are
     * told to resync.
     */
    void backplaneRecovered();

    /** This node's open connections, to register again after the backplane lost them. */
    Collection<ConnectionInfo> localConnections();
}
