package dev.broadcaster.internal;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
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
 *
 * <p>Threads: on the library's own pool, {@code broadcaster-worker-N} (delivery, presence) and
 * {@code broadcaster-timer-1} (heartbeat, watchdog, pool sizing). One {@code broadcaster-stop-watch} thread
 * asks the executor every {@link #PROBE_INTERVAL} whether it still takes tasks (a managed one by submitting a
 * no-op task), so a server that quiesces (Open Liberty shuts its managed executors down then, long before it
 * destroys applications) is noticed at once, not when the next heartbeat is refused. Once the executor refuses, tasks run on
 * {@code broadcaster-stopping-N} threads (never on the caller's thread: it may be the container's), and
 * {@link #onExecutorGone} runs on {@code broadcaster-stop}. Every one of these threads ends when the registry
 * stops ({@link #close}); none holds a {@code ThreadLocal} of the container's threads.
 */
final class Workers implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Workers.class.getName());
    private static final String MANAGED_EXECUTOR = "java:comp/DefaultManagedExecutorService";
    private static final String MANAGED_SCHEDULER = "java:comp/DefaultManagedScheduledExecutorService";

    /** How long stopping waits for final frames to be written: never for the streams themselves. */
    static final Duration FINAL_WRITES = Duration.ofMillis(500);

    /** How often the managed executor is asked whether it still takes tasks. */
    static final Duration PROBE_INTERVAL = Duration.ofMillis(100);

    /** Threads that run refused tasks once the server stops, and threads that close the sinks left over. */
    static final int STOP_THREADS = 16;

    /** At most this many threads are added to the library's own pool for calls stuck in the container. */
    static final int MAX_EXTRA_THREADS = 256;

    /** A container call that has not returned after this long counts as stuck (a write to a client not reading). */
    static final Duration STUCK_AFTER = Duration.ofMillis(20);

    private final ExecutorService executor;
    private final int baseThreads;
    // the library's own pool threads (empty with managed executors): each says when its container call started
    private final Set<PoolThread> poolThreads;
    private final ScheduledExecutorService scheduler;
    private final boolean owned;
    private final AtomicBoolean gone = new AtomicBoolean();
    private volatile Runnable onExecutorGone = () -> { };
    private volatile boolean closed;
    private volatile Thread stopWatch;
    private final ThreadPoolExecutor stopping; // runs what the executor refuses once the server stops
    private final ThreadPoolExecutor aborting; // closes, after the stop's budget, the sinks still open

    private Workers(ExecutorService executor, ScheduledExecutorService scheduler, boolean owned,
                    Set<PoolThread> poolThreads) {
        this.executor = executor;
        this.poolThreads = poolThreads;
        this.baseThreads = executor instanceof ThreadPoolExecutor pool ? pool.getCorePoolSize() : 0;
        this.scheduler = scheduler;
        this.owned = owned;
        // no thread until the server stops; at most STOP_THREADS each, idle ones end after a second
        this.stopping = stopPool("broadcaster-stopping");
        this.aborting = stopPool("broadcaster-abort");
    }

    /**
     * Workers on the given executors, without a stop watch: for tests that turn the executor by hand. The caller
     * owns both executors.
     */
    static Workers on(ExecutorService executor, ScheduledExecutorService scheduler) {
        return new Workers(executor, scheduler, false, Set.of());
    }

    static Workers create() {
        ExecutorService managed = lookup(MANAGED_EXECUTOR, ExecutorService.class);
        ScheduledExecutorService managedScheduler = lookup(MANAGED_SCHEDULER, ScheduledExecutorService.class);
        if (managed != null && managedScheduler != null) {
            LOG.log(System.Logger.Level.DEBUG, "Using the server's managed executors");
            Workers workers = new Workers(managed, managedScheduler, false, Set.of());
            workers.watchForStop();
            return workers;
        }
        int threads = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
        Set<PoolThread> poolThreads = ConcurrentHashMap.newKeySet();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon("broadcaster-worker", poolThreads));
        pool.allowCoreThreadTimeOut(false);
        Workers workers = new Workers(pool, Executors.newSingleThreadScheduledExecutor(daemon("broadcaster-timer", null)),
                true, poolThreads);
        workers.watchForStop();
        return workers;
    }

    /**
     * Sends {@code event} to {@code sink}: a call into the container, which may block for as long as the
     * client does not read when the container bounds what it buffers.
     */
    CompletionStage<?> send(SseEventSink sink, OutboundSseEvent event) {
        PoolThread thread = Thread.currentThread() instanceof PoolThread own ? own : null;
        if (thread != null) {
            thread.callStartedNanos = System.nanoTime();
        }
        try {
            return sink.send(event);
        } finally {
            if (thread != null) {
                thread.callStartedNanos = 0;
            }
        }
    }

    /** Closes {@code sink}: a call into the container that may block as {@link #send} may. */
    void close(SseEventSink sink) {
        PoolThread thread = Thread.currentThread() instanceof PoolThread own ? own : null;
        if (thread != null) {
            thread.callStartedNanos = System.nanoTime();
        }
        try {
            sink.close();
        } finally {
            if (thread != null) {
                thread.callStartedNanos = 0;
            }
        }
    }

    /**
     * Sizes the library's own pool so that threads stuck in a container call for longer than
     * {@link #STUCK_AFTER} do not take work from the others: one thread more per stuck call, up to
     * {@link #MAX_EXTRA_THREADS}. Only for the library's own pool (a managed executor is sized by the server,
     * and this is not scheduled there).
     */
    void replaceStuckThreads() {
        if (!(executor instanceof ThreadPoolExecutor pool)) {
            return;
        }
        long now = System.nanoTime();
        long stuckAfterNanos = STUCK_AFTER.toNanos();
        int stuck = 0;
        for (PoolThread thread : poolThreads) {
            long nanos = thread.callStartedNanos;
            if (nanos != 0 && now - nanos > stuckAfterNanos) {
                stuck++;
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
     * Runs {@code task} on the executor. If the executor refuses it, the server is stopping: the task runs on a
     * {@code broadcaster-stopping} thread, never on the calling thread (it may be the container's, which a write
     * to a client that does not read would block), and the first refusal starts {@link #onExecutorGone} on the
     * {@code broadcaster-stop} thread, so streams are closed while quiesce waits for them.
     */
    void execute(Runnable task) {
        if (gone.get()) { // stopping: no refusal (and its stack trace) per task
            runWhileStopping(task);
            return;
        }
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            executorGone();
            runWhileStopping(task);
        }
    }

    private void runWhileStopping(Runnable task) {
        try {
            stopping.execute(task);
        } catch (RejectedExecutionException closedToo) {
            // the registry has stopped: nothing more is written
        }
    }

    /**
     * Runs {@code task} on a {@code broadcaster-abort} thread: closing the sinks still open once a stop's budget
     * is over, apart from the stopping threads a write to a client that does not read may hold.
     */
    void abortLater(Runnable task) {
        try {
            aborting.execute(task);
        } catch (RejectedExecutionException e) {
            // the registry has stopped
        }
    }

    private void executorGone() {
        if (gone.compareAndSet(false, true) && !closed) {
            LOG.log(System.Logger.Level.INFO, "Executor stopped taking tasks: closing every stream");
            Thread closer = new Thread(onExecutorGone, "broadcaster-stop");
            closer.setDaemon(true);
            closer.start();
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
        probe();
        return !gone.get();
    }

    private void probe() {
        if (owned) {
            if (executor.isShutdown()) {
                executorGone();
            }
            return;
        }
        try {
            executor.execute(() -> { });
        } catch (RejectedExecutionException e) {
            executorGone();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Probing the managed executor failed", e);
        }
    }

    /** Starts the {@code broadcaster-stop-watch} thread that notices at once when the managed executor stops. */
    private void watchForStop() {
        Thread watch = new Thread(() -> {
            while (!closed && !gone.get()) {
                try {
                    Thread.sleep(PROBE_INTERVAL.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                if (!closed) {
                    probe();
                }
            }
        }, "broadcaster-stop-watch");
        watch.setDaemon(true);
        stopWatch = watch;
        watch.start();
    }

    /**
     * Stops the library's threads: the stop watch at once; its own pool after the frames already queued (final
     * retry hints) were written or {@code budget} passed; the stopping threads end when idle.
     */
    void close(Duration budget) {
        closed = true;
        Thread watch = stopWatch;
        if (watch != null) {
            watch.interrupt();
        }
        stopping.shutdown(); // writes running there finish or fail when their sinks are closed
        aborting.shutdown();
        if (owned) {
            scheduler.shutdownNow();
            executor.shutdown();
            try {
                executor.awaitTermination(Math.max(0, budget.toMillis()), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor.shutdownNow();
        }
    }

    @Override
    public void close() {
        close(FINAL_WRITES);
    }

    private static ThreadPoolExecutor stopPool(String prefix) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(STOP_THREADS, STOP_THREADS, 1, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon(prefix, null));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** A thread of the library's own pool; says when its current container call started (0: none). */
    private static final class PoolThread extends Thread {
        volatile long callStartedNanos;

        PoolThread(Runnable target, String name) {
            super(target, name);
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

    /** Daemon threads named {@code prefix-N}; with {@code pool}, library pool threads listed there while they run. */
    private static ThreadFactory daemon(String prefix, Set<PoolThread> pool) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            String name = prefix + "-" + count.incrementAndGet();
            Thread thread;
            if (pool == null) {
                thread = new Thread(runnable, name);
            } else {
                PoolThread[] self = new PoolThread[1];
                self[0] = new PoolThread(() -> {
                    pool.add(self[0]);
                    try {
                        runnable.run();
                    } finally {
                        pool.remove(self[0]);
                    }
                }, name);
                thread = self[0];
            }
            thread.setDaemon(true);
            return thread;
        };
    }
}
