package dev.broadcaster.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last {@code capacity} frames published on a channel, by sequence. Not thread-safe: the channel guards it. */
final class ChannelHistory {

    private final int capacity;
    private final ArrayDeque<Frame> frames;
    private long lastSequence;

    ChannelHistory(int capacity) {
        this.capacity = capacity;
        this.frames = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    void add(long sequence, Frame frame) {
        lastSequence = sequence;
        if (capacity == 0) {
            return;
        }
        if (frames.size() == capacity) {
            frames.removeFirst();
        }
        frames.addLast(frame);
    }

    long lastSequence() {
        return lastSequence;
    }

    int size() {
        return frames.size();
    }

    /**
     * The frames after {@code sequence}, oldest first, or {@code null} if some of them are no longer
     * kept (or {@code sequence} is from the future).
     */
    List<Frame> after(long sequence) {
        if (sequence > lastSequence) {
            return null;
        }
        long missed = lastSequence - sequence;
        if (missed > frames.size()) {
            return null;
        }
        List<Frame> result = new ArrayList<>((int) missed);
        int skip = frames.size() - (int) missed;
        int index = 0;
        for (Frame frame : frames) {
            if (index++ >= skip) {
                result.add(frame);
            }
        }
        return result;
    }

    /** The latest {@code count} frames (fewer if fewer are kept), oldest first. */
    List<Frame> latest(int count) {
        return after(lastSequence - Math.min(count, frames.size()));
    }
}
