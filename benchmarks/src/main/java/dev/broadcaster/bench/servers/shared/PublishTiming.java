package dev.broadcaster.bench.servers.shared;

import jakarta.ws.rs.core.Response;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The answer of every benchmark publish endpoint: {@code 204 No Content} with the header
 * {@value #HEADER} holding the nanoseconds spent in the server's publish call, measured with
 * {@link System#nanoTime()} around that call only (building the message happens before), and
 * {@value #CPU_HEADER} holding the CPU time the publishing thread used in that call. On a saturated
 * machine the two differ by the time the thread waited for a core (or for a GC pause).
 */
public final class PublishTiming {

    /** Response header carrying the publish call's duration in nanoseconds. */
    public static final String HEADER = "X-Publish-Nanos";
    /** Response header carrying the CPU time of the publish call in nanoseconds. */
    public static final String CPU_HEADER = "X-Publish-Cpu-Nanos";

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private PublishTiming() {
    }

    /** How long a publish call took ({@value #HEADER}) and the CPU time its thread used in it ({@value #CPU_HEADER}). */
    public record Took(long nanos, long cpuNanos) {
    }

    /** Runs {@code publish}, timing it, and answers 204 with {@value #HEADER} and {@value #CPU_HEADER}. */
    public static Response timed(Runnable publish) {
        Took took = time(publish);
        return Response.noContent().header(HEADER, took.nanos()).header(CPU_HEADER, took.cpuNanos()).build();
    }

    /** Runs {@code publish} and says how long it took, for a publish endpoint that writes its own answer. */
    public static Took time(Runnable publish) {
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        publish.run();
        long nanos = System.nanoTime() - start;
        return new Took(nanos, THREADS.getCurrentThreadCpuTime() - cpuStart);
    }
}
