package dev.broadcaster.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.support.EventStreamParser;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The Redis ACL the README gives: a user limited to the engine's keys and channels ({@code <prefix>:*}) and the
 * commands the engine uses. Nodes logged in as that user do everything a cluster does, Redis denies them nothing
 * (its ACL log stays empty), and the user reaches nothing else.
 */
class RedisAclClusterTest {

    private static final String PREFIX = "rooms";
    private static final String USER = "broadcaster";
    private static final String PASSWORD = "engine-password-42";
    /** How Redis 7 words a denial: of a command or key, in a command or in a script. */
    private static final String DENIED = "(?s).*(NOPERM|[Nn]o permissions|can't run this command|can't access).*";

    /** The ACL of the README, for the prefix {@code rooms}. */
    static String acl(String prefix) {
        return "ACL SETUSER " + USER + " on >" + PASSWORD + " resetkeys ~" + prefix + ":* resetchannels &" + prefix
                + ":* -@all +ping +eval +publish +subscribe +unsubscribe +xadd +xrange +xrevrange +hget +hgetall +hset"
                + " +hdel +hlen +smembers +sadd +srem +smismember +scard +zadd +zrem +zrange +zrangebyscore"
                + " +zremrangebyscore +zcard"
                + " +zpopmin +pexpire +del +time";
    }

    @Test
    void nodesLoggedInAsTheLimitedUserWorkAndTheUserReachesNothingElse() {
        try (RedisProcess redis = RedisProcess.start()) {
            try (Jedis admin = redis.jedis()) {
                List<String> words = List.of(acl(PREFIX).split(" "));
                admin.sendCommand(() -> "ACL".getBytes(), words.subList(1, words.size()).toArray(new String[0]));
                admin.set("other-app:secret", "not yours");
            }
            String uri = "redis://" + USER + ":" + PASSWORD + "@127.0.0.1:" + redis.port();
            Cluster cluster = Cluster.start("acl", 2, Map.of("broadcaster.cluster.redis.uri", uri,
                    "broadcaster.cluster.prefix", PREFIX, "broadcaster.cluster.secret", "a secret for the acl test",
                    "broadcaster.cluster.max-idle-streams", "2"), redis);
            try {
                everythingACluster(cluster);
                cluster.nodes.forEach(NodeProcess::close); // leaving the cluster's view is checked too
                try (Jedis admin = redis.jedis()) {
                    assertEquals(List.of(), admin.aclLog(), "Redis denied the engine nothing");
                }
                try (Jedis engineUser = redis.jedis()) {
                    engineUser.auth(USER, PASSWORD);
                    assertEquals("PONG", engineUser.ping());
                    for (Runnable denied : List.<Runnable>of(() -> engineUser.get("other-app:secret"),
                            () -> engineUser.set("other-app:secret", "mine"), () -> engineUser.del("other-app:secret"),
                            () -> engineUser.publish("other-app:bus", "hello"), () -> engineUser.keys("*"),
                            () -> engineUser.flushAll(), () -> engineUser.configGet("*"),
                            () -> engineUser.eval("return redis.call('GET', 'other-app:secret')"),
                            () -> engineUser.eval("return redis.call('DEL', 'other-app:secret')"),
                            () -> engineUser.subscribe(new JedisPubSub() { }, "other-app:bus"))) {
                        JedisDataException error = assertThrows(JedisDataException.class, denied::run);
                        assertTrue(error.getMessage().matches(DENIED), error.getMessage());
                    }
                }
                try (Jedis admin = redis.jedis()) {
                    assertEquals("not yours", admin.get("other-app:secret"));
                }
            } finally {
                cluster.close();
            }
        }
    }

    /** Publish, presence, resume and history through Redis, send to one, disconnect, kill, idle streams, reaping. */
    private static void everythingACluster(Cluster cluster) {
        String channel = "lobby";
        for (NodeProcess node : cluster.nodes) {
            HttpCalls.postJson(node.uri("control/presence/" + channel), "alice", "");
        }
        try (SseStream bobOnA = SseStream.connect(Cluster.stream(cluster.node(0), channel), "bob");
             SseStream carolOnB = SseStream.connect(Cluster.stream(cluster.node(1), channel), "carol")) {
            bobOnA.awaitEvent(e -> "presence".equals(e.type()) && e.data().equals("bob,carol"), "presence");
            Cluster.broadcast(cluster.node(1), channel, "one");
            bobOnA.awaitData("one");
            assertEquals("true", HttpCalls.postJson(cluster.node(0).uri("control/send/" + carolOnB.connectionId()),
                    "alice", "for carol").body());
            carolOnB.awaitData("for carol");
            assertEquals(200, HttpCalls.delete(cluster.node(0).uri("sse/channels/" + channel + "/users/carol"), "alice")
                    .statusCode());
            carolOnB.awaitEnd();
        }
        Cluster.broadcast(cluster.node(0), channel, "two");
        for (int n = 1; n <= 3; n++) {
            Cluster.broadcast(cluster.node(0), "nobody-" + n, "idle"); // the third evicts the first
        }
        // a resume and a history on node b, which never had the channel: both read Redis
        String firstId;
        try (SseStream bobOnA = SseStream.connect(Cluster.stream(cluster.node(0), "resume"), "bob")) {
            Cluster.broadcast(cluster.node(0), "resume", "r1");
            Cluster.broadcast(cluster.node(0), "resume", "r2");
            firstId = bobOnA.awaitData("r1").lastEventId();
            bobOnA.awaitData("r2");
        }
        try (SseStream bobBack = SseStream.connect(Cluster.stream(cluster.node(1), "resume"), "bob", firstId)) {
            bobBack.awaitData("r2");
            assertEquals(List.of("r2"), bobBack.events().stream().map(EventStreamParser.Event::data).toList());
        }
        try (SseStream history = SseStream.connect(cluster.node(1).uri("sse/channels/resume?history=5"), "carol")) {
            history.awaitData("r2");
            assertEquals(List.of("r1", "r2"), history.events().stream().map(EventStreamParser.Event::data).toList());
        }
        try (SseStream dave = SseStream.connect(Cluster.stream(cluster.node(1), "doomed"), "dave")) {
            assertEquals(200, HttpCalls.delete(cluster.node(0).uri("sse/channels/doomed"), "alice").statusCode());
            dave.awaitEnd();
        }
        // a node that dies is reaped by the other
        SseStream carol = SseStream.connect(Cluster.stream(cluster.node(1), channel), "carol");
        Eventually.equalTo("carol", () -> Cluster.text(cluster.node(0), "control/users/" + channel), "carol listed");
        cluster.node(1).kill();
        carol.close();
        Eventually.equalTo("", () -> Cluster.text(cluster.node(0), "control/users/" + channel), "carol reaped");
    }
}
