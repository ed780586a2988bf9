package dev.broadcaster.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.SseStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code rediss://}: the nodes reach a Redis that speaks TLS only, check its certificate against the JVM's trust
 * store and its name against the URI's host, and refuse a server that fails either.
 */
class RedisTlsClusterTest {

    @Test
    void twoNodesWorkOverTlsAndRefuseAServerTheyCannotTrust() {
        TestCertificates certificates = TestCertificates.authority();
        Path[] server = certificates.server("redis-loopback", "ip:127.0.0.1,dns:localhost");
        try (RedisProcess redis = RedisProcess.startTls(server[0], server[1], certificates.caPem());
             Cluster cluster = Cluster.start("tls", 2, Map.of("broadcaster.cluster.secret", "a secret for the tls test"),
                     redis, certificates.trustingJvmOptions())) {
            String lastId;
            try (SseStream bobOnA = SseStream.connect(Cluster.stream(cluster.node(0), "secure"), "bob");
                 SseStream carolOnB = SseStream.connect(Cluster.stream(cluster.node(1), "secure"), "carol")) {
                Eventually.equalTo("bob,carol", () -> Cluster.text(cluster.node(0), "control/users/secure"),
                        "presence across nodes");
                Cluster.broadcast(cluster.node(1), "secure", "one");
                lastId = bobOnA.awaitData("one").lastEventId();
                carolOnB.awaitData("one");
                Cluster.broadcast(cluster.node(0), "secure", "two");
                carolOnB.awaitData("two");
            }
            try (SseStream late = SseStream.connect(Cluster.stream(cluster.node(1), "secure"), "bob", lastId)) {
                late.awaitData("two");
                assertEquals(List.of("two"), late.events().stream().map(EventStreamParser.Event::data).toList());
            }

            // the same server, reached by a node that does not trust its authority
            try (NodeProcess untrusting = NodeProcess.start("tls-untrusting", settings(redis.uri()))) {
                Eventually.equalTo(true, () -> untrusting.log().contains("SSLHandshakeException"),
                        "the handshake refused");
                assertFalse(Cluster.ready(untrusting), "not ready without a trusted Redis");
            }
        }
        // a server whose certificate names another host
        Path[] elsewhere = certificates.server("redis-elsewhere", "dns:redis.example.org");
        try (RedisProcess redis = RedisProcess.startTls(elsewhere[0], elsewhere[1], certificates.caPem());
             NodeProcess node = NodeProcess.start("tls-wrong-name", settings(redis.uri()),
                     certificates.trustingJvmOptions())) {
            Eventually.equalTo(true, () -> node.log().contains("No subject alternative names matching IP address"
                    + " 127.0.0.1"), "the server's name checked against the URI's host");
            assertFalse(Cluster.ready(node), "not ready with a Redis of another name");
        }
    }

    private static Map<String, String> settings(String uri) {
        return Map.of("broadcaster.cluster.engine", "redis", "broadcaster.cluster.redis.uri", uri,
                "broadcaster.heartbeat-interval", Cluster.HEARTBEAT);
    }
}
