package dev.broadcaster.cluster.redis;

import java.util.List;

/**
 * The names of everything the engine keeps in Redis, all under one prefix:
 * {@code <prefix>:bus} (the pub/sub channel), {@code :stream:<channel>} (events), {@code :ch:<channel>}
 * (connections of a channel: id to "node TAB connected-at-ms TAB user"), {@code :conn} (connection id to
 * channel), {@code :node:<node>} (a node's "channel TAB connection" members), {@code :channels} and
 * {@code :nodes} (node to the Redis time its beat expires).
 */
record RedisKeys(String prefix) {

    String bus() {
        return key("bus");
    }

    String stream(String channel) {
        return key("stream:" + channel);
    }

    String channel(String channel) {
        return key("ch:" + channel);
    }

    String connections() {
        return key("conn");
    }

    String channels() {
        return key("channels");
    }

    String nodes() {
        return key("nodes");
    }

    String idle() {
        return key("idle");
    }

    /** The keys of the {@code PUBLISH} script. */
    List<String> publish(String channel) {
        return List.of(stream(channel), bus(), channel(channel), idle());
    }

    /** The keys of the {@code KILL} script. */
    List<String> kill(String channel) {
        return List.of(stream(channel), bus(), idle());
    }

    /** The keys of the {@code JOIN} and {@code LEAVE} scripts. */
    List<String> registration(String channel, String node) {
        return List.of(channel(channel), connections(), key("node:" + node), channels(), bus(), stream(channel), idle());
    }

    /** The keys of the {@code REAP} script, which builds the others from the prefix. */
    List<String> reap() {
        return List.of(nodes(), channels(), connections(), idle());
    }

    private String key(String name) {
        return prefix + ":" + name;
    }
}
