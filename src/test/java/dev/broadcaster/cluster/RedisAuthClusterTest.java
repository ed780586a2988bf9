package dev.broadcaster.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.SseStream;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

/** A Redis with a password, and a database other than 0, both given in the URI only. */
class RedisAuthClusterTest {

    @Test
    void theUrisPasswordAndDatabaseAreUsed() {
        try (RedisProcess redis = RedisProcess.start("--requirepass", "s3cret");
             Cluster cluster = Cluster.start("auth", 2, Map.of("broadcaster.cluster.redis.uri",
                     "redis://:s3cret@127.0.0.1:" + redis.port() + "/3"), redis)) {
            try (SseStream bobOnB = SseStream.connect(Cluster.stream(cluster.node(1), "vault"), "bob")) {
                Cluster.broadcast(cluster.node(0), "vault", "across nodes");
                bobOnB.awaitData("across nodes");
            }
            try (Jedis jedis = new Jedis(URI.create("redis://:s3cret@127.0.0.1:" + redis.port()),
                    DefaultJedisClientConfig.builder().build())) {
                assertTrue(jedis.exists("broadcaster:stream:vault") == false, "nothing in database 0");
                jedis.select(3);
                assertEquals(1L, jedis.xlen("broadcaster:stream:vault"), "the channel's stream is in database 3");
            }
        }
    }
}
