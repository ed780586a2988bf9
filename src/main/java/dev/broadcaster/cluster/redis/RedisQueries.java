package dev.broadcaster.cluster.redis;

import dev.broadcaster.cluster.ClusterEngine;

import dev.broadcaster.ChannelInfo;
import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.cluster.ClusterEngine.IdentifiedEvent;
import dev.broadcaster.cluster.ClusterEngine.Replay;
import dev.broadcaster.cluster.ClusterUnavailableException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Pattern;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.resps.StreamEntry;

/**
 * What the engine reads from Redis on the caller's thread, over a few connections of its own
 * ({@link QueryConnections}, so a slow query holds no other back): replays, the cluster's channels and connections,
 * and how many channels there are. Fails with {@link ClusterUnavailableException} while the backplane is down (at
 * once, without asking Redis) or when Redis does not answer.
 */
final class RedisQueries {

    private static final Pattern STREAM_ID = Pattern.compile("\\d{1,19}-\\d{1,19}");

    private final RedisKeys keys;
    private final int historySize;
    private final BooleanSupplier up;
    private final EntryCheck check;
    private final QueryConnections connections;

    RedisQueries(URI uri, JedisClientConfig config, RedisKeys keys, int historySize, BooleanSupplier up,
                 EntryCheck check) {
        this.keys = keys;
        this.historySize = historySize;
        this.up = up;
        this.check = check;
        // a query waits for a busy connection no longer than Redis may take to answer one
        this.connections = new QueryConnections(() -> new Jedis(uri, config), config.getSocketTimeoutMillis());
    }

    Optional<Replay> replay(String channel, String lastEventId) {
        if (!STREAM_ID.matcher(lastEventId).matches()) {
            return Optional.empty();
        }
        List<StreamEntry> entries;
        if (ClusterEngine.BEGINNING.equals(lastEventId)) {
            // the channel had no event when the client started: all it has now, if the stream kept them all (it is
            // trimmed to historySize entries, so fewer means none was trimmed)
            entries = query(redis -> redis.xrange(keys.stream(channel), "-", "+", historySize));
            if (entries.size() >= historySize) {
                return Optional.empty();
            }
        } else {
            List<StreamEntry> after = query(redis -> redis.xrange(keys.stream(channel), lastEventId, "+",
                    historySize + 1));
            if (after.isEmpty() || !after.get(0).getID().toString().equals(lastEventId)) {
                return Optional.empty(); // the client's last event is no longer kept: what followed may not be either
            }
            entries = after.subList(1, after.size());
        }
        List<IdentifiedEvent> events = new ArrayList<>(entries.size());
        for (StreamEntry entry : entries) {
            if (gap(entry)) {
                return Optional.empty(); // a node published events only its own clients got after it: resync
            }
            IdentifiedEvent event = check.event(channel, entry);
            if (event == null) {
                return Optional.empty(); // not an event a node stored: no replay across it, the client resyncs
            }
            events.add(event);
        }
        return Optional.of(new Replay(RedisEngine.position(lastEventId), events));
    }

    /** The latest events of the channel, without what no node stored (skipped: history promises no completeness). */
    Replay latest(String channel, int count) {
        List<StreamEntry> oldestFirst = new ArrayList<>(query(redis -> redis.xrevrange(keys.stream(channel), "+", "-",
                count)));
        Collections.reverse(oldestFirst);
        List<IdentifiedEvent> events = new ArrayList<>(oldestFirst.size());
        for (StreamEntry entry : oldestFirst) {
            if (gap(entry)) {
                continue;
            }
            IdentifiedEvent event = check.event(channel, entry);
            if (event != null) {
                events.add(event);
            }
        }
        return new Replay(events.isEmpty() ? 0 : events.get(0).position() - 1, events);
    }

    List<ConnectionInfo> connections(String channel) {
        return connectionsOf(channel, query(redis -> redis.hgetAll(keys.channel(channel))));
    }

    List<ChannelInfo> channels() {
        return query(redis -> {
            List<String> names = new ArrayList<>(redis.smembers(keys.channels()));
            names.sort(Comparator.naturalOrder());
            List<ChannelInfo> result = new ArrayList<>();
            for (String name : names) {
                List<ConnectionInfo> connections = connectionsOf(name, redis.hgetAll(keys.channel(name)));
                if (!connections.isEmpty()) {
                    long users = connections.stream().map(ConnectionInfo::user).distinct().count();
                    result.add(new ChannelInfo(name, connections.size(), (int) users));
                }
            }
            return result;
        });
    }

