package dev.broadcaster.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The connections of one channel in joining order, and the immutable snapshot each fan-out iterates. Joining
 * appends to the snapshot's array in place, past the end any earlier snapshot sees (amortised O(1)); leaving is
 * O(1) and marks the array stale, so the next snapshot is compacted once (O(n)) instead of copying the array on
 * every join and leave. A join storm into a large channel therefore costs O(1) per join under the channel's lock.
 * Not thread-safe: guarded by the {@link Channel}'s lock.
 */
final class Members {

    /** The members at one moment: {@code connections[0..count)}; never changed after it is taken. */
    record Snapshot(Connection[] connections, int count) {
        static final Snapshot EMPTY = new Snapshot(new Connection[0], 0);
    }

    private final Map<String, Connection> byId = new LinkedHashMap<>();
    private Connection[] slots = new Connection[8];
    private int length; // slots in use, removed members included until the next compaction
    private boolean stale; // a member left since the last compaction

    void add(Connection connection) {
        byId.put(connection.id(), connection);
        if (stale) {
            return; // the next snapshot is built from byId anyway
        }
        if (length == slots.length) {
            slots = Arrays.copyOf(slots, length * 2); // earlier snapshots keep the old array
        }
        slots[length++] = connection;
    }

    /** Removes the member {@code id}; false if it was none. */
    boolean remove(String id) {
        if (byId.remove(id) == null) {
            return false;
        }
        stale = true;
        return true;
    }

    boolean contains(String id) {
        return byId.containsKey(id);
    }

    int size() {
        return byId.size();
    }

    boolean isEmpty() {
        return byId.isEmpty();
    }

    /** The members now, as a fan-out captures them: O(1) unless a member left since the last snapshot. */
    Snapshot snapshot() {
        if (stale) {
            // a new array: snapshots taken before keep theirs
            slots = byId.values().toArray(new Connection[Math.max(8, byId.size() * 2)]);
            length = byId.size();
            stale = false;
        }
        return length == 0 ? Snapshot.EMPTY : new Snapshot(slots, length);
    }

    /** The members, in joining order (a copy). */
    List<Connection> list() {
        return new ArrayList<>(byId.values());
    }

    Iterable<Connection> view() {
        return byId.values();
    }
}
