package dev.broadcaster.bench.nio;

import java.util.Arrays;

/**
 * The subscribers of one channel: an unordered array with O(1) add and O(1) remove (the removed slot is
 * filled with the last element; each {@link Connection} remembers its slot).
 *
 * <p>Not thread-safe: owned by the server's selector thread.
 */
final class SubscriberList {
    private Connection[] items = new Connection[16];
    private int size;

    /** Adds {@code c}, which must not be in any list, and records its slot in {@code c}. */
    void add(Connection c) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size] = c;
        c.slot = size;
        c.subscribedTo = this;
        size++;
    }

    /** Removes {@code c} if it is in this list; a no-op otherwise. */
    void remove(Connection c) {
        int i = c.slot;
        if (c.subscribedTo != this || i < 0 || i >= size || items[i] != c) {
            return;
        }
        int last = size - 1;
        items[i] = items[last];
        items[i].slot = i;
        items[last] = null;
        size = last;
        c.slot = -1;
        c.subscribedTo = null;
    }

    int size() {
        return size;
    }

    /** The subscriber at {@code i}, {@code 0 <= i < size()}. */
    Connection get(int i) {
        return items[i];
    }
}
