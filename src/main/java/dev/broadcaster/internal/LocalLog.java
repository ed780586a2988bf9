package dev.broadcaster.internal;

import dev.broadcaster.MessageTooLargeException;
import dev.broadcaster.cluster.ClusterEngine;
import java.util.List;

/**
 * The log of a channel on a single node: ids {@code <epoch>-<sequence>} ({@link EventIds}) and the last
 * {@code broadcaster.history-size} frames ({@link ChannelHistory}). An id of another epoch (the channel was
 * recreated, or the server restarted) cannot be resumed: the client gets {@code resync}.
 *
 * <p>Not thread-safe: guarded by the owning channel's monitor.
 */
final class LocalLog implements ChannelLog {

    private final String epoch = EventIds.newEpoch();
    private final ChannelHistory history; // guarded by the channel's monitor
    private final int maxMessageSize;

    LocalLog(int historySize, int maxMessageSize) {
        this.history = new ChannelHistory(historySize);
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    public Frame record(Publication publication) {
        long sequence = history.lastSequence() + 1;
        Frame frame = SseEncoder.encode(publication.event().withId(EventIds.format(epoch, sequence)));
        if (frame.size() > maxMessageSize) {
            throw new MessageTooLargeException(frame.size(), maxMessageSize);
        }
        history.add(sequence, frame);
        return frame;
    }

    @Override
    public CatchUp catchUp(String channel, String lastEventId, int historyCount, ClusterEngine.Replay fetched) {
        if (lastEventId == null) {
            return historyCount > 0 ? new CatchUp(history.latest(historyCount), 0, false) : CatchUp.NOTHING;
        }
        long sequence = EventIds.sequenceIn(epoch, lastEventId);
        List<Frame> missed = history.after(sequence);
        if (missed != null) {
            return new CatchUp(missed, 0, false);
        }
        ControlEvents.Reason reason = sequence < 0 || sequence > history.lastSequence()
                ? ControlEvents.Reason.UNKNOWN_ID : ControlEvents.Reason.EXPIRED;
        return new CatchUp(List.of(ControlEvents.resync(channel, EventIds.format(epoch, history.lastSequence()),
                reason)), 0, true);
    }

    @Override
    public boolean answersAlone(String lastEventId) {
        return true;
    }

    /** {@code <epoch>-<last sequence>}: {@code <epoch>-0} before the first event. */
    @Override
    public String position() {
        return EventIds.format(epoch, history.lastSequence());
    }

    @Override
    public int size() {
        return history.size();
    }

    @Override
    public void forgetRecent() {
        // nothing is missed on a single node
    }
}
