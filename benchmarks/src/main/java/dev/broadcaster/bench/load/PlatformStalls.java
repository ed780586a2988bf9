package dev.broadcaster.bench.load;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The machine's own stalls, as a baseline for the publish call's wall-clock time: repeats a fixed piece
 * of CPU work (about as long as a publish call) on an otherwise idle JVM, every 20 ms, and compares its
 * wall-clock time with the CPU time the thread used. The difference is time the thread was runnable but
 * not running (a virtual CPU taken away by the host, a safepoint), which no code inside the JVM can avoid.
 *
 * <pre>java -cp ... dev.broadcaster.bench.load.PlatformStalls [samples]</pre>
 * Prints one line: wall p50/p99, CPU p50/p99 and how many samples lost more than 0.5 ms off the CPU.
 */
public final class PlatformStalls {

    private PlatformStalls() {
    }

    public static void main(String[] args) throws InterruptedException {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] wall = new long[samples];
        long[] cpu = new long[samples];
        long checksum = 0;
        for (int i = -50; i < samples; i++) { // the first 50 warm the JIT up and are not kept
            Thread.sleep(20);
            long cpu0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            for (int k = 0; k < 2_000; k++) {
                checksum += Integer.toString(k).hashCode();
            }
            long w = System.nanoTime() - wall0;
            long c = threads.getCurrentThreadCpuTime() - cpu0;
            if (i >= 0) {
                wall[i] = w;
                cpu[i] = c;
            }
        }
        int stalled = 0;
        long worstOff = 0;
        for (int i = 0; i < samples; i++) {
            long off = wall[i] - cpu[i];
            if (off > 500_000) {
                stalled++;
            }
            worstOff = Math.max(worstOff, off);
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        System.out.printf("platform stalls (%d samples of fixed CPU work on an idle JVM): wall p50/p99 %d/%d µs,"
                        + " CPU p50/p99 %d/%d µs, more than 0.5 ms off the CPU in %d, longest %d µs%s%n", samples,
                wall[samples / 2] / 1000, wall[samples * 99 / 100] / 1000, cpu[samples / 2] / 1000,
                cpu[samples * 99 / 100] / 1000, stalled, worstOff / 1000, checksum == 42 ? " " : "");
    }
}
