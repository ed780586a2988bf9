package dev.broadcaster.internal;

import dev.broadcaster.RegistryStats;
import jakarta.json.JsonObjectBuilder;

/**
 * The registry's figures as JSON, the same keys in the status endpoint ({@code GET <path>/status}) and the admin
 * page's snapshots, so that neither leaves out a figure the other shows. The channel count is not among them: the
 * status gives it as {@code channels}, the admin snapshot as {@code channelCount} beside its channel list.
 */
final class StatsJson {

    private StatsJson() {
    }

    /** Adds {@code stats}' figures (all but the channel count) to {@code json}, and gives it back. */
    static JsonObjectBuilder addFigures(JsonObjectBuilder json, RegistryStats stats) {
        return json.add("connections", stats.connections())
                .add("eventsPublished", stats.eventsPublished())
                .add("framesQueued", stats.framesQueued())
                .add("evictions", stats.evictions())
                .add("resyncs", stats.resyncs())
                .add("presenceRenders", stats.presenceRenders())
                .add("refusedConnections", stats.refusedConnections())
                .add("refusedChannels", stats.refusedChannels())
                .add("oversizedPresence", stats.oversizedPresence())
                .add("laggingConnections", stats.laggingConnections())
                .add("lagResyncs", stats.lagResyncs())
                .add("publishesRefused", stats.publishesRefused())
                .add("conflatedEvents", stats.conflatedEvents())
                .add("conflatedBytes", stats.conflatedBytes());
    }
}
