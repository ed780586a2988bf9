package dev.broadcaster.bench.load;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One SSE connection of the load generator: its socket, its stream decoder, and the per-connection
 * correctness counters. Decoder callbacks are forwarded to the owning {@link SseClients} with this
 * connection.
 *
 * <p>Not thread-safe: used by the {@link SseClients} selector thread only (read by others after it ended).
 */
final class SseConnection implements SseStreamDecoder.Listener {
    final int index;
    /** A stalled reader: stops reading once subscribed, excluded from the healthy figures. */
    final boolean stalled;
    private final SseClients owner;
    final SseStreamDecoder decoder = new SseStreamDecoder(this);

    SocketChannel socket;
    SelectionKey key;
    /** The request bytes not written yet (normally written whole at once), or null. */
    ByteBuffer pendingRequest;
    boolean subscribed;
    boolean closed;

    /** The next seq this connection should receive (all seqs below it were received or counted in gaps). */
    long nextSeq;
    /** Seqs skipped over (received a later one first): missing. */
    long gaps;
    /** Seqs received again or out of order. */
    long duplicates;

    SseConnection(int index, boolean stalled, SseClients owner) {
        this.index = index;
        this.stalled = stalled;
        this.owner = owner;
    }

    @Override
    public void onHead(int status) {
        owner.onHead(this, status);
    }

    @Override
    public void onComment() {
        if (!subscribed) {
            owner.onSubscribed(this);
        }
    }

    @Override
    public void onEvent(long seq, long sendNanos, long scheduledNanos) {
        owner.onEvent(this, seq, sendNanos, scheduledNanos);
    }

    @Override
    public void onOtherEvent(String name) {
        owner.onOtherEvent(name);
    }

    @Override
    public void onEnd(String problem) {
        owner.onEnd(this, problem);
    }
}
