package dev.broadcaster.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A broadcaster node ({@link ClusterNodeMain}) in its own JVM, with the tests' class path. Its output goes to
 * {@code target/cluster-logs/<name>.log}.
 */
final class NodeProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final URI base;

    private NodeProcess(String name, Process process, URI base) {
        this.name = name;
        this.process = process;
        this.base = base;
    }

    /** Starts a node with {@code settings} and waits (at most 60 s) until it serves. */
    static NodeProcess start(String name, Map<String, String> settings) {
        return start(name, settings, List.of());
    }

    /** As {@link #start(String, Map)}, with more options for the node's JVM (e.g. {@code -Djavax.net.ssl.trustStore=...}). */
    static NodeProcess start(String name, Map<String, String> settings, List<String> jvmOptions) {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, ClusterNodeMain.class.getName()));
        settings.forEach((key, value) -> command.add(key + "=" + value));
        Path log = Path.of("target", "cluster-logs", name + ".log");
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            CompletableFuture<URI> ready = new CompletableFuture<>();
            Thread pump = new Thread(() -> pump(process, log, ready), "node-output-" + name);
            pump.setDaemon(true);
            pump.start();
            URI base = ready.get(60, TimeUnit.SECONDS);
            return new NodeProcess(name, process, base);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("node " + name + " did not start; see " + log.toAbsolutePath(), e);
        }
    }

    private static void pump(Process process, Path log, CompletableFuture<URI> ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.write('\n');
                out.flush();
                if (line.startsWith("READY ")) {
                    ready.complete(URI.create(line.substring(6).trim()));
                }
            }
        } catch (IOException e) {
            // the node is gone
        } finally {
            ready.completeExceptionally(new IllegalStateException("node exited before it was ready"));
        }
    }

    String name() {
        return name;
    }

    /** The node's output so far. */
    String log() {
        try {
            return Files.readString(Path.of("target", "cluster-logs", name + ".log"));
        } catch (IOException e) {
            return "";
        }
    }

    URI uri(String path) {
        return base.resolve(path);
    }

    /**
     * The CPU time the node's threads whose name starts with {@code prefix} have used so far (user + system, in
     * clock ticks of 10 ms); Linux only, and only the first 15 characters of a name count
     * ({@code broadcaster-red} is the Redis engine's subscriber, writer and pinger).
     */
    java.time.Duration threadCpu(String prefix) {
        long ticks = 0;
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (name.startsWith(prefix.substring(0, Math.min(15, prefix.length())))) {
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return java.time.Duration.ofMillis(ticks * 10);
    }

    /** The CPU time the node's JVM has used so far (user + system, all its threads; Linux counts in 10 ms ticks). */
    java.time.Duration cpu() {
        return process.info().totalCpuDuration().orElseThrow(() -> new IllegalStateException(
                "the CPU time of " + name + " cannot be read on this platform"));
    }

    /** Kills the node's JVM with SIGKILL: nothing of it runs any more, nothing is cleaned up. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the node as a server stops: its input closes, the application shuts down. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        try {
            process.getOutputStream().close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return name + " " + base;
    }
}
