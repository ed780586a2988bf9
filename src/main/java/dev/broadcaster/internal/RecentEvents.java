package dev.broadcaster.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * In a cluster: the last events a channel delivered on this node, with their ids, so a client that comes
 * back here resumes without asking the backplane, and a replay fetched from the backplane is joined to
 * what arrived meanwhile. Not thread-safe: the channel guards it.
 */
final class RecentEvents {

    private record Entry(String id, Frame frame) {
    }

    private final int capacity;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    RecentEvents(int capacity) {
        this.capacity = capacity;
    }

    void add(String id, Frame frame) {
        if (capacity == 0) {
            return;
        }
        if (entries.size() == capacity) {
            entries.removeFirst();
        }
        entries.addLast(new Entry(id, frame));
    }

    /** The frames after the one with {@code id}, oldest first; null if that one is not kept. */
    List<Frame> afterId(String id) {
        List<Frame> after = null;
        for (Entry entry : entries) {
            if (after != null) {
                after.add(entry.frame());
            } else if (entry.id().equals(id)) {
                after = new ArrayList<>();
            }
        }
        return after;
    }

    boolean contains(String id) {
        return entries.stream().anyMatch(entry -> entry.id().equals(id));
    }

    /** The clustered frames placed after {@code position}, oldest first. */
    List<Frame> afterPosition(long position) {
        List<Frame> after = new ArrayList<>();
        for (Entry entry : entries) {
            if (entry.frame().position() > position) {
                after.add(entry.frame());
            }
        }
        return after;
    }

    /** The latest {@code count} frames, oldest first. */
    List<Frame> latest(int count) {
        List<Frame> latest = new ArrayList<>();
        Iterator<Entry> newestFirst = entries.descendingIterator();
        while (newestFirst.hasNext() && latest.size() < count) {
            latest.add(0, newestFirst.next().frame());
        }
        return latest;
    }

    int size() {
        return entries.size();
    }

    /** The id of the newest event, or null. */
    String lastId() {
        return entries.isEmpty() ? null : entries.getLast().id();
    }

    void clear() {
        entries.clear();
    }
}
