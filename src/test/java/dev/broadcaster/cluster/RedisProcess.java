package dev.broadcaster.cluster;

import dev.broadcaster.support.RedisServer;
import java.nio.file.Path;
import redis.clients.jedis.Jedis;

/**
 * The cluster tests' Redis: a real {@code redis-server} of the test support ({@link RedisServer}), with a Jedis
 * connection of the test's own to look at or tamper with its keys. Public for the engine's own tests in
 * {@code dev.broadcaster.cluster.redis}.
 */
public final class RedisProcess implements AutoCloseable {

    private final RedisServer server;

    private RedisProcess(RedisServer server) {
        this.server = server;
    }

    /** Starts a server; {@code extraArguments} are more {@code redis-server} options, e.g. {@code --requirepass pw}. */
    public static RedisProcess start(String... extraArguments) {
        return new RedisProcess(RedisServer.start(extraArguments));
    }

    /** Starts a server that speaks TLS only (see {@link RedisServer#startTls}). */
    static RedisProcess startTls(Path certificate, Path key, Path ca) {
        return new RedisProcess(RedisServer.startTls(certificate, key, ca));
    }

    public int port() {
        return server.port();
    }

    public String uri() {
        return server.uri();
    }

    /** A connection of the test's own to this server (no password, no TLS), to look at or tamper with its keys. */
    Jedis jedis() {
        return new Jedis("127.0.0.1", port());
    }

    /** Starts the server again, on the same port. */
    void startAgain() {
        server.startAgain();
    }

    /** Stops the server at once (SIGKILL): every client connection breaks, and its data is gone. */
    void stop() {
        server.stop();
    }

    @Override
    public void close() {
        server.close();
    }
}
