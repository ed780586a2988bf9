package dev.broadcaster.internal;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The threads the library runs on: a pool of its own, {@code broadcaster-worker-N} (delivery, presence), whose
 * threads come from the server's default Jakarta Concurrency {@code ManagedThreadFactory} where there is one
 * (they run with the application's context, captured once, not per task as a managed executor would for every
 * write), otherwise (e.g. Weld SE) plain daemon threads. Timers run on the server's default managed scheduled
 * executor where there is one, otherwise on {@code broadcaster-timer-1}.
 *
 * <p>Threads: the pool has {@link #baseThreads} threads, plus one for each call stuck in the container for
 * longer than {@link #STUCK_AFTER} ({@link #replaceStuckThreads}). A second pool, {@code broadcaster-aside-N}
 * ({@link #ASIDE_THREADS} threads, sized the same way), runs the writes of connections whose write once blocked
 * ({@link #executeAside}): clients that stopped reading block a thread in every write (Open Liberty's RESTEasy
 * flushes with a blocking socket write), and a few of them at once would otherwise hold every thread of the pool,
 * and every other connection's delivery, until the stuck threads are replaced. One {@code broadcaster-stop-watch} thread
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
    private static final String MANAGED_THREAD_FACTORY = "java:comp/DefaultManagedThreadFactory";

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

    /** The threads of the pool for connections whose write once blocked, before any is stuck. */
    static final int ASIDE_THREADS = 2;

    private final ExecutorService executor; // runs the library's tasks: its own pool, except in tests (on)
    private final ExecutorService aside; // writes of connections whose write once blocked; the executor in tests
    private final ExecutorService probed; // asked whether it still takes tasks: the server's, if not the library's
    private final int baseThreads;
    // the library's own pool threads, each with when its current container call started
    private final Map<Thread, CallClock> poolThreads;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsPool;
    private final boolean ownsScheduler;
    private final boolean managed; // threads and timers come from the server's Jakarta Concurrency resources
    private final AtomicBoolean gone = new AtomicBoolean();
    private volatile Runnable onExecutorGone = () -> { };
    private volatile boolean closed;
    private volatile Thread stopWatch;
    private final Set<Later> waiting = ConcurrentHashMap.newKeySet(); // runLater's tasks not run yet
    private final Set<Connection> completingLater = ConcurrentHashMap.newKeySet(); // writes in progress, no thread
    private final ThreadPoolExecutor stopping; // runs what the executor refuses once the server stops
    private final ThreadPoolExecutor aborting; // closes, after the stop's budget, the sinks still open

    private Workers(ExecutorService executor, ExecutorService aside, boolean ownsPool, ExecutorService probed,
                    ScheduledExecutorService scheduler, boolean ownsScheduler, boolean managed,
                    Map<Thread, CallClock> poolThreads) {
        this.executor = executor;
        this.aside = aside;
        this.probed = probed;
        this.poolThreads = poolThreads;
        this.baseThreads = executor instanceof ThreadPoolExecutor pool ? pool.getCorePoolSize() : 0;
        this.scheduler = scheduler;
        this.ownsPool = ownsPool;
        this.ownsScheduler = ownsScheduler;
        this.managed = managed;
        // no thread until the server stops; at most STOP_THREADS each, idle ones end after a second
        this.stopping = stopPool("broadcaster-stopping");
        this.aborting = stopPool("broadcaster-abort");
    }

    /**
     * Workers on the given executors, without a stop watch: for tests that turn the executor by hand. The caller
     * owns both executors.
     */
    static Workers on(ExecutorService executor, ScheduledExecutorService scheduler) {
        return new Workers(executor, executor, false, null, scheduler, false, false, Map.of());
    }

    /**
     * The library's pool, on the server's managed thread factory and scheduler where there are both (and a managed
     * executor to tell when the server stops), otherwise on threads of its own.
     */
    static Workers create() {
        ExecutorService managedExecutor = lookup(MANAGED_EXECUTOR, ExecutorService.class);
        ScheduledExecutorService managedScheduler = lookup(MANAGED_SCHEDULER, ScheduledExecutorService.class);
        ThreadFactory managedThreads = lookup(MANAGED_THREAD_FACTORY, ThreadFactory.class);
        boolean managed = managedExecutor != null && managedScheduler != null && managedThreads != null;
        int threads = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
        Map<Thread, CallClock> poolThreads = new ConcurrentHashMap<>();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                named("broadcaster-worker", managed ? managedThreads : null, poolThreads, false));
        ThreadPoolExecutor aside = new ThreadPoolExecutor(ASIDE_THREADS, ASIDE_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                named("broadcaster-aside", managed ? managedThreads : null, poolThreads, true));
        Workers workers = managed
                ? new Workers(pool, aside, true, managedExecutor, managedScheduler, false, true, poolThreads)
                : new Workers(pool, aside, true, null,
                        Executors.newSingleThreadScheduledExecutor(named("broadcaster-timer", null, null, false)), true,
                        false, poolThreads);
        LOG.log(System.Logger.Level.DEBUG, () -> managed ? "Threads from the server's managed thread factory"
                : "Threads of the library's own");
        workers.watchForStop();
        return workers;
    }

    /**
     * Sends {@code event} to {@code sink}: a call into the container, which may block for as long as the
     * client does not read when the container bounds what it buffers.
     */
    CompletionStage<?> send(Connection writer, SseEventSink sink, OutboundSseEvent event) {
        CallClock clock = poolThreads.isEmpty() ? null : poolThreads.get(Thread.currentThread());
        if (clock != null) {
            clock.writer = writer;
            clock.callStartedNanos = System.nanoTime();
        }
        try {
            return sink.send(event);
        } finally {
            if (clock != null) {
                clock.callStartedNanos = 0;
                clock.writer = null;
            }
        }
    }

    /**
     * Lists {@code writer} while its write goes on after {@link #send} returned (a container whose writes complete
     * later), until {@code pending} is false.
     */
    void completingLater(Connection writer, boolean pending) {
        if (pending) {
            completingLater.add(writer);
        } else {
            completingLater.remove(writer);
        }
    }

    /**
     * Whether {@link #writing} sees every connection with a write in progress: writes run on the library's own
     * pool (not a test's executor).
     */
    boolean seesEveryWrite() {
        return ownsPool;
    }

    /**
     * Gives {@code each} the connections whose write is in progress now: those in a {@link #send} call on a pool
     * thread and those whose write completes later. A connection may be missed for the moment it moves from one to
     * the other (the watchdog counts only time it saw). Called by the watchdog.
     */
    void writing(Consumer<Connection> each) {
        completingLater.forEach(each);
        for (CallClock clock : poolThreads.values()) {
            Connection writer = clock.writer;
            if (writer != null) {
                each.accept(writer);
            }
        }
    }

    /** Closes {@code sink}: a call into the container that may block as {@link #send} may. */
    void close(SseEventSink sink) {
        CallClock clock = poolThreads.isEmpty() ? null : poolThreads.get(Thread.currentThread());
        if (clock != null) {
            clock.callStartedNanos = System.nanoTime();
        }
        try {
            sink.close();
        } finally {
            if (clock != null) {
                clock.callStartedNanos = 0;
            }
        }
    }

    /**
     * Sizes the library's own pool so that threads stuck in a container call for longer than
     * {@link #STUCK_AFTER} do not take work from the others: one thread more per stuck call, up to
     * {@link #MAX_EXTRA_THREADS}, in the pool it is stuck in; and the rest of a stuck thread's chunk of tasks
     * ({@link #executeChunk}) to another thread. Only for the library's own pools (not a test's executor).
     */
    void replaceStuckThreads() {
        if (!(executor instanceof ThreadPoolExecutor pool)) {
            return;
        }
        long now = System.nanoTime();
        long stuckAfterNanos = STUCK_AFTER.toNanos();
        int stuck = 0;
        int stuckAside = 0;
        List<Chunk> handOver = null;
        for (CallClock clock : poolThreads.values()) {
            long nanos = clock.callStartedNanos;
            if (nanos != 0 && now - nanos > stuckAfterNanos && clock.aside) {
                stuckAside++;
            } else if (nanos != 0 && now - nanos > stuckAfterNanos) {
                stuck++;
                Chunk chunk = clock.chunk;
                if (chunk != null && clock.helpedCall != nanos && chunk.hasMore()) {
                    clock.helpedCall = nanos; // once per stuck call
                    if (handOver == null) {
                        handOver = new ArrayList<>();
                    }
                    handOver.add(chunk);
                }
            }
        }
        resize(pool, baseThreads + Math.min(stuck, MAX_EXTRA_THREADS));
        if (aside != executor && aside instanceof ThreadPoolExecutor asidePool) {
            resize(asidePool, ASIDE_THREADS + Math.min(stuckAside, MAX_EXTRA_THREADS));
        }
        if (handOver != null) {
            handOver.forEach(this::execute); // the rest of a stuck thread's chunk, on a thread of its own
        }
    }

    private static void resize(ThreadPoolExecutor pool, int size) {
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

    /** The threads of the library's pool before any is stuck (0 for a test's executor). */
    int baseThreads() {
        return baseThreads;
    }

    /** What to do, once, when the executor stops taking tasks (a server shutting down quiesces it first). */
    void onExecutorGone(Runnable action) {
        this.onExecutorGone = action;
    }

    /**
     * Runs {@code task} on the executor. If the executor refuses it (or the server's thread factory refuses a thread
     * for it), the server is stopping: the task runs on a
     * {@code broadcaster-stopping} thread, never on the calling thread (it may be the container's, which a write
     * to a client that does not read would block), and the first refusal starts {@link #onExecutorGone} on the
     * {@code broadcaster-stop} thread, so streams are closed while quiesce waits for them.
     */
    void execute(Runnable task) {
        execute(executor, task);
    }

    /**
     * Runs {@code task}, a write or close of a connection whose write once blocked, on the pool kept for those
     * (on the executor in tests), so that its client, if it stopped reading, holds none of the threads the other
     * connections are written on. Refused as {@link #execute} is.
     */
    void executeAside(Runnable task) {
        execute(aside, task);
    }

    private void execute(ExecutorService on, Runnable task) {
        if (gone.get()) { // stopping: no refusal (and its stack trace) per task
            runWhileStopping(task);
            return;
        }
        try {
            on.execute(task);
        } catch (RuntimeException refused) { // RejectedExecutionException, or the thread factory's refusal
            executorGone();
            runWhileStopping(task);
        }
    }

    /**
     * Runs {@code tasks[from, to)} one after another as one task ({@link DrainStarts}). The tasks are claimed one at a
     * time, so while the thread running them is stuck in a container call, {@link #replaceStuckThreads} hands the
     * rest to another thread. A task that throws is logged and the others still run.
     */
    void executeChunk(Runnable[] tasks, int from, int to) {
        execute(new Chunk(tasks, from, to));
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

    /**
     * Runs {@code task} on the executor after {@code delayNanos}, unless the library stops first: {@link #close}
     * cancels what is still waiting, so no timer of a stopped application fires in the server (Open Liberty logs
     * an error for a managed task whose application is gone).
     */
    void runLater(Runnable task, long delayNanos) {
        Later later = new Later(task);
        waiting.add(later);
        try {
            later.future = scheduler.schedule(later, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            waiting.remove(later); // stopping: nothing waits any more
            return;
        }
        if (closed) {
            later.future.cancel(false);
        }
    }

    /** A task of {@link #runLater}, listed in {@link #waiting} until it runs or is cancelled. */
    private final class Later implements Runnable {
        private final Runnable task;
        private volatile ScheduledFuture<?> future;

        Later(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            waiting.remove(this);
            execute(task);
        }
    }

    /** Whether the threads and timers come from the server's managed resources rather than the library's own. */
    boolean managed() {
        return managed;
    }

    /** Whether the pool is the library's own, sized by {@link #replaceStuckThreads} (not a test's executor). */
    boolean ownsPool() {
        return ownsPool;
    }

    /**
     * Whether the executors still take tasks. The library's own are asked; a managed executor may not be
     * (its lifecycle methods throw), so a no-op task is submitted: a refusal is noticed as in {@link #execute}.
     */
    boolean acceptingTasks() {
        if (gone.get()) {
            return false;
        }
        if (probed == null) {
            return !executor.isShutdown() && !aside.isShutdown() && !scheduler.isShutdown();
        }
        probe();
        return !gone.get();
    }

    private void probe() {
        if (probed == null) {
            if (executor.isShutdown()) {
                executorGone();
            }
            return;
        }
        try {
            probed.execute(() -> { });
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
        for (Later later : waiting) {
            ScheduledFuture<?> future = later.future;
            if (future != null) {
                future.cancel(false);
            }
        }
        waiting.clear();
        stopping.shutdown(); // writes running there finish or fail when their sinks are closed
        aborting.shutdown();
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
        if (ownsPool) {
            executor.shutdown();
            aside.shutdown();
            long deadline = System.nanoTime() + Math.max(0, budget.toNanos());
            try {
                executor.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                aside.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor.shutdownNow();
            aside.shutdownNow();
        }
    }

    @Override
    public void close() {
        close(FINAL_WRITES);
    }

    private static ThreadPoolExecutor stopPool(String prefix) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(STOP_THREADS, STOP_THREADS, 1, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), named(prefix, null, null, false));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** When a pool thread's current container call started (0: none); written by that thread, read by the timer. */
    private static final class CallClock {
        final boolean aside; // a thread of the pool for connections whose write once blocked
        volatile long callStartedNanos;
        volatile Connection writer; // whose write the call is, if it is one
        volatile Chunk chunk; // the chunk of tasks the thread is running, if it is one
        long helpedCall; // the call start for which the chunk was handed to another thread; the timer's only

        CallClock(boolean aside) {
            this.aside = aside;
        }
    }

    /** Tasks run one after another, each claimed once, by one thread or several ({@link #executeChunk}). */
    private final class Chunk implements Runnable {
        private final Runnable[] tasks;
        private final int to;
        private final AtomicInteger next;

        Chunk(Runnable[] tasks, int from, int to) {
            this.tasks = tasks;
            this.to = to;
            this.next = new AtomicInteger(from);
        }

        boolean hasMore() {
            return next.get() < to;
        }

        @Override
        public void run() {
            CallClock clock = poolThreads.isEmpty() ? null : poolThreads.get(Thread.currentThread());
            if (clock != null) {
                clock.chunk = this;
            }
            try {
                for (int i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
                    try {
                        tasks[i].run();
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "A task of the library failed", e);
                    }
                }
            } finally {
                if (clock != null) {
                    clock.chunk = null;
                }
            }
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

    /**
     * Threads named {@code prefix-N}: from {@code managed} (the server's thread factory) if given, otherwise daemon
     * threads of the library's own; with {@code pool}, each listed there with its call clock while it runs
     * ({@code aside}: a thread of the pool for connections whose write once blocked).
     */
    private static ThreadFactory named(String prefix, ThreadFactory managed, Map<Thread, CallClock> pool,
                                       boolean aside) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Runnable target = pool == null ? runnable : () -> {
                pool.put(Thread.currentThread(), new CallClock(aside));
                try {
                    runnable.run();
                } finally {
                    pool.remove(Thread.currentThread());
                }
            };
            String name = prefix + "-" + count.incrementAndGet();
            if (managed != null) {
                Thread thread = managed.newThread(target); // throws, or gives null, once the application stops
                if (thread == null) {
                    throw new RejectedExecutionException("the server's thread factory gave no thread");
                }
                thread.setName(name);
                return thread;
            }
            Thread thread = new Thread(target, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
