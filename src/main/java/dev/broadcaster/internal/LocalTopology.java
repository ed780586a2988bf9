package dev.broadcaster.internal;

import dev.broadcaster.ChannelInfo;
import dev.broadcaster.ChannelOverloadedException;
import dev.broadcaster.ConnectOptions;
import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import dev.broadcaster.cluster.ClusterEngine;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** A single node: every verb stays on this node's channels; each channel numbers its own events ({@link LocalLog}). */
final class LocalTopology implements Topology {

    private Channels channels;
    private Counters counters;
    private Runnable changed;

    @Override
    public void start(Channels channels, Counters counters, Runnable changed) {
        this.channels = channels;
        this.counters = counters;
        this.changed = changed;
    }

    @Override
    public ChannelLog newLog(int historySize, int maxMessageSize) {
        return new LocalLog(historySize, maxMessageSize);
    }

    @Override
    public PresenceUpdater.Scope presence() {
        return PresenceUpdater.THIS_NODE;
    }

    @Override
    public Published publish(String channel, SseEvent event, Set<String> exclude, boolean wantId) {
        Channel target = channels.get(channel);
        if (target == null) {
            return new Published(0, wantId ? CompletableFuture.completedFuture(null) : null);
        }
        Channel.Published published;
        try {
            published = target.publishWithId(ChannelLog.Publication.of(event, -1), exclude);
        } catch (ChannelOverloadedException e) {
            counters.publishesRefused.increment();
            throw e;
        }
        counters.eventsPublished.increment();
        counters.framesQueued.add(published.addressed());
        changed.run();
        return new Published(published.addressed(),
                wantId ? CompletableFuture.completedFuture(published.id()) : null);
    }

    @Override
    public boolean sendElsewhere(String connectionId, SseEvent event) {
        return false;
    }

    @Override
    public ClusterEngine.Replay fetchCatchUp(String channel, ConnectOptions options) {
        return null;
    }

    /** The channel's latest id; the channel is created if absent, so it records what is published from now on. */
    @Override
    public String position(String channel) {
        return channels.localPosition(channel);
    }

    @Override
    public void joined(ConnectionInfo connection) {
    }

    @Override
    public void left(ConnectionInfo connection) {
    }

    @Override
    public void afterJoinOrLeave(Channel channel, boolean changedHere) {
        if (changedHere) {
            channel.presenceChanged();
        }
    }

    @Override
    public void killed(String channel) {
    }

    @Override
    public void disconnected(String channel, String user) {
    }

    @Override
    public List<ChannelInfo> channels(List<ChannelInfo> here) {
        return here;
    }

    @Override
    public int channelCount() {
        return channels.listedCount(); // counted without listing: a listing costs O(connections)
    }

    @Override
    public List<ConnectionInfo> connections(String channel, Channel here) {
        return here == null ? List.of() : here.connectionInfos();
    }

    @Override
    public List<String> distinctUsers(String channel, Channel here) {
        return here == null ? List.of() : here.distinctUsers();
    }

    @Override
    public Optional<ConnectionInfo> connectionElsewhere(String connectionId) {
        return Optional.empty();
    }

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public boolean clustered() {
        return false;
    }

    @Override
    public void close() {
    }
}
