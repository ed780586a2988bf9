package dev.broadcaster.internal.metrics;

import dev.broadcaster.RegistryStats;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The library's figures as both metrics APIs publish them ({@link BroadcasterMetrics}, {@link BroadcasterTelemetry}):
 * one table of names, meanings and readings of {@link RegistryStats}, so the two never say different things.
 */
final class RegistryFigures {

    /**
     * A figure read from one {@link RegistryStats}; {@code cumulative}: it only grows from the application's start
     * (an OpenTelemetry counter; MicroProfile Metrics has no counter backed by a function, so a gauge there).
     */
    record Figure(String name, String meaning, boolean cumulative, ToLongFunction<RegistryStats> reading) {

        /** The meaning, with "since start" for a cumulative figure. */
        String description() {
            return cumulative ? meaning + ", since start" : meaning;
        }
    }

    static final List<Figure> FROM_STATS = List.of(
            new Figure(BroadcasterMetrics.CONNECTIONS, "Open SSE connections", false, RegistryStats::connections),
            new Figure(BroadcasterMetrics.CHANNELS, "Listed channels", false, RegistryStats::channels),
            new Figure(BroadcasterMetrics.LAGGING, "Connections whose oldest waiting event waited longer than the send"
                    + " timeout (the server is behind)", false, RegistryStats::laggingConnections),
            new Figure(BroadcasterMetrics.EVENTS_PUBLISHED, "Events broadcast to channels", true,
                    RegistryStats::eventsPublished),
            new Figure(BroadcasterMetrics.FRAMES_QUEUED, "Events queued to connections by broadcasts and sends", true,
                    RegistryStats::framesQueued),
            new Figure(BroadcasterMetrics.EVICTIONS, "Connections evicted for not keeping up", true,
                    RegistryStats::evictions),
            new Figure(BroadcasterMetrics.RESYNCS, "resync events sent to reconnecting clients", true,
                    RegistryStats::resyncs),
            new Figure(BroadcasterMetrics.PRESENCE_RENDERS, "Presence renderer calls", true,
                    RegistryStats::presenceRenders),
            new Figure(BroadcasterMetrics.REFUSED_CONNECTIONS, "Subscriptions refused (429) by the per-user or per-node"
                    + " connection limit", true, RegistryStats::refusedConnections),
            new Figure(BroadcasterMetrics.REFUSED_CHANNELS, "Subscriptions and creates refused (429) by the channel"
                    + " limit", true, RegistryStats::refusedChannels),
            new Figure(BroadcasterMetrics.OVERSIZED_PRESENCE, "Presence renders not sent because larger than the"
                    + " largest message", true, RegistryStats::oversizedPresence),
            new Figure(BroadcasterMetrics.LAG_RESYNCS, "resync events sent to lagging connections instead of what they"
                    + " waited for", true, RegistryStats::lagResyncs),
            new Figure(BroadcasterMetrics.PUBLISHES_REFUSED, "Publishes refused because the channel's fan-out queue was"
                    + " full", true, RegistryStats::publishesRefused),
            new Figure(BroadcasterMetrics.CONFLATED_EVENTS, "Waiting events of conflating channels that a newer event"
                    + " made useless, dropped unsent", true, RegistryStats::conflatedEvents),
            new Figure(BroadcasterMetrics.CONFLATED_BYTES, "The bytes of those events", true,
                    RegistryStats::conflatedBytes));

    /** Only in a cluster; read from the cluster engine, not from {@link RegistryStats}. */
    static final String CLUSTER_REJECTED = "Bus messages and stored events the cluster engine refused from the"
            + " backplane (not signed with the cluster's secret, or not in its format), since start";

    static final String BROADCAST_LATENCY = "Time to encode one broadcast and queue it to every connection of its"
            + " channel";

    static final String DELIVERY_LATENCY = "Per broadcast reaching a connection: time from its channel taking it to"
            + " the last connection it was queued to writing it (or dropping it unsent)";

    private RegistryFigures() {
    }
}
