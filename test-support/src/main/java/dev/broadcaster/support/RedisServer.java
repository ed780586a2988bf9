package dev.broadcaster.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code redis-server} (Debian's package, which {@code scripts/install-redis-server} installs) on a free
 * loopback port, without persistence, that a test can kill and start again on the same port. Its output goes to
 * {@code target/cluster-logs/redis-<port>.log} (relative to the working directory: the module's, under Maven).
 */
public final class RedisServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final int port;
    private final boolean tls;
    private final List<String> extraArguments;
    private final Path log;
    private Process process;

    private RedisServer(int port, boolean tls, List<String> extraArguments) {
        this.port = port;
        this.tls = tls;
        this.extraArguments = extraArguments;
        this.log = Path.of("target", "cluster-logs", "redis-" + port + ".log");
    }

    /** Starts a server; {@code extraArguments} are more {@code redis-server} options, e.g. {@code --requirepass pw}. */
    public static RedisServer start(String... extraArguments) {
        RedisServer redis = new RedisServer(freePort(), false, List.of(extraArguments));
        redis.startAgain();
        return redis;
    }

    /**
     * Starts a server that speaks TLS only, with this certificate chain and key (PEM files); clients need not
     * present a certificate of their own.
     */
    public static RedisServer startTls(Path certificate, Path key, Path ca) {
        RedisServer redis = new RedisServer(freePort(), true, List.of("--tls-cert-file", certificate.toString(),
                "--tls-key-file", key.toString(), "--tls-ca-cert-file", ca.toString(), "--tls-auth-clients", "no"));
        redis.startAgain();
        return redis;
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>} ({@code rediss://} for a TLS server). */
    public String uri() {
        return (tls ? "rediss" : "redis") + "://127.0.0.1:" + port;
    }

    /** Where the server writes its log. */
    public Path log() {
        return log;
    }

    /** Starts the server (again, on the same port) and waits until it accepts connections. */
    public void startAgain() {
        try {
            Files.createDirectories(log.getParent());
            List<String> command = new ArrayList<>(List.of(executable(), "--port", tls ? "0" : Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"));
            if (tls) {
                command.addAll(List.of("--tls-port", Integer.toString(port)));
            }
            command.addAll(extraArguments);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited; see " + log.toAbsolutePath());
            }
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                pause();
            }
        }
        throw new IllegalStateException("redis-server did not accept connections within " + START_TIMEOUT.toSeconds()
                + " s; see " + log.toAbsolutePath());
    }

    /** Stops the server at once (SIGKILL): every client connection breaks, and its data is gone. */
    public void stop() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            stop();
        }
    }

    private static String executable() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(dir, "redis-server");
            if (candidate.canExecute()) {
                return candidate.getPath();
            }
        }
        if (new File("/usr/bin/redis-server").canExecute()) {
            return "/usr/bin/redis-server";
        }
        throw new IllegalStateException("redis-server not found: install Debian's redis-server package"
                + " (scripts/install-redis-server does)");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50); // polling interval of the deadline-bound wait for the port to accept
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
