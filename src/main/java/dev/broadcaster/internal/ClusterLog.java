package dev.broadcaster.internal;

import dev.broadcaster.cluster.ClusterEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The log of a channel in a cluster. The backplane numbers the events and keeps the history; this node keeps its
 * recent events ({@link RecentEvents}) so a client that comes back here resumes without asking the backplane, and
 * joins a replay fetched from the backplane to what arrived meanwhile. While the backplane is down, this node's
 * own publishes reach its own members with ids of this node ({@code <epoch>~<n>}: never a backplane id, and no
 * longer than {@link EventIds#LONGEST}); each publish of this node is delivered once, whichever way comes first.
 *
 * <p>Not thread-safe: guarded by the owning channel's monitor.
 */
final class ClusterLog implements ChannelLog {

    private static final int OWN_PUBLISHES_REMEMBERED = 4096;

    private final String epoch = EventIds.newEpoch();
    private final RecentEvents recent; // guarded by the channel's monitor
    // this node's publishes delivered here already (LRU); guarded by the channel's monitor
    private final Map<Long, Boolean> ownDelivered = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > OWN_PUBLISHES_REMEMBERED;
        }
    };
    private long localSequence; // guarded by the channel's monitor

    ClusterLog(int recentSize) {
        this.recent = new RecentEvents(recentSize);
    }

    @Override
    public Frame record(Publication publication) {
        if (publication.opId() >= 0 && ownDelivered.put(publication.opId(), Boolean.TRUE) != null) {
            return null;
        }
        String id = publication.id();
        Frame frame;
        if (id != null) {
            frame = SseEncoder.encode(publication.event()).at(publication.position());
        } else {
            id = epoch + "~" + (++localSequence);
            frame = SseEncoder.encode(publication.event().withId(id));
        }
        recent.add(id, frame);
        return frame;
    }

    /**
     * With a {@code lastEventId}: the events after it, from this node's recent events if it has that one, otherwise
     * {@code fetched} (null: gone, or the backplane could not answer) followed by what arrived here since,
     * otherwise {@code resync}. With a {@code historyCount}: {@code fetched} (the backplane's latest) followed by
     * what arrived since, or this node's latest.
     */
    @Override
    public CatchUp catchUp(String channel, String lastEventId, int historyCount, ClusterEngine.Replay fetched) {
        if (lastEventId != null) {
            List<Frame> missed = recent.afterId(lastEventId);
            if (missed != null) {
                return new CatchUp(missed, 0, false);
            }
        } else if (historyCount <= 0) {
            return CatchUp.NOTHING;
        }
        if (fetched != null) {
            List<Frame> frames = new ArrayList<>();
            long replayedUpTo = fetched.after();
            for (ClusterEngine.IdentifiedEvent event : fetched.events()) {
                frames.add(SseEncoder.encode(event.event()));
                replayedUpTo = Math.max(replayedUpTo, event.position());
            }
            frames.addAll(recent.afterPosition(replayedUpTo));
            return new CatchUp(frames, replayedUpTo, false);
        }
        if (lastEventId == null) {
            return new CatchUp(recent.latest(historyCount), 0, false);
        }
        return new CatchUp(List.of(ControlEvents.resync(channel, recent.lastId(), ControlEvents.Reason.EXPIRED)), 0,
                true);
    }

    @Override
    public boolean answersAlone(String lastEventId) {
        return lastEventId != null && recent.contains(lastEventId);
    }

    /** The id of the latest event this node recorded, if any. */
    @Override
    public String position() {
        return recent.lastId();
    }

    @Override
    public int size() {
        return recent.size();
    }

    @Override
    public void forgetRecent() {
        recent.clear();
    }
}
