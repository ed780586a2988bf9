package dev.broadcaster.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The users of one channel on this node, in the order they joined, with their number of connections, and those
 * whose last connection left less than the leave grace ago (they are still shown in presence; a user who comes
 * back within it never left). Every operation but the listings is O(1). Not thread-safe: guarded by the
 * {@link Channel}'s lock.
 */
final class ChannelUsers {

    /** A user and whether it is an anonymous client (apart from a principal named like the anonymous user). */
    record Key(String user, boolean anonymous) {
    }

    private static final class Entry {
        int connections;
        long leftAtNanos; // when connections fell to 0 (in the grace)
    }

    private final Map<Key, Entry> users = new LinkedHashMap<>();
    private int leaving; // entries in the grace (connections == 0)

    /** A connection of {@code key} joined; true if the user was not present (neither connected nor in the grace). */
    boolean join(Key key) {
        Entry entry = users.get(key);
        if (entry == null) {
            entry = new Entry();
            users.put(key, entry);
            entry.connections = 1;
            return true;
        }
        if (entry.connections++ == 0) {
            leaving--;
        }
        return false;
    }

    /** What a connection leaving means for its user. */
    enum Departure {
        /** The user has other connections here. */
        STAYS,
        /** That was the user's last connection, and there is no grace: the user has left. */
        LEFT,
        /** That was the user's last connection: the user stays present until {@link #expire} finds the grace over. */
        LEAVING
    }

    /** A connection of {@code key} left. */
    Departure leave(Key key, long nowNanos, boolean grace) {
        Entry entry = users.get(key);
        if (entry == null || entry.connections == 0) {
            return Departure.STAYS;
        }
        if (--entry.connections > 0) {
            return Departure.STAYS;
        }
        if (!grace) {
            users.remove(key);
            return Departure.LEFT;
        }
        entry.leftAtNanos = nowNanos;
        leaving++;
        return Departure.LEAVING;
    }

    /** Removes the users whose grace ({@code graceNanos}) is over at {@code nowNanos}; returns their names. */
    List<Key> expire(long nowNanos, long graceNanos) {
        if (leaving == 0) {
            return List.of();
        }
        List<Key> gone = new ArrayList<>();
        for (Iterator<Map.Entry<Key, Entry>> it = users.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Entry> next = it.next();
            Entry entry = next.getValue();
            if (entry.connections == 0 && nowNanos - entry.leftAtNanos >= graceNanos) {
                it.remove();
                leaving--;
                gone.add(next.getKey());
            }
        }
        return gone;
    }

    /** Removes every user (the channel is killed); returns them all, the ones in the grace included. */
    List<Key> clear() {
        List<Key> all = new ArrayList<>(users.keySet());
        users.clear();
        leaving = 0;
        return all;
    }

    /** Whether some user is in the grace. */
    boolean anyLeaving() {
        return leaving > 0;
    }

    /** The users with a connection now, in joining order. */
    List<String> connected() {
        List<String> names = new ArrayList<>(users.size());
        users.forEach((key, entry) -> {
            if (entry.connections > 0) {
                names.add(key.user());
            }
        });
        return names;
    }

    /** The users presence shows: those connected and those in the grace, in joining order. */
    List<String> present() {
        return users.keySet().stream().map(Key::user).toList();
    }

    /** The users in the grace (not connected now). */
    List<String> inGrace() {
        if (leaving == 0) {
            return List.of();
        }
        List<String> names = new ArrayList<>(leaving);
        users.forEach((key, entry) -> {
            if (entry.connections == 0) {
                names.add(key.user());
            }
        });
        return names;
    }
}
