package dev.broadcaster.internal;

import dev.broadcaster.SseEvent;
import java.time.Duration;

/**
 * The library's own frames, and the event names they reserve. Every stream starts with a {@code connected}
 * comment and gets a {@code heartbeat} comment when quiet; {@code resync} replaces events a client can no longer
 * get (its data names the channel and the reason); {@code closing} is the last frame of a stream the server
 * ends, with a {@code retry:}, for a client that should come back; {@code stop} is the last frame of a stream that
 * should not (its channel was killed, or, for a fetch-based client, its subscribe was refused), which pages bind to
 * htmx's {@code hx-sse:close} / {@code sse-close}. Applications may not publish events of these names.
 */
final class ControlEvents {

    /** The name of the event sent instead of events that can no longer be delivered. */
    static final String RESYNC = "resync";
    /** The name of the last event of a stream the server closes (eviction, shutdown). */
    static final String CLOSING = "closing";
    /** The name of the last event of a stream that should not reconnect (killed, or refused: see the class). */
    static final String STOP = "stop";

    /** Why a client must resync, as its data says. */
    enum Reason {
        /** The id it resumes from is not one of this channel's. */
        UNKNOWN_ID("unknown-id"),
        /** The events after its id are no longer kept. */
        EXPIRED("expired"),
        /** The missed events are more than {@code broadcaster.max-replay-bytes}. */
        TOO_LARGE("too-large"),
        /** It fell behind by more than {@code broadcaster.max-lag}. */
        LAGGING("lagging"),
        /** The cluster's backplane was lost and is back: events may have been missed. */
        BACKPLANE_RECOVERED("backplane-recovered"),
        /** Another node of the cluster published events while cut off from the backplane: only its clients got them. */
        PEER_RECOVERED("peer-recovered"),
        /**
         * A stream of several channels was removed from this one (a kill or disconnect) and stays open on its others:
         * it gets none of this channel's events from now on.
         */
        REMOVED("removed");

        private final String text;

        Reason(String text) {
            this.text = text;
        }
    }

    private static final Frame HEARTBEAT = SseEncoder.comment("heartbeat");

    private ControlEvents() {
    }

    /** The first frame of every stream: a comment with the connection's id. */
    static Frame connected(String connectionId) {
        return SseEncoder.comment("connected " + connectionId);
    }

    /** The comment sent to a quiet stream. */
    static Frame heartbeat() {
        return HEARTBEAT;
    }

    /**
     * The {@code resync} event of {@code channel}: {@code id} is the newest id the client may resume from
     * (null: none).
     */
    static Frame resync(String channel, String id, Reason reason) {
        // a channel name needs no JSON escaping (ChannelNames.RULE)
        String data = "{\"channel\":\"" + channel + "\",\"reason\":\"" + reason.text + "\"}";
        return SseEncoder.encode(new SseEvent(RESYNC, id, null, data));
    }

    /** The last frame of a stream the server closes: {@code reason} as data, and when to reconnect. */
    static Frame closing(String reason, long retryMillis) {
        return SseEncoder.encode(new SseEvent(CLOSING, null, Duration.ofMillis(retryMillis), reason));
    }

    /** The last frame of the streams of a killed channel: {@code stop}, data {@code {"channel":…,"reason":"killed"}}. */
    static Frame killed(String channel) {
        // a channel name needs no JSON escaping (ChannelNames.RULE)
        return SseEncoder.encode(new SseEvent(STOP, null, null,
                "{\"channel\":\"" + channel + "\",\"reason\":\"killed\"}"));
    }

    /** Whether applications may not publish an event of this name. */
    static boolean reserved(String eventName) {
        return RESYNC.equals(eventName) || CLOSING.equals(eventName) || STOP.equals(eventName);
    }
}
