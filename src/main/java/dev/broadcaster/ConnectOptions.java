package dev.broadcaster;

/**
 * Optional settings of one subscription, for {@link ChannelRegistry#connect(String,
 * jakarta.ws.rs.core.SecurityContext, jakarta.ws.rs.sse.SseEventSink, jakarta.ws.rs.sse.Sse, ConnectOptions)}.
 *
 * <pre>{@code
 * registry.connect(channel, security, sink, sse,
 *         ConnectOptions.resumingFrom(lastEventIdHeader).withPresence(renderer));
 * }</pre>
 *
 * @param presence the channel's presence renderer, or {@code null} to keep the current one
 * @param lastEventId the {@code Last-Event-ID} the client sent on reconnect, or {@code null}: the
 *                    events it missed are replayed before any live event, or it gets a
 *                    {@code resync} event if they are gone
 * @param history on a first connect (no {@code lastEventId}), how many of the channel's latest
 *                events to send first (0 for none; at most {@code broadcaster.history-size} are kept)
 * @param clientAddress the client's network address as the application knows it (e.g. the servlet request's
 *                      remote address, or a proxy's forwarded address it trusts), or {@code null}: anonymous
 *                      connections are counted against {@code broadcaster.max-connections-per-user} per address
 *                      (anonymous connections without one share one budget). The built-in endpoint sets it from
 *                      the servlet request where the container has one.
 */
public record ConnectOptions(PresenceRenderer presence, String lastEventId, int history, String clientAddress) {

    public ConnectOptions {
        if (history < 0) {
            throw new IllegalArgumentException("history must not be negative");
        }
        if (lastEventId != null && lastEventId.isEmpty()) {
            lastEventId = null;
        }
        if (clientAddress != null && clientAddress.isEmpty()) {
            clientAddress = null;
        }
    }

    /** Without a client address. */
    public ConnectOptions(PresenceRenderer presence, String lastEventId, int history) {
        this(presence, lastEventId, history, null);
    }

    /** No presence renderer change, no resume, no history. */
    public static ConnectOptions defaults() {
        return new ConnectOptions(null, null, 0);
    }

    /** Resumes after {@code lastEventId} (the request's {@code Last-Event-ID} header; may be null). */
    public static ConnectOptions resumingFrom(String lastEventId) {
        return new ConnectOptions(null, lastEventId, 0);
    }

    public ConnectOptions withPresence(PresenceRenderer renderer) {
        return new ConnectOptions(renderer, lastEventId, history, clientAddress);
    }

    public ConnectOptions withLastEventId(String id) {
        return new ConnectOptions(presence, id, history, clientAddress);
    }

    public ConnectOptions withHistory(int events) {
        return new ConnectOptions(presence, lastEventId, events, clientAddress);
    }

    /** The client's address, for counting anonymous connections per address (see {@link #clientAddress()}). */
    public ConnectOptions withClientAddress(String address) {
        return new ConnectOptions(presence, lastEventId, history, address);
    }
}
