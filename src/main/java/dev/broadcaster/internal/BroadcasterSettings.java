package dev.broadcaster.internal;

import java.time.Duration;

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
 */
public record BroadcasterSettings(Duration heartbeatInterval, int queueSize, long queueBytes, int historySize,
                                  Duration sendTimeout, String path, boolean allowAnonymous, boolean endpointsEnabled,
                                  Duration channelLinger, int maxMessageSize, ClusterSettings cluster) {
}
