package dev.broadcaster.cluster.memory;

import dev.broadcaster.ChannelInfo;
import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.SseEvent;
import dev.broadcaster.cluster.ClusterEngine.IdentifiedEvent;
import dev.broadcaster.cluster.ClusterEngine.Replay;
import dev.broadcaster.cluster.ClusterUnavailableException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The fake backplane the {@link InMemoryClusterEngine}s of one JVM share, by name: what a Redis holds for the
 * Redis engine (each channel's recent events, who is connected on which node) and its bus (every message goes to
 * every attached engine, in one order). Test code, like Vert.x's fake cluster manager.
 *
 * <p>Every method runs under this backplane's monitor, so the order in which messages reach the engines' inboxes
 * is one order for all of them. Nothing here calls into a node: the engines do that, each on its own thread.
 *
 * <p>Event ids look like Redis stream ids, {@code <millis>-<sequence>}, increasing along the backplane (so along
 * every channel, also after a channel was killed and its history forgotten).
 */
public final class InMemoryBackplane {

    private static final Map<String, InMemoryBackplane> BY_NAME = new ConcurrentHashMap<>();
    private static final Pattern ID = Pattern.compile("\\d{1,19}-\\d{1,19}");

    private final String name;
    private final int historySize;
    private final List<InMemoryClusterEngine> engines = new ArrayList<>(); // guarded by this
    private final Map<String, ArrayDeque<IdentifiedEvent>> histories = new HashMap<>(); // guarded by this
    private final Map<String, Registration> registrations = new LinkedHashMap<>(); // by connection id; guarded by this
    private boolean up = true; // guarded by this
    private long lastMillis; // guarded by this
    private long sequence; // guarded by this

    private record Registration(String node, ConnectionInfo info) {
    }

    private InMemoryBackplane(String name, int historySize) {
        this.name = name;
        this.historySize = historySize;
    }

