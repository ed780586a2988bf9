package dev.broadcaster.rooms.cluster;

import dev.broadcaster.support.HttpCalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One application server running the example's WAR, started by the test as a process of its own with the cluster's
 * configuration in its environment, and stopped (SIGTERM) or killed (SIGKILL) by it. Subclasses say how the server
 * is launched and which process is its JVM.
 *
 * <p><b>Threads.</b> Used from the test's thread only; the server's output goes to a file ({@link #log}).
 */
abstract class AppServer implements AutoCloseable {

    /** How long a server may take to start and deploy the example (Payara Micro on a loaded 2-core machine). */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    /**
     * JVM options of the servers: the C1 compiler only and the serial collector, which halve the CPU a start costs on a
     * small machine (two servers start at once on 2 cores); these tests need behaviour, not peak throughput.
     */
    static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private final String name;
    private final int httpPort;
    private final Path log;
    private Process launcher;

    AppServer(String name, int httpPort, Path logs) {
        this.name = name;
        this.httpPort = httpPort;
        this.log = logs.resolve(name + ".log");
    }

    /** The command that runs the server in the foreground. */
    abstract List<String> command();

    /** The server's JVM: {@code launcher} itself, or the process it started. */
    abstract Optional<ProcessHandle> jvm(Process launcher);

    /** Where to look when the server misbehaves (its own logs), besides {@link #log}. */
    abstract String logsHint();

    /** Environment variables the server needs besides the cluster's; none by default. */
    Map<String, String> environment() {
        return Map.of();
    }

    /** Prepares a fresh start (before the server is launched); nothing by default. */
    void prepare() throws IOException {
    }

    String name() {
        return name;
    }

    /** {@code path} on the example (context root {@code /rooms}) on this server. */
    URI uri(String path) {
        return URI.create("http://localhost:" + httpPort + "/rooms/" + path);
    }

    /** Launches the server with {@code environment} added to the test's own; returns without waiting for it. */
    void start(Map<String, String> environment) {
        try (ServerSocket probe = new ServerSocket(httpPort)) {
            probe.setReuseAddress(true);
        } catch (IOException e) {
            throw new IllegalStateException(name + ": port " + httpPort + " is in use (a server left over from an"
                    + " earlier run? another checkout's? pass other ports, see pom.xml, profile cluster)", e);
        }
        try {
            Files.createDirectories(log.getParent());
            prepare();
            ProcessBuilder builder = new ProcessBuilder(command()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            builder.environment().putAll(environment());
            builder.environment().putAll(environment);
            launcher = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the example answers and the library's readiness check is UP with the cluster connected: the
     * configuration reached the library through the environment, and the node is on Redis.
     */
    void awaitReady() {
        URI ready = URI.create("http://localhost:" + httpPort + "/health/ready");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!launcher.isAlive()) {
                throw new AssertionError(name + " exited with " + launcher.exitValue() + " while starting: "
                        + tail() + "\n" + logsHint());
            }
            try {
                HttpResponse<String> health = HttpCalls.get(ready, null);
                last = health.statusCode() + " " + health.body();
                if (health.statusCode() == 200 && health.body().contains("\"cluster\":\"connected\"")
                        && HttpCalls.get(uri("sse/status"), "alice").statusCode() == 200) {
                    return;
                }
            } catch (UncheckedIOException e) {
                last = e.getCause().toString();
            }
            pause(Duration.ofMillis(250));
        }
        throw new AssertionError(name + " not ready with its cluster connected within " + START_TIMEOUT.toSeconds()
                + " s; last readiness answer: " + last + "\n" + tail() + "\n" + logsHint());
    }

    /** The CPU time the server's JVM has used so far (a figure that does not depend on the machine's load). */
    Duration cpuTime() {
        return requireJvm().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** Kills the server's JVM with SIGKILL and waits until it is gone. */
    void kill() {
        ProcessHandle jvm = requireJvm();
        jvm.destroyForcibly();
        awaitExit(jvm, STOP_TIMEOUT);
    }

    /** The server's JVM, which must be running. */
    ProcessHandle requireJvm() {
        return jvm(launcher).filter(ProcessHandle::isAlive)
                .orElseThrow(() -> new AssertionError(name + ": its JVM is not running"));
    }

    /** Stops the server as an operator's {@code kill} (SIGTERM) would, if it still runs; SIGKILL after a minute. */
    @Override
    public void close() {
        if (launcher == null) {
            return;
        }
        jvm(launcher).filter(ProcessHandle::isAlive).ifPresent(jvm -> {
            jvm.destroy();
            try {
                jvm.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                jvm.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                jvm.destroyForcibly();
            }
        });
        launcher.destroy();
        try {
            if (!launcher.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                launcher.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            launcher.destroyForcibly();
        }
    }

    private static void awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("process " + process.pid() + " still running after " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    /** The end of the server's output. */
    String tail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return "last output of " + name + " (" + log.toAbsolutePath() + "):\n"
                    + (text.length() > 3000 ? "…" + text.substring(text.length() - 3000) : text);
        } catch (IOException e) {
            return "no output of " + name + " (" + e + ")";
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis()); // polling interval of a deadline-bound wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public String toString() {
        return name + " (port " + httpPort + ")";
    }
}
