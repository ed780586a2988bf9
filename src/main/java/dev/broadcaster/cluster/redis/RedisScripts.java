package dev.broadcaster.cluster.redis;

import java.time.Duration;

/**
 * The Lua scripts the engine runs in Redis. Each runs atomically, so a publish's stream entry and its bus
 * message have the same order on every channel, and a node's registrations never half-exist. They build
 * key names from the prefix passed in: meant for a standalone Redis (or one behind Sentinel), not Redis
 * Cluster.
 *
 * <p>A channel's stream is kept {@link #RETENTION} (a day after its last event or join) while some node has a
 * connection on it. Once none has ("idle": a publish to a channel nobody is on, the last connection's leave, or
 * the reaping of a dead node that had the last ones), it is kept the idle retention only, and listed in the idle
 * set ({@code <prefix>:idle}, channel by the Redis time, in microseconds, it went idle or was last published to);
 * beyond the cap on idle streams, the least recent one is deleted. A join takes the stream out of the idle set and
 * keeps it a day again. A publish stores its event whether or not anyone is on the channel: a client whose join is
 * still on its way to Redis gets it live, and may resume from it on another node.
 */
final class RedisScripts {

    /** How long the stream of a channel with connections is kept after its last event or join. */
    static final Duration RETENTION = Duration.ofHours(24);

    private RedisScripts() {
    }

    /**
     * {@code idle(idleSet, prefix, channel, retentionMs, cap)}: the channel's stream (if it exists) is kept
     * {@code retentionMs} and goes (back) to the end of the idle set; idle set members older than the retention
     * leave it (their stream expired); past the cap, the least recent idle streams are deleted.
     */
    private static final String IDLE = """
            local function idle(idleSet, prefix, channel, retention, cap)
              if redis.call('PEXPIRE', prefix .. ':stream:' .. channel, retention) == 0 then
                return
              end
              local t = redis.call('TIME')
              local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
              local last = redis.call('ZRANGE', idleSet, -1, -1, 'WITHSCORES')
              if last[2] ~= nil and tonumber(last[2]) >= now then
                now = tonumber(last[2]) + 1
              end
              redis.call('ZADD', idleSet, string.format('%.0f', now), channel)
              redis.call('ZREMRANGEBYSCORE', idleSet, '-inf', '(' .. string.format('%.0f', now - tonumber(retention) * 1000))
              local excess = redis.call('ZCARD', idleSet) - tonumber(cap)
              if excess > 0 then
                local oldest = redis.call('ZPOPMIN', idleSet, excess)
                for i = 1, #oldest, 2 do
                  redis.call('DEL', prefix .. ':stream:' .. oldest[i])
                end
              end
            end
            """;

    /**
     * KEYS: stream, bus, channel's connections hash, idle set. ARGV: history size, event body, message head,
     * message tail, retention ms, entry signature (empty: none), idle retention ms, max idle streams, key prefix,
     * channel. Appends the event to the channel's stream (trimmed to the history size), keeps the stream a day if
     * the channel has connections and idle otherwise, and publishes head + id + tail.
     */
    static final String PUBLISH = IDLE + """
            local id
            if ARGV[6] == '' then
              id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '*', 'e', ARGV[2])
            else
              id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '*', 'e', ARGV[2], 's', ARGV[6])
            end
            if redis.call('HLEN', KEYS[3]) > 0 then
              redis.call('PEXPIRE', KEYS[1], ARGV[5])
            else
              idle(KEYS[4], ARGV[9], ARGV[10], ARGV[7], ARGV[8])
            end
            redis.call('PUBLISH', KEYS[2], ARGV[3] .. id .. ARGV[4])
            return id
            """;

    /** KEYS: stream, bus, idle set. ARGV: kill message, channel. Forgets the channel's history and tells every node. */
    static final String KILL = """
            redis.call('DEL', KEYS[1])
            redis.call('ZREM', KEYS[3], ARGV[2])
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
     * KEYS: channel's connections hash, connection index hash, node's set, channels set, bus, stream, idle set.
     * ARGV: connection id, "node TAB user TAB connected-at-ms", channel, presence message.
     * The channel's stream, if any, is no longer idle: kept a day.
     */
    static final String JOIN = """
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
            redis.call('SADD', KEYS[3], ARGV[3] .. '\\t' .. ARGV[1])
            redis.call('SADD', KEYS[4], ARGV[3])
            redis.call('PEXPIRE', KEYS[6], RETENTION_MS)
            redis.call('ZREM', KEYS[7], ARGV[3])
            redis.call('PUBLISH', KEYS[5], ARGV[4])
            return 1
            """.replace("RETENTION_MS", Long.toString(RETENTION.toMillis()));

    /**
     * As {@link #JOIN}, undone; the channel leaves the channels set with its last connection, and its stream goes
     * idle. ARGV as JOIN's, then idle retention ms, max idle streams, key prefix.
     */
    static final String LEAVE = IDLE + """
            redis.call('HDEL', KEYS[1], ARGV[1])
            redis.call('HDEL', KEYS[2], ARGV[1])
            redis.call('SREM', KEYS[3], ARGV[3] .. '\\t' .. ARGV[1])
            if redis.call('HLEN', KEYS[1]) == 0 then
              redis.call('SREM', KEYS[4], ARGV[3])
              idle(KEYS[7], ARGV[7], ARGV[3], ARGV[5], ARGV[6])
            end
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
     * KEYS: nodes sorted set, channels set, connection index hash, idle set. ARGV: key prefix, idle retention ms,
     * max idle streams. Removes every node whose beat expired, with all its connections (a channel left without
     * any goes idle); returns the channels that had some, whose presence changed (the caller announces it, signed).
     */
    static final String REAP = IDLE + """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
            local touched = {}
            local changed = {}
            for _, node in ipairs(dead) do
              local nodeKey = ARGV[1] .. ':node:' .. node
              for _, member in ipairs(redis.call('SMEMBERS', nodeKey)) do
                local tab = string.find(member, '\\t', 1, true)
                local channel = string.sub(member, 1, tab - 1)
                local connection = string.sub(member, tab + 1)
                local channelKey = ARGV[1] .. ':ch:' .. channel
                redis.call('HDEL', channelKey, connection)
                redis.call('HDEL', KEYS[3], connection)
                if redis.call('HLEN', channelKey) == 0 then
                  redis.call('SREM', KEYS[2], channel)
                  idle(KEYS[4], ARGV[1], channel, ARGV[2], ARGV[3])
                end
                if not touched[channel] then
                  touched[channel] = true
                  changed[#changed + 1] = channel
                end
              end
              redis.call('DEL', nodeKey)
              redis.call('ZREM', KEYS[1], node)
            end
            return changed
            """;
}