    /** The backplane called {@code name}, if an engine is attached to it. */
    public static Optional<InMemoryBackplane> named(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** Attaches {@code engine}, creating the backplane if it is the first; the history size is the first engine's. */
    static InMemoryBackplane attach(String name, int historySize, InMemoryClusterEngine engine) {
        InMemoryBackplane backplane = BY_NAME.computeIfAbsent(name, n -> new InMemoryBackplane(n, historySize));
        synchronized (backplane) {
            backplane.engines.add(engine);
            return backplane;
        }
    }

    /**
     * Detaches {@code engine} and forgets the connections of its node (announcing the presence change). The
     * backplane goes with its last engine, as a Redis that is stopped: the next test starts from nothing.
     */
    synchronized void detach(InMemoryClusterEngine engine) {
        engines.remove(engine);
        Set<String> touched = new LinkedHashSet<>();
        for (var it = registrations.values().iterator(); it.hasNext(); ) {
            Registration registration = it.next();
            if (registration.node().equals(engine.nodeId())) {
                touched.add(registration.info().channel());
                it.remove();
            }
        }
        touched.forEach(channel -> toAll(e -> e.presenceChanged(channel)));
        if (engines.isEmpty()) {
            BY_NAME.remove(name, this);
        }
    }

    // ---- test hooks ----------------------------------------------------------------------------------------

    /**
     * Takes the backplane away, as a Redis that stops answering: every engine reports it lost, publishes are
     * refused (the nodes deliver locally), those on their way are handed back as undelivered, queries fail.
     */
    public void down() {
        List<InMemoryClusterEngine> attached;
        synchronized (this) {
            if (!up) {
                return;
            }
            up = false;
            attached = List.copyOf(engines);
        }
        attached.forEach(InMemoryClusterEngine::backplaneDown);
    }

    /**
     * Brings the backplane back having lost who is connected where (as a Redis that restarted without its data
     * would): every engine registers its node's connections again and tells the node to resync its clients.
     */
    public void up() {
        List<InMemoryClusterEngine> attached;
        synchronized (this) {
            if (up) {
                return;
            }
            up = true;
            registrations.clear();
            attached = List.copyOf(engines);
        }
        attached.forEach(InMemoryClusterEngine::backplaneUp);
    }

    public synchronized boolean isUp() {
        return up;
    }

    // ---- what the engines' threads write -----------------------------------------------------------------

    /** Appends the event to its channel's history with the next id and sends it to every engine; false if down. */
    synchronized boolean publish(String channel, SseEvent event, Set<String> exclude, String origin, long opId) {
        if (!up) {
            return false;
        }
        long now = System.currentTimeMillis();
        if (now > lastMillis) {
            lastMillis = now;
            sequence = 0;
        } else {
            sequence++;
        }
        String id = lastMillis + "-" + sequence;
        IdentifiedEvent identified = new IdentifiedEvent(id, position(id),
                new SseEvent(event.name(), id, event.retry(), event.data()));
        if (historySize > 0) {
            ArrayDeque<IdentifiedEvent> history = histories.computeIfAbsent(channel, c -> new ArrayDeque<>());
            if (history.size() == historySize) {
                history.removeFirst();
            }
            history.addLast(identified);
        }
        Set<String> excluded = Set.copyOf(exclude);
        toAll(e -> e.delivered(channel, identified, excluded, origin, opId));
        return true;
    }

    synchronized boolean send(String origin, String connectionId, SseEvent event) {
        if (!up) {
            return false;
        }
        SseEvent carried = new SseEvent(event.name(), null, event.retry(), event.data());
        toAll(e -> e.sentTo(connectionId, carried));
        return true;
    }

    /** Forgets the channel's history and tells the other nodes to close its connections. */
    synchronized boolean kill(String origin, String channel) {
        if (!up) {
            return false;
        }
        histories.remove(channel);
        toOthers(origin, e -> e.killed(channel));
        return true;
    }

    synchronized boolean disconnect(String origin, String channel, String user) {
        if (!up) {
            return false;
        }
        toOthers(origin, e -> e.disconnected(channel, user));
        return true;
    }

    synchronized boolean joined(String node, ConnectionInfo info) {
        if (!up) {
            return false;
        }
        registrations.put(info.id(), new Registration(node, info));
        toAll(e -> e.presenceChanged(info.channel()));
        return true;
    }

    synchronized boolean left(String node, ConnectionInfo info) {
        if (!up) {
            return false;
        }
        registrations.remove(info.id());
        toAll(e -> e.presenceChanged(info.channel()));
        return true;
    }

    // ---- what any thread may ask -------------------------------------------------------------------------

    synchronized Optional<Replay> replay(String channel, String lastEventId) {
        requireUp();
        if (!ID.matcher(lastEventId).matches()) {
            return Optional.empty();
        }
        List<IdentifiedEvent> kept = new ArrayList<>(histories.getOrDefault(channel, new ArrayDeque<>()));
        if (dev.broadcaster.cluster.ClusterEngine.BEGINNING.equals(lastEventId)) {
            // every event of the channel, if none was trimmed (fewer than the history keeps)
            return kept.size() < historySize ? Optional.of(new Replay(0, List.copyOf(kept))) : Optional.empty();
        }
        for (int i = 0; i < kept.size(); i++) {
            if (kept.get(i).id().equals(lastEventId)) {
                return Optional.of(new Replay(kept.get(i).position(), List.copyOf(kept.subList(i + 1, kept.size()))));
            }
        }
        return Optional.empty(); // the client's last event is no longer kept: what followed may not be either
    }

    synchronized Replay latest(String channel, int count) {
        requireUp();
        List<IdentifiedEvent> kept = new ArrayList<>(histories.getOrDefault(channel, new ArrayDeque<>()));
        List<IdentifiedEvent> events = List.copyOf(kept.subList(Math.max(0, kept.size() - count), kept.size()));
        return new Replay(events.isEmpty() ? 0 : events.get(0).position() - 1, events);
    }

    synchronized List<ConnectionInfo> connections(String channel) {
        requireUp();
        return registrations.values().stream().map(Registration::info).filter(c -> c.channel().equals(channel))
                .sorted(Comparator.comparing(ConnectionInfo::connectedAt).thenComparing(ConnectionInfo::id)).toList();
    }

    synchronized List<ChannelInfo> channels() {
        requireUp();
        Map<String, List<ConnectionInfo>> byChannel = new TreeMap<>();
        registrations.values().forEach(r -> byChannel.computeIfAbsent(r.info().channel(), c -> new ArrayList<>())
                .add(r.info()));
        List<ChannelInfo> result = new ArrayList<>();
        byChannel.forEach((channel, connections) -> result.add(new ChannelInfo(channel, connections.size(),
                (int) connections.stream().map(ConnectionInfo::user).distinct().count())));
        return result;
    }

    synchronized Optional<ConnectionInfo> connection(String connectionId) {
        requireUp();
        return Optional.ofNullable(registrations.get(connectionId)).map(Registration::info);
    }

    // ---- plumbing ------------------------------------------------------------------------------------------

    private void requireUp() {
        if (!up) {
            throw new ClusterUnavailableException("in-memory backplane " + name + " is down", null);
        }
    }

    private void toAll(java.util.function.Consumer<InMemoryClusterEngine> message) {
        engines.forEach(message);
    }

    private void toOthers(String origin, java.util.function.Consumer<InMemoryClusterEngine> message) {
        engines.stream().filter(e -> !e.nodeId().equals(origin)).forEach(message);
    }

    /** An id's place in the order: milliseconds, then sequence (as the Redis engine places stream ids). */
    static long position(String id) {
        int dash = id.indexOf('-');
        long millis = Long.parseLong(id.substring(0, dash));
        long seq = Math.min(Long.parseLong(id.substring(dash + 1)), (1L << 20) - 1);
        return (millis << 20) | seq;
    }
}
