package dev.broadcaster.internal;

import dev.broadcaster.RegistryStats;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON document the admin pages render: the registry's counters (always), and the listed channels with the
 * most connections first, each with its connections, distinct users (each with its number of tabs, in joining
 * order) and history size. It is capped so that it always fits an admin page's queue whatever the number of
 * channels and users: at most {@value #MAX_CHANNELS} channels and {@value #MAX_USERS} users per channel, and never
 * more than the byte budget it is given; {@code moreChannels} and {@code moreUsers} say how many are not shown.
 *
 * <pre>{@code
 * {"time":"2026-11-22T10:00:00Z","connections":3,"channelCount":1,"eventsPublished":12,"framesQueued":30,
 *  "evictions":0,"resyncs":0,"presenceRenders":4,"refusedConnections":0,"refusedChannels":0,
 *  "oversizedPresence":0,"conflatedEvents":0,"conflatedBytes":0,"moreChannels":0,
 *  "channels":[{"name":"lobby","connections":3,"users":2,"history":12,"moreUsers":0,
 *               "userTabs":[{"user":"bob","tabs":2},{"user":"carol","tabs":1}]}]}
 * }</pre>
 */
final class AdminSnapshot {

    /** Channels shown at most (the ones with the most connections). */
    static final int MAX_CHANNELS = 200;
    /** Users shown at most per channel (in joining order). */
    static final int MAX_USERS = 50;
    /** The largest snapshot, in bytes, whatever {@code broadcaster.queue-bytes} allows. */
    static final int MAX_BYTES = 256 * 1024;
    /** Room kept in the byte budget for the counters. */
    private static final int TOTALS_BYTES = 1024;

    private AdminSnapshot() {
    }

    /**
     * The snapshot of {@code stats} and {@code channels} (every listed one): the largest channels first, as many
     * as fit in {@code maxBytes} (and {@value #MAX_CHANNELS}).
     */
    static String json(RegistryStats stats, List<Channel> channels, int maxBytes) {
        List<Channel> largestFirst = channels.stream()
                .sorted(Comparator.comparingInt(Channel::size).reversed().thenComparing(Channel::name))
                .limit(MAX_CHANNELS)
                .toList();
        JsonArrayBuilder list = Json.createArrayBuilder();
        int budget = maxBytes - TOTALS_BYTES;
        int shown = 0;
        for (Channel channel : largestFirst) {
            JsonObject row = row(channel);
            int size = row.toString().getBytes(StandardCharsets.UTF_8).length + 1;
            if (size > budget) {
                break;
            }
            budget -= size;
            list.add(row);
            shown++;
        }
        return StatsJson.addFigures(Json.createObjectBuilder().add("time", Instant.now().toString()), stats)
                .add("channelCount", channels.size())
                .add("moreChannels", channels.size() - shown)
                .add("channels", list)
                .build().toString();
    }

    private static JsonObject row(Channel channel) {
        List<String> users = channel.users(); // one entry per connection
        Map<String, Integer> tabs = new LinkedHashMap<>();
        users.forEach(user -> tabs.merge(user, 1, Integer::sum));
        JsonArrayBuilder userTabs = Json.createArrayBuilder();
        tabs.entrySet().stream().limit(MAX_USERS).forEach(entry -> userTabs.add(Json.createObjectBuilder()
                .add("user", entry.getKey()).add("tabs", entry.getValue())));
        return Json.createObjectBuilder()
                .add("name", channel.name())
                .add("connections", users.size())
                .add("users", tabs.size())
                .add("history", channel.historySize())
                .add("moreUsers", Math.max(0, tabs.size() - MAX_USERS))
                .add("userTabs", userTabs)
                .build();
    }
}
