package dev.broadcaster;

/**
 * Counters of a registry since it started.
 *
 * @param connections open connections now (the admin pages' own feeds are not counted)
 * @param channels listed channels now
 * @param eventsPublished {@code broadcast} calls that reached a channel (the messages presence renderers return are counted in {@code presenceRenders})
 * @param framesQueued events queued to connections by broadcasts and sends (not heartbeats or replays)
 * @param evictions connections closed because they could not keep up (backlog full or write timed out)
 * @param resyncs {@code resync} events sent to reconnecting clients whose {@code Last-Event-ID} could not be replayed
 * @param presenceRenders calls of presence renderers (a burst of joins and leaves is coalesced into few calls)
* @param refusedConnections subscriptions refused (429) by {@code broadcaster.max-connections-per-user} or
 *                           {@code broadcaster.max-connections}
 * @param refusedChannels subscriptions and {@code create} calls refused (429) by {@code broadcaster.max-channels}
 * @param oversizedPresence presence renders not sent because an event was larger than
 *                          {@code broadcaster.max-message-size} (logged once per channel)
 * @param laggingConnections connections now whose oldest waiting event has waited longer than
 *                           {@code broadcaster.send-timeout}: they read, but the server is behind
 * @param lagResyncs {@code resync} events (reason {@code lagging}) sent instead of the events a lagging connection
 *                   waited for, past {@code broadcaster.max-lag} or {@code broadcaster.queue-bytes}
 * @param publishesRefused publishes refused because their channel's fan-out queue was full
 *                         ({@link ChannelOverloadedException}, HTTP 503)
 * @param conflatedEvents events waiting for a connection that a newer event of a conflating channel
 *                        ({@code broadcaster.conflate}) made useless, dropped unsent
 * @param conflatedBytes the bytes of those events
 */
public record RegistryStats(int connections, int channels, long eventsPublished, long framesQueued, long evictions,
                            long resyncs, long presenceRenders, long refusedConnections, long refusedChannels,
                            long oversizedPresence, int laggingConnections, long lagResyncs, long publishesRefused,
                            long conflatedEvents, long conflatedBytes) {

    /** Without conflation counts (none). */
    public RegistryStats(int connections, int channels, long eventsPublished, long framesQueued, long evictions,
                         long resyncs, long presenceRenders, long refusedConnections, long refusedChannels,
                         long oversizedPresence, int laggingConnections, long lagResyncs, long publishesRefused) {
        this(connections, channels, eventsPublished, framesQueued, evictions, resyncs, presenceRenders,
                refusedConnections, refusedChannels, oversizedPresence, laggingConnections, lagResyncs,
                publishesRefused, 0, 0);
    }
}
