package dev.broadcaster.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads figures of a local JVM process (the server under test): CPU time and thread count from {@code /proc},
 * GC counters and heap use from {@code jstat -gc}, after a forced GC ({@code jcmd <pid> GC.run}) when asked.
 * The JDK tools are taken from this JVM's own JDK. Every method answers -1 / null when the figure cannot be
 * read (no pid, no {@code /proc}, attach refused), and never throws for that.
 */
final class ServerProbe {
    /** GC counters and heap use at one moment, from {@code jstat -gc}. */
    record GcSnapshot(long heapUsedKiB, long youngGcs, long fullGcs, double pauseSeconds) {
    }

    private final long pid;
    private final Path binDir;
    private final long ticksPerSecond;

    /** A probe of process {@code pid}; -1 for none (every figure is then -1 / null). */
    ServerProbe(long pid) {
        this.pid = pid;
        this.binDir = jdkBin();
        this.ticksPerSecond = clockTicks();
    }

    long pid() {
        return pid;
    }

    /** Clock ticks per second of {@code /proc/<pid>/stat} times ({@code getconf CLK_TCK}, else 100). */
    long ticksPerSecond() {
        return ticksPerSecond;
    }

    /** The server's user + system CPU time in clock ticks, or -1. */
    long cpuTicks() {
        return pid < 0 ? -1 : cpuTicksOf(String.valueOf(pid));
    }

    /** This JVM's (the load generator's) user + system CPU time in clock ticks, or -1. */
    long selfCpuTicks() {
        return cpuTicksOf("self");
    }

    /** The server's current number of threads ({@code Threads:} of {@code /proc/<pid>/status}), or -1. */
    int threads() {
        if (pid < 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring("Threads:".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable: unknown
        }
        return -1;
    }

    /** The server's GC counters and heap use now, or null. */
    GcSnapshot gc() {
        if (pid < 0) {
            return null;
        }
        String out = run(tool("jstat"), "-J-Duser.language=en", "-J-Duser.country=US", "-gc", String.valueOf(pid));
        if (out == null) {
            return null;
        }
        String[] lines = out.strip().split("\n");
        if (lines.length < 2) {
            return null;
        }
        String[] names = lines[0].trim().split("\\s+");
        String[] values = lines[lines.length - 1].trim().split("\\s+");
        Map<String, Double> m = new HashMap<>();
        for (int i = 0; i < names.length && i < values.length; i++) {
            try {
                m.put(names[i], Double.parseDouble(values[i]));
            } catch (NumberFormatException e) {
                // "-" for an absent space
            }
        }
        if (!m.containsKey("EU") || !m.containsKey("OU") || !m.containsKey("YGC")) {
            return null;
        }
        double used = m.getOrDefault("S0U", 0.0) + m.getOrDefault("S1U", 0.0) + m.get("EU") + m.get("OU");
        return new GcSnapshot(Math.round(used), m.get("YGC").longValue(), m.getOrDefault("FGC", 0.0).longValue(),
                m.getOrDefault("YGCT", 0.0) + m.getOrDefault("FGCT", 0.0));
    }

    /** Forces a full GC in the server ({@code jcmd <pid> GC.run}), then reads its heap use in KiB; or -1. */
    long heapUsedAfterGcKiB() {
        if (pid < 0 || run(tool("jcmd"), String.valueOf(pid), "GC.run") == null) {
            return -1;
        }
        GcSnapshot s = gc();
        return s == null ? -1 : s.heapUsedKiB();
    }

    private static long cpuTicksOf(String proc) {
        try {
            String stat = Files.readString(Path.of("/proc", proc, "stat"));
            // "pid (comm) state ppid ..." - comm may hold spaces; fields 14 and 15 are utime and stime.
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return Long.parseLong(rest[14 - 3]) + Long.parseLong(rest[15 - 3]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private String tool(String name) {
        return binDir == null ? name : binDir.resolve(name).toString();
    }

    /** The bin directory of this JVM's JDK (holding jcmd and jstat), or null to use the PATH. */
    private static Path jdkBin() {
        Path home = Path.of(System.getProperty("java.home"), "bin");
        if (Files.isExecutable(home.resolve("jcmd"))) {
            return home;
        }
        return ProcessHandle.current().info().command()
                .map(java -> Path.of(java).getParent())
                .filter(bin -> bin != null && Files.isExecutable(bin.resolve("jcmd")))
                .orElse(null);
    }

    private static long clockTicks() {
        String out = run("getconf", "CLK_TCK");
        try {
            return out == null ? 100 : Long.parseLong(out.trim());
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    /** Runs a command, returns its stdout if it exited 0 within 60 s, else null (and says why on stderr). */
    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                System.err.println("timed out: " + String.join(" ", command));
                return null;
            }
            if (p.exitValue() != 0) {
                System.err.println("exit " + p.exitValue() + ": " + String.join(" ", command));
                return null;
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("could not run " + String.join(" ", command) + ": " + e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
