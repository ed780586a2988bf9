package dev.broadcaster.internal;

import dev.broadcaster.SseEvent;
import dev.broadcaster.cluster.ClusterEngine;
import java.util.List;

/**
 * What a channel remembers of its events, so a client that reconnects with {@code Last-Event-ID} (or asks for
 * history) gets what it missed: it gives each event its id, records it, and answers catch-ups. The topology chooses
 * the log of every channel: {@link LocalLog} on a single node (this node numbers the events), {@link ClusterLog} in
 * a cluster (the backplane numbers them and keeps the history; this node keeps its recent ones).
 *
 * <p>Not thread-safe: every call is made under the monitor of the channel that owns the log.
 */
interface ChannelLog {

    /**
     * An event on its way to a channel's members.
     *
     * @param event the event; when {@code id} is set it carries that id already
     * @param id the backplane's id of the event, or null if the backplane did not order it
     * @param position the event's place in the backplane's order of the channel (0: none)
     * @param opId this node's id of the publish if it was published on this node, otherwise -1
     */
    record Publication(SseEvent event, String id, long position, long opId) {

        /** An application's event published on this node, not (yet) ordered by a backplane. */
        static Publication of(SseEvent event, long opId) {
            return new Publication(event, null, 0, opId);
        }

        /** An event the backplane ordered; {@code ownOpId} is this node's id of the publish if it is this node's. */
        static Publication ordered(ClusterEngine.IdentifiedEvent event, long ownOpId) {
            return new Publication(event.event(), event.id(), event.position(), ownOpId);
        }
    }

    /**
     * What a joining connection gets before live events.
     *
     * @param frames the events it missed, oldest first, or one {@code resync} event
     * @param replayedUpTo the backplane position of the last replayed event (0: none): live copies up to it are
     *                     skipped
     * @param resync whether {@code frames} is a {@code resync} event
     */
    record CatchUp(List<Frame> frames, long replayedUpTo, boolean resync) {
        static final CatchUp NOTHING = new CatchUp(List.of(), 0, false);
    }

    /**
     * Gives {@code publication} its id (if the backplane did not), records it, and returns its frame for the members;
     * null if this log has delivered that publish already.
     *
     * @throws dev.broadcaster.MessageTooLargeException if the frame exceeds the largest message size (nothing is
     *                                                  recorded)
     */
    Frame record(Publication publication);

    /**
     * The catch-up of a connection of {@code channel} resuming after {@code lastEventId} (null: none) or asking for
     * the latest {@code historyCount} events; {@code fetched} is what the backplane answered, if it was asked (only
     * when {@link #answersAlone} said no).
     */
    CatchUp catchUp(String channel, String lastEventId, int historyCount, ClusterEngine.Replay fetched);

    /** Whether a connection resuming after {@code lastEventId} can be answered without asking the backplane. */
    boolean answersAlone(String lastEventId);

    /**
     * The id a client that was sent everything recorded so far would resume from; null if this log cannot name
     * one (a cluster node that recorded nothing of the channel yet).
     */
    String position();

    /** How many events are kept. */
    int size();

    /** Events may have been missed since those recorded: forget them, so no catch-up relies on them. */
    void forgetRecent();
}
