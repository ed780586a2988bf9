package dev.broadcaster.cluster;

import dev.broadcaster.support.ChaosProxy;
import dev.broadcaster.support.HttpCalls;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A real Redis and broadcaster nodes in their own JVMs, joined through it; what the cluster tests drive over HTTP. */
final class Cluster implements AutoCloseable {

    /** Heartbeat of the test nodes: presence of a dead node must be gone within two of these. */
    static final String HEARTBEAT = "1s";

    final RedisProcess redis;
    final List<NodeProcess> nodes = new ArrayList<>();
    /** Each node's path to Redis, when the nodes reach it through {@link ChaosProxy proxies}; else empty. */
    final List<ChaosProxy> proxies = new ArrayList<>();

    private Cluster(RedisProcess redis) {
        this.redis = redis;
    }

    /** Starts Redis and {@code count} nodes named a, b, c... */
    static Cluster start(String name, int count, Map<String, String> extraSettings) {
        return start(name, count, extraSettings, RedisProcess.start());
    }

    /** Starts {@code count} nodes on {@code redis} (URI and all from {@code extraSettings} if given there). */
    static Cluster start(String name, int count, Map<String, String> extraSettings, RedisProcess redis) {
        return start(name, count, extraSettings, redis, List.of(), false);
    }

    /** As {@link #start(String, int, Map, RedisProcess)}, with more options for each node's JVM. */
    static Cluster start(String name, int count, Map<String, String> extraSettings, RedisProcess redis,
                         List<String> jvmOptions) {
        return start(name, count, extraSettings, redis, jvmOptions, false);
    }

    /** Starts Redis and {@code count} nodes that reach it each through its own {@link ChaosProxy}. */
    static Cluster startBehindProxies(String name, int count, Map<String, String> extraSettings) {
        return start(name, count, extraSettings, RedisProcess.start(), List.of(), true);
    }

    private static Cluster start(String name, int count, Map<String, String> extraSettings, RedisProcess redis,
                                 List<String> jvmOptions, boolean proxied) {
        Cluster cluster = new Cluster(redis);
        try {
            for (int i = 0; i < count; i++) {
                String uri = cluster.redis.uri();
                if (proxied) {
                    ChaosProxy proxy = ChaosProxy.start("127.0.0.1", redis.port());
                    cluster.proxies.add(proxy);
                    uri = "redis://127.0.0.1:" + proxy.port();
                }
                Map<String, String> settings = new LinkedHashMap<>(Map.of(
                        "broadcaster.cluster.engine", "redis",
                        "broadcaster.cluster.redis.uri", uri,
                        "broadcaster.heartbeat-interval", HEARTBEAT,
                        "broadcaster.history-size", "50"));
                settings.putAll(extraSettings);
                cluster.nodes.add(NodeProcess.start(name + "-" + (char) ('a' + i), settings, jvmOptions));
            }
            for (NodeProcess node : cluster.nodes) {
                dev.broadcaster.support.Eventually.equalTo(true, () -> ready(node), node + " ready");
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    NodeProcess node(int index) {
        return nodes.get(index);
    }

    static URI stream(NodeProcess node, String channel) {
        return node.uri("sse/channels/" + channel);
    }

    /** Fires {@code Broadcast} on {@code node} (an unnamed event with this data). */
    static void broadcast(NodeProcess node, String channel, String data) {
        HttpResponse<String> response = HttpCalls.postJson(node.uri("control/broadcast/" + channel), "alice", data);
        if (response.statusCode() != 204) {
            throw new AssertionError("broadcast on " + node + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    static String text(NodeProcess node, String path) {
        HttpResponse<String> response = HttpCalls.get(node.uri(path), "alice");
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + " on " + node + " answered " + response.statusCode());
        }
        return response.body();
    }

    /** The MicroProfile Health readiness status of the broadcaster on {@code node}. */
    static boolean ready(NodeProcess node) {
        return text(node, "control/ready").startsWith("UP");
    }

    /** The path of node {@code index} to Redis. */
    ChaosProxy proxy(int index) {
        return proxies.get(index);
    }

    /** What {@code node}'s readiness data counts as refused from the backplane ({@code clusterRejected}). */
    static long rejected(NodeProcess node) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("clusterRejected=(\\d+)")
                .matcher(text(node, "control/ready"));
        if (!matcher.find()) {
            throw new AssertionError("no clusterRejected in the readiness data of " + node);
        }
        return Long.parseLong(matcher.group(1));
    }

    @Override
    public void close() {
        nodes.forEach(NodeProcess::close);
        proxies.forEach(ChaosProxy::close);
        redis.close();
    }
}
