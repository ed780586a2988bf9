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
 * @param sharedKey the key {@code client.js} gives a stream it shares between a browser's tabs (its {@code client}
 *                  query parameter), or {@code null}: the script reports its tab count with it
 *                  ({@code POST {base}/sse/stream/tabs})
 * @param tabs how many browser tabs the stream serves (its {@code tabs} query parameter; 1 unless shared): the
 *             user is listed once per tab by {@link ChannelRegistry#users}
 */
public record ConnectOptions(PresenceRenderer presence, String lastEventId, int history, String clientAddress,
                             String sharedKey, int tabs) {

    /** The longest key a shared stream may have. */
    public static final int MAX_SHARED_KEY = 64;

    public ConnectOptions {
        if (history < 0) {
            throw new IllegalArgumentException("history must not be negative");
        }
        if (tabs < 1) {
            throw new IllegalArgumentException("a stream serves at least one tab");
        }
        if (sharedKey != null && !validSharedKey(sharedKey)) {
            throw new IllegalArgumentException("a shared stream's key is 16 to " + MAX_SHARED_KEY
                    + " letters, digits, '-' or '_'");
        }
        if (lastEventId != null && lastEventId.isEmpty()) {
            lastEventId = null;
        }
        if (clientAddress != null && clientAddress.isEmpty()) {
            clientAddress = null;
        }
    }

    /** Not shared between tabs. */
    public ConnectOptions(PresenceRenderer presence, String lastEventId, int history, String clientAddress) {
        this(presence, lastEventId, history, clientAddress, null, 1);
    }

    /** Without a client address. */
    public ConnectOptions(PresenceRenderer presence, String lastEventId, int history) {
        this(presence, lastEventId, history, null);
    }

    /** Whether {@code key} is a shared stream's key: 16 to 64 letters, digits, {@code -} or {@code _}. */
    public static boolean validSharedKey(String key) {
        if (key.length() < 16 || key.length() > MAX_SHARED_KEY) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
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
        return new ConnectOptions(renderer, lastEventId, history, clientAddress, sharedKey, tabs);
    }

    public ConnectOptions withLastEventId(String id) {
        return new ConnectOptions(presence, id, history, clientAddress, sharedKey, tabs);
    }

    public ConnectOptions withHistory(int events) {
        return new ConnectOptions(presence, lastEventId, events, clientAddress, sharedKey, tabs);
    }

    /** The client's address, for counting anonymous connections per address (see {@link #clientAddress()}). */
    public ConnectOptions withClientAddress(String address) {
        return new ConnectOptions(presence, lastEventId, history, address, sharedKey, tabs);
    }

    /**
     * A stream that {@code client.js} shares between {@code tabs} tabs of a browser, reporting changes with
     * {@code key} ({@code null}: not shared).
     */
    public ConnectOptions sharedByTabs(String key, int tabs) {
        return new ConnectOptions(presence, lastEventId, history, clientAddress, key, tabs);
    }
}
