package dev.broadcaster.internal;

import dev.broadcaster.ConnectionInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One SSE stream. Frames are queued and written in order, one write at a time, on the library's
 * executor, so a publisher never waits for this connection's socket. When a write fails (the client
 * went away) the connection closes itself and reports to {@code onGone} exactly once.
 */
final class Connection {

    private static final Object CLOSE = new Object();

    private final ConnectionInfo info;
    private final SseEventSink sink;
    private final Sse sse;
    private final Executor executor;
    private final Consumer<Connection> onGone;
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    private boolean draining = true; // held until start(): nothing is written before the connection is registered
    private boolean closing;
    private volatile long lastQueuedNanos = System.nanoTime();

    Connection(ConnectionInfo info, SseEventSink sink, Sse sse, Executor executor, Consumer<Connection> onGone) {
        this.info = info;
        this.sink = sink;
        this.sse = sse;
        this.executor = executor;
        this.onGone = onGone;
    }

    ConnectionInfo info() {
        return info;
    }

    String id() {
        return info.id();
    }

    String user() {
        return info.user();
    }

    long lastQueuedNanos() {
        return lastQueuedNanos;
    }

    /** Starts writing the frames queued so far and any later ones. */
    void start() {
        executor.execute(this::drain);
    }

    /** Queues {@code frame}; false if this connection is closing. */
    boolean deliver(Frame frame) {
        return enqueue(frame);
    }

    /** Closes the stream after the frames already queued have been written. */
    void close() {
        enqueue(CLOSE);
    }

    private boolean enqueue(Object item) {
        boolean start;
        synchronized (this) {
            if (closing) {
                return false;
            }
            if (item == CLOSE) {
                closing = true;
            }
            backlog.add(item);
            lastQueuedNanos = System.nanoTime();
            start = !draining;
            draining = true;
        }
        if (start) {
            executor.execute(this::drain);
        }
        return true;
    }

    private void drain() {
        while (true) {
            Object item;
            synchronized (this) {
                item = backlog.poll();
                if (item == null) {
                    draining = false;
                    return;
                }
            }
            if (item == CLOSE) {
                closeSink();
                return;
            }
            CompletableFuture<?> written;
            try {
                if (sink.isClosed()) {
                    gone();
                    return;
                }
                written = toFuture(sink.send(((Frame) item).outbound(sse)));
            } catch (RuntimeException e) {
                gone();
                return;
            }
            if (!written.isDone()) {
                written.whenComplete((ignored, failure) -> {
                    if (failure != null) {
                        gone();
                    } else {
                        executor.execute(this::drain);
                    }
                });
                return;
            }
            if (written.isCompletedExceptionally()) {
                gone();
                return;
            }
        }
    }

    private void gone() {
        synchronized (this) {
            closing = true;
            backlog.clear();
            draining = false;
        }
        closeSink();
        onGone.accept(this);
    }

    private void closeSink() {
        try {
            sink.close();
        } catch (RuntimeException e) {
            // already closed by the client or the container
        }
    }

    private static CompletableFuture<?> toFuture(CompletionStage<?> stage) {
        try {
            return stage.toCompletableFuture();
        } catch (UnsupportedOperationException e) {
            CompletableFuture<Object> future = new CompletableFuture<>();
            stage.whenComplete((value, failure) -> {
                if (failure != null) {
                    future.completeExceptionally(failure);
                } else {
                    future.complete(value);
                }
            });
            return future;
        }
    }
}