    Optional<ConnectionInfo> connection(String connectionId) {
        return query(redis -> {
            String channel = redis.hget(keys.connections(), connectionId);
            if (channel == null) {
                return Optional.empty();
            }
            String value = redis.hget(keys.channel(channel), connectionId);
            return value == null ? Optional.empty() : Optional.of(connectionInfo(connectionId, channel, value));
        });
    }

    /**
     * How many channels have a connection on a live node, together with {@code alsoListed} (channels that may have
     * none), each counted once: two commands in one round trip whatever the number of channels.
     */
    int channelCount(Set<String> alsoListed) {
        return query(redis -> {
            if (alsoListed.isEmpty()) {
                return (int) redis.scard(keys.channels());
            }
            Pipeline pipeline = redis.pipelined();
            Response<Long> known = pipeline.scard(keys.channels());
            Response<List<Boolean>> listed = pipeline.smismember(keys.channels(), alsoListed.toArray(String[]::new));
            pipeline.sync();
            return (int) (known.get() + listed.get().stream().filter(member -> !member).count());
        });
    }

    void close() {
        connections.close();
    }

    /** Connections open now (lent or idle). */
    int connectionsOpen() {
        return connections.size();
    }

    /** Runs {@code call} on a query connection; package-private for the tests, which make a query slow. */
    <T> T query(Function<Jedis, T> call) {
        if (!up.getAsBoolean()) {
            throw new ClusterUnavailableException("Redis backplane not available", null);
        }
        try {
            return connections.use(call);
        } catch (ClusterUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ClusterUnavailableException("Redis backplane query failed: " + e.getMessage(), e);
        }
    }

    /**
     * Whether {@code entry} marks a gap (field {@code g}, written by the {@code MISSED} script): a node cut off from
     * Redis published events then that only its own clients got, and that are not in the stream.
     */
    static boolean gap(StreamEntry entry) {
        return entry.getFields() != null && entry.getFields().containsKey("g") && !entry.getFields().containsKey("e");
    }

    /**
     * Reads stream entries as events: only those a node stored (field {@code e}, an event body, and with a secret
     * the signature {@code s} of channel and body); any other is counted and logged as refused.
     */
    record EntryCheck(Signatures signatures, Rejections rejections) {

        /** The event {@code entry} of {@code channel} holds; null if it is not one a node stored. */
        IdentifiedEvent event(String channel, StreamEntry entry) {
            String id = entry.getID().toString();
            Map<String, String> fields = entry.getFields();
            String body = fields == null ? null : fields.get("e");
            if (body == null) {
                rejections.reject("stream entry", "no event in entry " + id + " of channel " + channel,
                        String.valueOf(fields));
                return null;
            }
            if (!signatures.entryValid(channel, body, fields.get("s"))) {
                rejections.reject("stream entry", (fields.get("s") == null ? "not signed" : "bad signature")
                        + ": entry " + id + " of channel " + channel, body);
                return null;
            }
            try {
                return new IdentifiedEvent(id, RedisEngine.position(id), BusMessage.event(body, id));
            } catch (RuntimeException e) {
                rejections.reject("stream entry", "not an event: entry " + id + " of channel " + channel, body);
                return null;
            }
        }
    }

    private static List<ConnectionInfo> connectionsOf(String channel, Map<String, String> entries) {
        List<ConnectionInfo> connections = new ArrayList<>(entries.size());
        entries.forEach((id, value) -> connections.add(connectionInfo(id, channel, value)));
        connections.sort(Comparator.comparing(ConnectionInfo::connectedAt).thenComparing(ConnectionInfo::id));
        return connections;
    }

    private static ConnectionInfo connectionInfo(String id, String channel, String value) {
        String[] parts = value.split("\t", 3); // node, connected-at ms, user (which may hold a tab)
        return new ConnectionInfo(id, channel, parts[2], Instant.ofEpochMilli(Long.parseLong(parts[1])));
    }
}
