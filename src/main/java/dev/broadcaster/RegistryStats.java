package dev.broadcaster;

/**
 * Counters of a registry since it started.
 *
 * @param connections open connections now
 * @param channels listed channels now
 * @param eventsPublished events published to channels
 * @param framesQueued events queued to connections by broadcasts and sends (not heartbeats or replays)
 * @param evictions connections closed because they could not keep up (backlog full or write timed out)
 */
public record RegistryStats(int connections, int channels, long eventsPublished, long framesQueued, long evictions) {
}
