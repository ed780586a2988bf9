package dev.broadcaster;

import java.time.Duration;

/**
 * A publish to a channel whose fan-out queue is full ({@code broadcaster.fan-out-queue-size} publishes, sends and
 * closes waiting to be handed to its connections): the server is behind that channel's publishers. Nothing of
 * the refused event was sent or recorded; the caller may retry after {@link #retryAfter()}. Over HTTP it is a
 * {@code 503} with {@code Retry-After}.
 */
public class ChannelOverloadedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String channel;
    private final transient Duration retryAfter;

    public ChannelOverloadedException(String channel, int fanOutQueueSize, Duration retryAfter) {
        super("Channel '" + channel + "' is overloaded: " + fanOutQueueSize
                + " events are waiting for its fan-out; retry after " + retryAfter.toMillis() + " ms");
        this.channel = channel;
        this.retryAfter = retryAfter;
    }

    /** The channel that refused the publish. */
    public String channel() {
        return channel;
    }

    /** How long the publisher should wait before trying again. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
