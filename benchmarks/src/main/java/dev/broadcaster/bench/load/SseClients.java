package dev.broadcaster.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * All SSE connections of a run, driven by ONE thread with a {@link Selector}: it opens them (at most
 * {@value #MAX_OUTSTANDING} not yet subscribed at a time, so the server's accept backlog does not overflow),
 * reads and decodes every stream, feeds our events of healthy connections to the {@link DeliveryTracker},
 * stops reading stalled readers once they are subscribed, and on request drains those to see whether the
 * server closed them.
 *
 * <p>A connection is subscribed when its first SSE comment arrives. A connection that gets a non-200 answer
 * or closes before it subscribed fails the connect phase ({@link #awaitSubscribed} throws).
 *
 * <p>Threads: {@link #start}, {@link #awaitSubscribed}, {@link #drainStalled} and {@link #close} are called by
 * the main thread; the result getters are valid after {@link #close} returned.
 */
final class SseClients implements Runnable {
    private static final int MAX_OUTSTANDING = 500;

    private final DeliveryTracker tracker;
    private final InetSocketAddress address;
    private final byte[] request;
    private final SseConnection[] connections;
    private final int stalledTotal;
    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private final Thread thread = new Thread(this, "sse-reader");

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private int subscribedCount;
    private String failure;
    private long allSubscribedNanos;
    private int stalledClosed;

    private volatile boolean drainRequested;
    private volatile boolean stopRequested;
    private long connectStartNanos;

    // Reader-thread state.
    private int nextToOpen;
    private int outstanding;
    private boolean draining;
    private long readNanos;
    private int healthyClosed;
    private final Map<String, Long> otherEvents = new TreeMap<>();

    SseClients(LoadOptions options, DeliveryTracker tracker) throws IOException {
        this.tracker = tracker;
        URI url = options.subscribeUrl();
        int port = url.getPort() > 0 ? url.getPort() : 80;
        this.address = new InetSocketAddress(url.getHost(), port);
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        this.request = ("GET " + path + " HTTP/1.1\r\n"
                + "Host: " + url.getHost() + ":" + port + "\r\n"
                + "Accept: text/event-stream\r\n"
                + "Cache-Control: no-cache\r\n"
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
        this.connections = new SseConnection[options.connections()];
        for (int i = 0; i < connections.length; i++) {
            connections[i] = new SseConnection(i, options.isStalled(i), this);
        }
        this.stalledTotal = options.stalledCount();
        this.selector = Selector.open();
    }

    /** Starts the reader thread, which starts connecting at once. */
    void start() {
        connectStartNanos = System.nanoTime();
        thread.start();
    }

    /**
     * Waits until every connection is subscribed.
     *
     * @return false if {@code deadlineNanos} passed first
     * @throws IOException if a connection failed (its message says which and why)
     */
    boolean awaitSubscribed(long deadlineNanos) throws IOException, InterruptedException {
        lock.lock();
        try {
            while (subscribedCount < connections.length && failure == null) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            if (failure != null) {
                throw new IOException(failure);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** How many connections are subscribed so far. */
    int subscribedCount() {
        lock.lock();
        try {
            return subscribedCount;
        } finally {
            lock.unlock();
        }
    }

    /** Milliseconds from the first connect to the last subscription (valid after {@link #awaitSubscribed}). */
    double connectMillis() {
        lock.lock();
        try {
            return (allSubscribedNanos - connectStartNanos) / 1e6;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads the stalled connections again, as fast as possible, until all of them reached EOF or a reset (the
     * server closed them), or {@code timeoutNanos} passed.
     *
     * @return how many stalled connections were found closed
     */
    int drainStalled(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        drainRequested = true;
        selector.wakeup();
        lock.lock();
        try {
            while (stalledClosed < stalledTotal && failure == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                changed.awaitNanos(left);
            }
            return stalledClosed;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the reader thread, which closes every socket, and waits for it. */
    void close() throws InterruptedException {
        stopRequested = true;
        selector.wakeup();
        thread.join();
    }

    /** The number of stalled readers. */
    int stalledTotal() {
        return stalledTotal;
    }

    /** Healthy connections the server closed after they subscribed (valid after {@link #close}). */
    int healthyClosed() {
        return healthyClosed;
    }

    /** Events that were not ours, by event name (valid after {@link #close}). */
    Map<String, Long> otherEvents() {
        return otherEvents;
    }

    /**
     * Published seqs that healthy connections never received, summed over them (valid after {@link #close}).
     * A seq skipped and received later counts as missing and as a duplicate.
     */
    long missing(long published) {
        long missing = 0;
        for (SseConnection c : connections) {
            if (!c.stalled) {
                missing += c.gaps + Math.max(0, published - c.nextSeq);
            }
        }
        return missing;
    }

    /** Seqs healthy connections received again or out of order (valid after {@link #close}). */
    long duplicates() {
        long duplicates = 0;
        for (SseConnection c : connections) {
            if (!c.stalled) {
                duplicates += c.duplicates;
            }
        }
        return duplicates;
    }

    // ---- reader thread ----

    @Override
    public void run() {
        try {
            while (!stopRequested) {
                openMore();
                if (drainRequested && !draining) {
                    startDrain();
                }
                selector.select(this::onKey, 1000);
            }
        } catch (IOException | RuntimeException e) {
            fail("reader thread: " + e);
        } finally {
            closeAll();
        }
    }

    private void openMore() {
        while (outstanding < MAX_OUTSTANDING && nextToOpen < connections.length && !failed()) {
            SseConnection c = connections[nextToOpen++];
            outstanding++;
            try {
                SocketChannel socket = SocketChannel.open();
                c.socket = socket;
                socket.configureBlocking(false);
                if (c.stalled) {
                    socket.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
                }
                boolean connected = socket.connect(address);
                c.key = socket.register(selector, connected ? 0 : SelectionKey.OP_CONNECT, c);
                if (connected) {
                    sendRequest(c);
                }
            } catch (IOException e) {
                fail("could not open connection " + c.index + " to " + address + ": " + e);
                closeSocket(c);
            }
        }
    }

    private void onKey(SelectionKey key) {
        SseConnection c = (SseConnection) key.attachment();
        try {
            if (key.isConnectable()) {
                try {
                    c.socket.finishConnect();
                } catch (IOException e) {
                    fail("could not connect to " + address + ": " + e.getMessage());
                    onClosed(c, e.toString());
                    return;
                }
                sendRequest(c);
                return;
            }
            if (key.isWritable()) {
                flushRequest(c);
            }
            if (key.isValid() && key.isReadable()) {
                read(c);
            }
        } catch (IOException e) {
            onClosed(c, e.toString());
        }
    }

    private void sendRequest(SseConnection c) throws IOException {
        c.pendingRequest = ByteBuffer.wrap(request);
        flushRequest(c);
    }

    private void flushRequest(SseConnection c) throws IOException {
        c.socket.write(c.pendingRequest);
        if (c.pendingRequest.hasRemaining()) {
            c.key.interestOps(SelectionKey.OP_WRITE);
        } else {
            c.pendingRequest = null;
            c.key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void read(SseConnection c) throws IOException {
        byte[] array = readBuffer.array();
        while (true) {
            readBuffer.clear();
            int n = c.socket.read(readBuffer);
            if (n < 0) {
                onClosed(c, "EOF");
                return;
            }
            if (n == 0) {
                return;
            }
            // drained bytes of a stalled reader are decoded too: Jersey ends an evicted stream with the last
            // chunk and keeps the connection open, so the end of the response, not EOF, says it was closed
            readNanos = System.nanoTime();
            c.decoder.feed(array, 0, n);
            if (c.closed || (c.stalled && c.subscribed && !draining) || n < readBuffer.capacity()) {
                return;
            }
        }
    }

    private void startDrain() {
        draining = true;
        for (SseConnection c : connections) {
            if (c.stalled && !c.closed && c.key != null && c.key.isValid()) {
                c.key.interestOps(SelectionKey.OP_READ);
            }
        }
        signal();
    }

    void onHead(SseConnection c, int status) {
        if (status != 200) {
            fail("connection " + c.index + ": the subscribe URL answered HTTP " + status);
            onClosed(c, "HTTP " + status);
        }
    }

    void onSubscribed(SseConnection c) {
        c.subscribed = true;
        outstanding--;
        if (c.stalled) {
            c.key.interestOps(0);
        }
        lock.lock();
        try {
            subscribedCount++;
            if (subscribedCount == connections.length) {
                allSubscribedNanos = System.nanoTime();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void onEvent(SseConnection c, long seq, long sendNanos, long scheduledNanos) {
        if (!c.stalled) {
            tracker.onDelivery(c, seq, sendNanos, scheduledNanos, readNanos);
        }
    }

    void onOtherEvent(String name) {
        otherEvents.merge(name, 1L, Long::sum);
    }

    void onEnd(SseConnection c, String problem) {
        if (problem != null) {
            System.err.println("connection " + c.index + ": malformed stream: " + problem);
        }
        onClosed(c, problem == null ? "end of response" : problem);
    }

    /** The server closed (or reset) {@code c}, or its stream ended. */
    private void onClosed(SseConnection c, String why) {
        if (c.closed) {
            return;
        }
        closeSocket(c);
        if (!c.subscribed) {
            outstanding--;
            if (!stopRequested) {
                fail("connection " + c.index + " closed before it subscribed: " + why);
            }
        } else if (c.stalled) {
            lock.lock();
            try {
                stalledClosed++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        } else {
            healthyClosed++;
            tracker.onHealthyClosed(c);
        }
    }

    private void closeSocket(SseConnection c) {
        c.closed = true;
        if (c.key != null) {
            c.key.cancel();
        }
        if (c.socket != null) {
            try {
                c.socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private void closeAll() {
        for (SseConnection c : connections) {
            if (!c.closed) {
                closeSocket(c);
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    private boolean failed() {
        lock.lock();
        try {
            return failure != null;
        } finally {
            lock.unlock();
        }
    }

    private void fail(String message) {
        lock.lock();
        try {
            if (failure == null) {
                failure = message;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
