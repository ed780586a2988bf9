package dev.broadcaster.internal;

import java.time.Duration;
import java.util.List;

/**
 * The library's configuration, read and validated once by {@link BroadcasterConfig}.
 *
 * @param heartbeatInterval a comment is sent to a connection idle this long
 * @param queueSize events a connection may have waiting before it is evicted
 * @param queueBytes bytes a connection may have waiting before it is evicted
 * @param historySize events kept per channel for resume
 * @param sendTimeout how long one write may be seen in progress (while the server runs) before the connection is evicted
 * @param path base path of the built-in endpoints, e.g. {@code /sse}
 * @param allowAnonymous whether requests without a principal may subscribe
 * @param endpointsEnabled whether the built-in endpoints are served
 * @param channelLinger how long an empty channel keeps its history for clients that come back
 * @param maxMessageSize largest encoded event accepted, in bytes
 * @param cluster which backplane, if any, joins this node to others
 * @param allowedOrigins origins ({@code scheme://host[:port]}, normalised) besides the request's own that may send
 *                       state-changing requests and subscribe cross-site
 * @param maxConnectionsPerUser open connections one user (anonymous: one client address) may have on this node
 * @param maxConnections open connections this node accepts
 * @param maxChannels channels this node keeps (listed or lingering)
 * @param presenceLeaveGrace how long a user's last connection may be gone before presence shows them leaving
 * @param replayTimeout how long the greeting and replay writes of a new connection may take before it is evicted
 * @param maxReplayBytes the most bytes replayed to one connection on connect; more is a {@code resync}
 * @param maxPublishSize the largest HTTP publish body read
 * @param maxLag how far behind (oldest waiting event) a connection that keeps reading may fall before it gets
 *               {@code resync} instead of the events it is waiting for
 * @param fanOutQueueSize events a channel may have waiting for fan-out before publishing to it is refused
 * @param maxChannelsPerStream channels one stream of several channels may name
 * @param conflate the channels that conflate ({@link Conflation}): names, or prefixes ending in {@code *}
 */
public record BroadcasterSettings(Duration heartbeatInterval, int queueSize, long queueBytes, int historySize,
                                  Duration sendTimeout, String path, boolean allowAnonymous, boolean endpointsEnabled,
                                  Duration channelLinger, int maxMessageSize, ClusterSettings cluster,
                                  List<String> allowedOrigins, int maxConnectionsPerUser, int maxConnections,
                                  int maxChannels, Duration presenceLeaveGrace, Duration replayTimeout,
                                  long maxReplayBytes, long maxPublishSize, Duration maxLag, int fanOutQueueSize,
                                  int maxChannelsPerStream, List<String> conflate) {

    /** The most channels one stream may name when nothing says otherwise. */
    public static final int DEFAULT_MAX_CHANNELS_PER_STREAM = 16;

    public BroadcasterSettings {
        allowedOrigins = List.copyOf(allowedOrigins);
        conflate = List.copyOf(conflate);
    }

    /** With the default {@code max-channels-per-stream}, and no channel conflating. */
    public BroadcasterSettings(Duration heartbeatInterval, int queueSize, long queueBytes, int historySize,
                               Duration sendTimeout, String path, boolean allowAnonymous, boolean endpointsEnabled,
                               Duration channelLinger, int maxMessageSize, ClusterSettings cluster,
                               List<String> allowedOrigins, int maxConnectionsPerUser, int maxConnections,
                               int maxChannels, Duration presenceLeaveGrace, Duration replayTimeout,
                               long maxReplayBytes, long maxPublishSize, Duration maxLag, int fanOutQueueSize) {
        this(heartbeatInterval, queueSize, queueBytes, historySize, sendTimeout, path, allowAnonymous, endpointsEnabled,
                channelLinger, maxMessageSize, cluster, allowedOrigins, maxConnectionsPerUser, maxConnections,
                maxChannels, presenceLeaveGrace, replayTimeout, maxReplayBytes, maxPublishSize, maxLag,
                fanOutQueueSize, DEFAULT_MAX_CHANNELS_PER_STREAM, List.of());
    }

    /** Whether {@code channel} conflates: it is named in {@code conflate}, or starts with a prefix given there. */
    boolean conflates(String channel) {
        for (String pattern : conflate) {
            if (pattern.endsWith("*") ? channel.startsWith(pattern.substring(0, pattern.length() - 1))
                    : channel.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    /** The main settings in one line, for the start-up log. */
    String summary() {
        return String.format("path %s, heartbeat %d ms, queue %d events / %d bytes, send timeout %d ms, history %d,"
                + " linger %d ms, max message %d bytes, anonymous %s", path, heartbeatInterval.toMillis(), queueSize,
                queueBytes, sendTimeout.toMillis(), historySize, channelLinger.toMillis(), maxMessageSize,
                allowAnonymous);
    }
}
