package dev.broadcaster.internal;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The threads the library runs on: the server's default Jakarta Concurrency managed executors where
 * there are some, otherwise (e.g. Weld SE) a small pool of daemon threads owned by the library.
 */
final class Workers implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Workers.class.getName());
    private static final String MANAGED_EXECUTOR = "java:comp/DefaultManagedExecutorService";
    private static final String MANAGED_SCHEDULER = "java:comp/DefaultManagedScheduledExecutorService";

    /** How long stopping waits for final frames to be written: never for the streams themselves. */
    private static final Duration FINAL_WRITES = Duration.ofMillis(500);

    /** At most this many threads are added to the library's own pool for calls stuck in the container. */
    static final int MAX_EXTRA_THREADS = 256;

    /** A container call that has not returned after this long counts as stuck (a write to a client not reading). */
    static final Duration STUCK_AFTER = Duration.ofMillis(20);

    private final ExecutorService executor;
    private final int baseThreads;
    private final Queue<CallClock> clocks = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<CallClock> clock = ThreadLocal.withInitial(this::newClock);
    private final ScheduledExecutorService scheduler;
    private final boolean owned;
    private final AtomicBoolean gone = new AtomicBoolean();
    private volatile Runnable onExecutorGone = () -> { };

    private Workers(ExecutorService executor, ScheduledExecutorService scheduler, boolean owned) {
        this.executor = executor;
        this.baseThreads = executor instanceof ThreadPoolExecutor pool ? pool.getCorePoolSize() : 0;
        this.scheduler = scheduler;
        this.owned = owned;
    }

    static Workers create() {
        ExecutorService managed = lookup(MANAGED_EXECUTOR, ExecutorService.class);
        ScheduledExecutorService managedScheduler = lookup(MANAGED_SCHEDULER, ScheduledExecutorService.class);
        if (managed != null && managedScheduler != null) {
            LOG.log(System.Logger.Level.DEBUG, "Using the server's managed executors");
            return new Workers(managed, managedScheduler, false);
        }
        int threads = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon("broadcaster-worker"));
        pool.allowCoreThreadTimeOut(false);
        return new Workers(pool,
                Executors.newSingleThreadScheduledExecutor(daemon("broadcaster-timer")), true);
    }

    /**
     * Sends {@code event} to {@code sink}: a call into the container, which may block for as long as the
     * client does not read when the container bounds what it buffers.
     */
    CompletionStage<?> send(SseEventSink sink, OutboundSseEvent event) {
        CallClock started = clock.get();
        started.nanos = System.nanoTime();
        try {
            return sink.send(event);
        } finally {
            started.nanos = 0;
        }
    }

    /** Closes {@code sink}: a call into the container that may block as {@link #send} may. */
    void close(SseEventSink sink) {
        CallClock started = clock.get();
        started.nanos = System.nanoTime();
        try {
            sink.close();
        } finally {
            started.nanos = 0;
        }
    }

    /**
     * Sizes the library's own pool so that threads stuck in a container call for longer than
     * {@link #STUCK_AFTER} do not take work from the others: one thread more per stuck call, up to
     * {@link #MAX_EXTRA_THREADS}. A managed executor is sized by the server.
     */
    void replaceStuckThreads() {
        if (!(executor instanceof ThreadPoolExecutor pool)) {
            return;
        }
        long now = System.nanoTime();
        long stuckAfterNanos = STUCK_AFTER.toNanos();
        int stuck = 0;
        for (CallClock started : clocks) {
            long nanos = started.nanos;
            if (nanos != 0 && now - nanos > stuckAfterNanos) {
                stuck++;
            } else if (!started.thread.isAlive()) {
                clocks.remove(started);
            }
        }
        int size = baseThreads + Math.min(stuck, MAX_EXTRA_THREADS);
        if (size > pool.getMaximumPoolSize()) {
            pool.setMaximumPoolSize(size);
            pool.setCorePoolSize(size);
        } else if (size < pool.getCorePoolSize()) {
            pool.setCorePoolSize(size);
            pool.setMaximumPoolSize(size);
        }
    }

    ExecutorService executor() {
        return executor;
    }

    /** What to do, once, when the executor stops taking tasks (a server shutting down quiesces it first). */
    void onExecutorGone(Runnable action) {
        this.onExecutorGone = action;
    }

    /**
     * Runs {@code task} on the executor. If the executor refuses it, the server is stopping (Liberty shuts
     * its managed executors down when quiesce starts, long before the application is destroyed): the task
     * runs on the calling thread, and the first refusal starts {@link #onExecutorGone} on a thread of its
     * own, so streams can be closed while quiesce waits for them.
     */
    void execute(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            if (gone.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.INFO, "Executor stopped taking tasks: closing every stream");
                Thread closer = new Thread(onExecutorGone, "broadcaster-stop");
                closer.setDaemon(true);
                closer.start();
            }
            task.run();
        }
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** Whether these are the server's managed executors rather than the library's own threads. */
    boolean managed() {
        return !owned;
    }

    /**
     * Whether the executors still take tasks. The library's own are asked; a managed executor may not be
     * (its lifecycle methods throw), so a no-op task is submitted: a refusal is noticed as in {@link #execute}.
     */
    boolean acceptingTasks() {
        if (gone.get()) {
            return false;
        }
        if (owned) {
            return !executor.isShutdown() && !scheduler.isShutdown();
        }
        execute(() -> { });
        return !gone.get();
    }

    @Override
    public void close() {
        if (owned) {
            scheduler.shutdownNow();
            executor.shutdown(); // frames already queued (final retry hints) are still written...
            try {
                executor.awaitTermination(FINAL_WRITES.toMillis(), TimeUnit.MILLISECONDS); // ...for a bounded time
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor.shutdownNow();
        }
    }

    private CallClock newClock() {
        CallClock created = new CallClock(Thread.currentThread());
        clocks.add(created);
        return created;
    }

    /** When the current container call of one thread started (0: none), read by {@link #replaceStuckThreads}. */
    private static final class CallClock {
        final Thread thread;
        volatile long nanos;

        CallClock(Thread thread) {
            this.thread = thread;
        }
    }

    private static <T> T lookup(String name, Class<T> type) {
        try {
            Object found = new InitialContext().lookup(name);
            return type.isInstance(found) ? type.cast(found) : null;
        } catch (NamingException | RuntimeException e) {
            return null;
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
