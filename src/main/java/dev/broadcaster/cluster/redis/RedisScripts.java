package dev.broadcaster.cluster.redis;

/**
 * The Lua scripts the engine runs in Redis. Each runs atomically, so a publish's stream entry and its bus
 * message have the same order on every channel, and a node's registrations never half-exist. They build
 * key names from the prefix passed in: meant for a standalone Redis (or one behind Sentinel), not Redis
 * Cluster.
 */
final class RedisScripts {

    private RedisScripts() {
    }

    /**
     * KEYS: stream, bus. ARGV: history size, event body, message head, message tail, retention ms.
     * Appends the event to the channel's stream (trimmed to the history size), publishes head + id + tail.
     */
    static final String PUBLISH = """
            local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '*', 'e', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            redis.call('PUBLISH', KEYS[2], ARGV[3] .. id .. ARGV[4])
            return id
            """;

    /** KEYS: stream, bus. ARGV: kill message. Forgets the channel's history and tells every node. */
    static final String KILL = """
            redis.call('DEL', KEYS[1])
            redis.call('PUBLISH', KEYS[2], ARGV[1])
            return 1
            """;

    /**
     * KEYS: stream, bus. ARGV: {@code R} message, history size. Marks a gap in the channel's stream (an entry with
     * the field {@code g}: a replay that crosses it cannot be whole, so the client resyncs) if it has one, and
     * tells every node.
     */
    static final String MISSED = """
            redis.call('XADD', KEYS[1], 'NOMKSTREAM', 'MAXLEN', ARGV[2], '*', 'g', '1')
            redis.call('PUBLISH', KEYS[2], ARGV[1])
            return 1
            """;

    /** KEYS: bus. ARGV: message. Publishes one bus message (send, disconnect). */
    static final String BUS = """
            redis.call('PUBLISH', KEYS[1], ARGV[1])
            return 1
            """;

    /**
     * KEYS: channel's connections hash, connection index hash, node's set, channels set, bus.
     * ARGV: connection id, "node TAB user TAB connected-at-ms", channel, presence message.
     */
    static final String JOIN = """
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
            redis.call('SADD', KEYS[3], ARGV[3] .. '\\t' .. ARGV[1])
            redis.call('SADD', KEYS[4], ARGV[3])
            redis.call('PUBLISH', KEYS[5], ARGV[4])
            return 1
            """;

    /** As {@link #JOIN}, undone; the channel leaves the channels set with its last connection. */
    static final String LEAVE = """
            redis.call('HDEL', KEYS[1], ARGV[1])
            redis.call('HDEL', KEYS[2], ARGV[1])
            redis.call('SREM', KEYS[3], ARGV[3] .. '\\t' .. ARGV[1])
            if redis.call('HLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[4], ARGV[3]) end
            redis.call('PUBLISH', KEYS[5], ARGV[4])
            return 1
            """;

    /**
     * KEYS: nodes sorted set. ARGV: node id, timeout ms. Marks the node alive until Redis's clock + timeout;
     * returns 1 if the node was not known (first beat, Redis restarted, or the node had been given up).
     */
    static final String BEAT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            return redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            """;

    /**
     * KEYS: nodes sorted set, channels set, connection index hash, bus. ARGV: key prefix.
     * Removes every node whose beat expired, with all its connections, and publishes a presence change for
     * each channel that had some; returns how many nodes were removed.
     */
    static final String REAP = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
            for _, node in ipairs(dead) do
              local nodeKey = ARGV[1] .. ':node:' .. node
              local touched = {}
              for _, member in ipairs(redis.call('SMEMBERS', nodeKey)) do
                local tab = string.find(member, '\\t', 1, true)
                local channel = string.sub(member, 1, tab - 1)
                local connection = string.sub(member, tab + 1)
                local channelKey = ARGV[1] .. ':ch:' .. channel
                redis.call('HDEL', channelKey, connection)
                redis.call('HDEL', KEYS[3], connection)
                if redis.call('HLEN', channelKey) == 0 then redis.call('SREM', KEYS[2], channel) end
                touched[channel] = true
              end
              redis.call('DEL', nodeKey)
              redis.call('ZREM', KEYS[1], node)
              for channel, _ in pairs(touched) do
                redis.call('PUBLISH', KEYS[4], 'P\\t' .. node .. '\\t' .. channel)
              end
            end
            return #dead
            """;
}
