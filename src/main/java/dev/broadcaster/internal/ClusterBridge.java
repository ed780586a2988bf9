package dev.broadcaster.internal;

import dev.broadcaster.ChannelInfo;
import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import dev.broadcaster.cluster.ClusterEngine;
import dev.broadcaster.cluster.ClusterNode;
import dev.broadcaster.cluster.ClusterUnavailableException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Joins the registry to the cluster: creates the configured engine and turns what the engine delivers into
 * calls on the registry's own channels. The engine's classes are loaded only when one is configured, so a
 * single node needs no client library.
 */
final class ClusterBridge implements ClusterNode {

    private static final System.Logger LOG = System.getLogger(ClusterBridge.class.getName());

    private final String id = newNodeId();
    private final DefaultChannelRegistry registry;
    private final ClusterEngine engine;

    private ClusterBridge(DefaultChannelRegistry registry, ClusterEngine engine) {
        this.registry = registry;
        this.engine = engine;
    }

    /** The bridge to the configured engine, started; null when no engine is configured. */
    static ClusterBridge start(BroadcasterSettings settings, DefaultChannelRegistry registry) {
        ClusterSettings cluster = settings.cluster();
        if (!cluster.enabled()) {
            return null;
        }
        ClusterBridge bridge = new ClusterBridge(registry, ClusterEngines.create(cluster, settings.historySize()));
        LOG.log(System.Logger.Level.INFO, () -> "Cluster node " + bridge.id + ": " + ClusterEngines.describe(cluster)
                + ", node timeout " + cluster.nodeTimeout().toMillis() + " ms");
        bridge.engine.start(bridge);
        return bridge;
    }

    ClusterEngine engine() {
        return engine;
    }

    // ---- what the registry asks the cluster, answering for this node alone when the backplane cannot ----

    /**
     * The backplane's events of {@code channel} after {@code lastEventId} (or its latest {@code history} when
     * there is no id); null if they are gone or the backplane cannot answer.
     */
    ClusterEngine.Replay replay(String channel, String lastEventId, int history) {
        try {
            return lastEventId != null ? engine.replay(channel, lastEventId).orElse(null)
                    : engine.latest(channel, history);
        } catch (ClusterUnavailableException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "No replay from the backplane for channel '" + channel + "': "
                    + e.getMessage());
            return null;
        }
    }

    /** Sends {@code event} to a connection that is not on this node; false if no node has it (or nobody can tell). */
    boolean sendElsewhere(String connectionId, SseEvent event) {
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

    /** The cluster's channels, and this node's ones that nobody joined yet ({@code here}), by name. */
    List<ChannelInfo> channels(List<ChannelInfo> here) {
        try {
            Map<String, ChannelInfo> all = new TreeMap<>();
            here.forEach(info -> all.put(info.name(), info));
            engine.channels().forEach(info -> all.put(info.name(), info));
            return List.copyOf(all.values());
        } catch (ClusterUnavailableException e) {
            return here;
        }
    }

    /** The connections of {@code channel} on every node, or {@code here} if the backplane cannot answer. */
    List<ConnectionInfo> connections(String channel, Supplier<List<ConnectionInfo>> here) {
        try {
            return engine.connections(channel);
        } catch (ClusterUnavailableException e) {
            return here.get();
        }
    }

    /** The connection with this id on another node, if the backplane knows it. */
    Optional<ConnectionInfo> connection(String connectionId) {
        try {
            return engine.connection(connectionId);
        } catch (ClusterUnavailableException e) {
            return Optional.empty();
        }
    }

    /** Presence in a cluster: the distinct users of every node; each node renders for its own connections (its presence slot, without an id). */
    PresenceUpdater.Scope presence() {
        return presence;
    }

    private final PresenceUpdater.Scope presence = new PresenceUpdater.Scope() {
        @Override
        public List<String> distinctUsers(Channel channel) {
            return connections(channel.name(), channel::connectionInfos).stream().map(ConnectionInfo::user).distinct()
                    .toList();
        }
    };

    void close() {
        engine.close();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void deliver(String channel, ClusterEngine.IdentifiedEvent event, Set<String> exclude, String origin,
                        long opId) {
        registry.deliverClustered(channel, event, exclude, id.equals(origin) ? opId : -1);
    }

    @Override
    public void deliverTo(String connectionId, SseEvent event) {
        registry.sendLocally(connectionId, event);
    }

    @Override
    public void kill(String channel) {
        registry.killLocally(channel);
    }

    @Override
    public void disconnect(String channel, String user) {
        registry.disconnectLocally(channel, user);
    }

    @Override
    public void presenceChanged(String channel) {
        registry.presenceChangedLocally(channel);
    }

    @Override
    public void undelivered(String channel, SseEvent event, Set<String> exclude, long opId) {
        registry.deliverLocally(channel, event, exclude, opId);
    }

    @Override
    public void backplaneLost() {
        LOG.log(System.Logger.Level.WARNING, "Cluster node " + id + ": backplane lost; this node's connections get"
                + " this node's events only until it is back");
    }

    @Override
    public void backplaneRecovered() {
        registry.resyncAll();
    }

    @Override
    public Collection<ConnectionInfo> localConnections() {
        return registry.localConnectionInfos();
    }

    private static String newNodeId() {
        byte[] bytes = new byte[9];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
