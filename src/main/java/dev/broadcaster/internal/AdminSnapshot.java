package dev.broadcaster.internal;

import dev.broadcaster.RegistryStats;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON document the admin pages render: the registry's counters and every listed channel with its
 * connections, distinct users (each with its number of tabs, in joining order) and history size.
 *
 * <pre>{@code
 * {"time":"2026-11-22T10:00:00Z","connections":3,"channelCount":1,"eventsPublished":12,"framesQueued":30,
 *  "evictions":0,"resyncs":0,"presenceRenders":4,
 *  "channels":[{"name":"lobby","connections":3,"users":2,"history":12,
 *               "userTabs":[{"user":"bob","tabs":2},{"user":"carol","tabs":1}]}]}
 * }</pre>
 */
final class AdminSnapshot {

    private AdminSnapshot() {
    }

    /** The snapshot of {@code stats} and {@code channels} (the listed ones, in the order to show). */
    static String json(RegistryStats stats, List<Channel> channels) {
        JsonArrayBuilder list = Json.createArrayBuilder();
        for (Channel channel : channels) {
            List<String> users = channel.users(); // one entry per connection
            Map<String, Integer> tabs = new LinkedHashMap<>();
            users.forEach(user -> tabs.merge(user, 1, Integer::sum));
            JsonArrayBuilder userTabs = Json.createArrayBuilder();
            tabs.forEach((user, count) -> userTabs.add(Json.createObjectBuilder()
                    .add("user", user).add("tabs", count)));
            list.add(Json.createObjectBuilder()
                    .add("name", channel.name())
                    .add("connections", users.size())
                    .add("users", tabs.size())
                    .add("history", channel.historySize())
                    .add("userTabs", userTabs));
        }
        return Json.createObjectBuilder()
                .add("time", Instant.now().toString())
                .add("connections", stats.connections())
                .add("channelCount", channels.size())
                .add("eventsPublished", stats.eventsPublished())
                .add("framesQueued", stats.framesQueued())
                .add("evictions", stats.evictions())
                .add("resyncs", stats.resyncs())
                .add("presenceRenders", stats.presenceRenders())
                .add("channels", list)
                .build().toString();
    }
}
