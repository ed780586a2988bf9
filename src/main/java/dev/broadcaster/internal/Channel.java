package dev.broadcaster.internal;

import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.PresenceRenderer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A named stream: its connections in connection order, and its presence renderer.
 * Membership changes are made by {@link DefaultChannelRegistry}, which owns the channel's life.
 */
final class Channel {

    private final String name;
    private final Map<String, Connection> connections = new LinkedHashMap<>();
    private final PresenceUpdater presence;
    private volatile PresenceRenderer renderer;

    Channel(String name, PresenceRenderer renderer, PresenceUpdater.Factory presenceFactory) {
        this.name = name;
        this.renderer = renderer;
        this.presence = presenceFactory.create(this);
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

    /** Adds {@code connection}; true if it is its user's first connection here. */
    synchronized boolean add(Connection connection) {
        boolean first = connections.values().stream().noneMatch(c -> c.user().equals(connection.user()));
        connections.put(connection.id(), connection);
        return first;
    }

    /** Removes {@code connection}; true if it was its user's last connection here. */
    synchronized boolean remove(Connection connection) {
        if (connections.remove(connection.id()) == null) {
            return false;
        }
        return connections.values().stream().noneMatch(c -> c.user().equals(connection.user()));
    }

    synchronized boolean isEmpty() {
        return connections.isEmpty();
    }

    synchronized List<Connection> connections() {
        return new ArrayList<>(connections.values());
    }

    synchronized List<ConnectionInfo> connectionInfos() {
        return connections.values().stream().map(Connection::info).toList();
    }

    synchronized List<String> users() {
        return connections.values().stream().map(Connection::user).toList();
    }

    synchronized List<String> distinctUsers() {
        Set<String> users = new LinkedHashSet<>();
        connections.values().forEach(c -> users.add(c.user()));
        return List.copyOf(users);
    }

    /** Sends {@code frame} to every connection not in {@code exclude}; returns how many. */
    int deliver(Frame frame, Set<String> exclude) {
        int sent = 0;
        for (Connection connection : connections()) {
            if (!exclude.contains(connection.id()) && connection.deliver(frame)) {
                sent++;
            }
        }
        return sent;
    }

    /** Asks for the presence renderer to run (coalesced with any request still pending). */
    void presenceChanged() {
        if (renderer != null) {
            presence.requestUpdate();
        }
    }
}
