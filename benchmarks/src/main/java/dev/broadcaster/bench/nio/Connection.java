package dev.broadcaster.bench.nio;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * Per-socket state of the {@link RawNioServer}: the bytes of a request being read (until it is complete),
 * a response that could not be written at once, and, for a subscriber, the channel list it is in.
 *
 * <p>Not thread-safe: owned by the server's selector thread.
 */
final class Connection {
    final SocketChannel socket;
    final SelectionKey key;

    /** Bytes of the current request(s) not consumed yet; {@code null} once the socket became a subscriber. */
    byte[] request = new byte[1024];
    int requestLength;

    /** The rest of a response the socket did not take at once (only for non-subscribers), or null. */
    ByteBuffer pendingWrite;
    /** Close after {@link #pendingWrite} is flushed. */
    boolean closeAfterWrite;

    /** The list this subscriber is in, and its slot there; null / -1 when not a subscriber. */
    SubscriberList subscribedTo;
    int slot = -1;

    Connection(SocketChannel socket, SelectionKey key) {
        this.socket = socket;
        this.key = key;
    }

    boolean isSubscriber() {
        return subscribedTo != null;
    }

    /** Appends {@code n} bytes of {@code src} (from its position) to {@link #request}. */
    void appendRequestBytes(ByteBuffer src, int n) {
        if (requestLength + n > request.length) {
            request = Arrays.copyOf(request, Math.max(request.length * 2, requestLength + n));
        }
        src.get(request, requestLength, n);
        requestLength += n;
    }

    /** Drops the first {@code n} bytes of {@link #request} (a request that was handled). */
    void consumeRequestBytes(int n) {
        System.arraycopy(request, n, request, 0, requestLength - n);
        requestLength -= n;
    }
}
