package dev.broadcaster.cluster;

import dev.broadcaster.ChannelInfo;
import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The backplane that makes several servers one broadcaster. The registry hands every publish, targeted
 * send, kill and disconnect to the engine; the engine gives each event its cluster-wide id (ordered per
 * channel), keeps the channel's history, and hands the event back to every node, this one included, through
 * {@link ClusterNode#deliver}, in the order it was published on its channel. The engine also keeps the
 * cluster's view of who is connected where, for presence and listings.
 *
 * <p>Without configuration there is no engine: the registry's own channels are the single-node, in-memory
 * engine. {@code broadcaster.cluster.engine=redis} selects {@code dev.broadcaster.cluster.redis.RedisEngine}.
 * An application selects its own engine by the fully qualified name of its class, which must be public, implement
 * this interface and have a public constructor {@code (String prefix, java.time.Duration nodeTimeout,
 * int historySize)}: it receives {@code broadcaster.cluster.prefix}, {@code broadcaster.cluster.node-timeout} and
 * {@code broadcaster.history-size}, and reads anything else it needs itself. A name that cannot be loaded, or a
 * class without that constructor, stops the application's start naming the key.
 *
 * <p>Publishing methods never block on the backplane: they queue and return. Query methods
 * ({@link #replay}, {@link #connections}, ...) ask the backplane and throw {@link ClusterUnavailableException}
 * when it cannot answer; the registry then answers from this node alone.
 */
public interface ClusterEngine extends AutoCloseable {

    /**
     * The id a client resumes from when its channel had no event yet: {@link #replay} after it answers every event
     * of the channel if it can tell none was dropped since, otherwise an empty optional.
     */
    String BEGINNING = "0-0";

    /** Connects to the backplane (retrying in the background until it answers) and starts delivering to {@code node}. */
    void start(ClusterNode node);

    /** Whether the backplane is reachable and this node's state is registered in it (MicroProfile Health readiness). */
    boolean ready();

    /**
     * Queues {@code event} for every connection of {@code channel} on every node except those in
     * {@code exclude}; {@code opId} is unique among this node's publishes. Returns false, delivering
     * nothing, if the backplane is down: the caller then delivers it on this node only.
     */
    boolean publish(String channel, SseEvent event, Set<String> exclude, long opId);

    /** Queues {@code event} for connection {@code connectionId}, which lives on another node. */
    void send(String connectionId, SseEvent event);

    /** Asks every other node to close the connections of {@code channel} and forgets its history. */
    void kill(String channel);

    /** Asks every other node to close the connections of {@code user} on {@code channel}. */
    void disconnect(String channel, String user);

    /** Records that {@code connection} is open on this node (presence, listings, targeted sends). */
    void joined(ConnectionInfo connection);

    /** Records that {@code connection} left this node. */
    void left(ConnectionInfo connection);

    /**
     * The events of {@code channel} after the one with id {@code lastEventId}, or an empty optional if that
     * event is no longer kept (the client must resync).
     */
    Optional<Replay> replay(String channel, String lastEventId);

    /** The latest {@code count} events of {@code channel}. */
    Replay latest(String channel, int count);

    /**
     * The id a client that saw every event of {@code channel} so far resumes from: its latest event's, or
     * {@link #BEGINNING} if it has none. The default asks {@link #latest}.
     *
     * @throws ClusterUnavailableException if the backplane cannot answer
     */
    default String latestId(String channel) {
        List<IdentifiedEvent> events = latest(channel, 1).events();
        return events.isEmpty() ? BEGINNING : events.get(events.size() - 1).id();
    }

    /** Every open connection of {@code channel} on every live node, in connection order. */
    List<ConnectionInfo> connections(String channel);

    /** Every channel with a connection on a live node, by name. */
    List<ChannelInfo> channels();

    /** The open connection with this id on any live node. */
    Optional<ConnectionInfo> connection(String connectionId);

    /**
     * How many messages and stored events from the backplane this node refused since it started: not in the
     * engine's format, or (with a shared secret) not signed with it. Each is skipped, never obeyed; a stored event
     * that cannot be replayed means {@code resync} for a client that resumes across it. An engine that checks
     * nothing answers 0. Shown in the readiness data ({@code clusterRejected}) and the metric
     * {@code broadcaster.cluster.rejected}.
     */
    default long rejected() {
        return 0;
    }

    /**
     * How many channels {@link #channels} lists and {@code alsoListed} names, each counted once; {@code alsoListed}
     * are channels this node lists that may have no connection anywhere (created, nobody joined yet). Asked by
     * every {@code stats()}, readiness probe and metrics scrape, so an engine that can count without listing should:
     * the Redis engine asks two commands in one round trip, whatever the number of channels. The default lists
     * them.
     */
    default int channelCount(Set<String> alsoListed) {
        Set<String> names = new HashSet<>(alsoListed);
        channels().forEach(info -> names.add(info.name()));
        return names.size();
    }

    /** Stops delivering and disconnects; this node's connections leave the cluster's view. */
    @Override
    void close();

    /** An event with its cluster-wide id and its position in the channel's order. */
    record IdentifiedEvent(String id, long position, SseEvent event) {
    }

    /** Events of a channel, oldest first, that follow the position {@code after} (0: from the start). */
    record Replay(long after, List<IdentifiedEvent> events) {
    }
}
