package dev.broadcaster.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real {@code redis-server} (Debian's package; {@code .ci/run} installs it) on a free loopback port, without
 * persistence, that a test can stop and start again on the same port. Its log goes to
 * {@code target/cluster-logs/redis-<port>.log}. Public for the engine's own tests in {@code dev.broadcaster.cluster.redis}.
 */
public final class RedisProcess implements AutoCloseable {

    private final int port;
    private final boolean tls;
    private final List<String> extraArguments;
    private final Path log;
    private Process process;

    private RedisProcess(int port, boolean tls, List<String> extraArguments) {
        this.port = port;
        this.tls = tls;
        this.extraArguments = extraArguments;
        this.log = Path.of("target", "cluster-logs", "redis-" + port + ".log");
    }

    /** Starts a server; {@code extraArguments} are more {@code redis-server} options, e.g. {@code --requirepass pw}. */
    public static RedisProcess start(String... extraArguments) {
        RedisProcess redis = new RedisProcess(freePort(), false, List.of(extraArguments));
        redis.startAgain();
        return redis;
    }

    /**
     * Starts a server that speaks TLS only, with this certificate chain and key (PEM files); clients need not
     * present a certificate of their own.
     */
    static RedisProcess startTls(Path certificate, Path key, Path ca) {
        RedisProcess redis = new RedisProcess(freePort(), true, List.of("--tls-cert-file", certificate.toString(),
                "--tls-key-file", key.toString(), "--tls-ca-cert-file", ca.toString(), "--tls-auth-clients", "no"));
        redis.startAgain();
        return redis;
    }

    int port() {
        return port;
    }

    public String uri() {
        return (tls ? "rediss" : "redis") + "://127.0.0.1:" + port;
    }

    /** A connection of the test's own to this server (no password, no TLS), to look at or tamper with its keys. */
    redis.clients.jedis.Jedis jedis() {
        return new redis.clients.jedis.Jedis("127.0.0.1", port);
    }

    /** Starts the server (again, on the same port) and waits until it accepts connections. */
    void startAgain() {
        try {
            Files.createDirectories(log.getParent());
            List<String> command = new java.util.ArrayList<>(List.of(executable(), "--port", tls ? "0" : Integer.toString(port),
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
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited; see " + log);
            }
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                pause();
            }
        }
        throw new IllegalStateException("redis-server did not accept connections within 20 s; see " + log);
    }

    /** Stops the server at once (SIGKILL): every client connection breaks, and its data is gone. */
    void stop() {
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
            for (String candidate : List.of(dir + "/redis-server")) {
                if (new File(candidate).canExecute()) {
                    return candidate;
                }
            }
        }
        if (new File("/usr/bin/redis-server").canExecute()) {
            return "/usr/bin/redis-server";
        }
        throw new IllegalStateException("redis-server not found: install Debian's redis-server package"
                + " (.ci/run does)");
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
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
