package dev.broadcaster.internal;

import dev.broadcaster.SseEvent;

/**
 * The rules a publish must pass that need no configuration, for the public {@code Broadcast} and
 * {@code Disconnect} events, which check them when they are created (public because those records live in
 * {@code dev.broadcaster}; not API). The size limit needs configuration: {@link CdiEventObserver} checks it.
 */
public final class PublishRules {

    private PublishRules() {
    }

    /**
     * Returns {@code channel} if a connection could ever be on it: a well-formed name ({@link ChannelNames#RULE})
     * outside the reserved prefix {@value ChannelNames#RESERVED_PREFIX}.
     *
     * @throws IllegalArgumentException saying which rule the name breaks
     */
    public static String requireJoinableChannel(String channel) {
        return ChannelNames.requireApplications(channel, "Invalid channel name");
    }

    /**
     * Returns {@code event} if the broadcaster does not send events of its name itself ({@code resync},
     * {@code closing}).
     *
     * @throws IllegalArgumentException if the name is reserved
     */
    public static SseEvent requireUnreservedName(SseEvent event) {
        if (ControlEvents.reserved(event.name())) {
            throw new IllegalArgumentException("the event names '" + ControlEvents.RESYNC + "' and '" + ControlEvents.CLOSING
                    + "' are reserved by the broadcaster");
        }
        return event;
    }
}
