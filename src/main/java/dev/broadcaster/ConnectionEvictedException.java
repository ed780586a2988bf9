package dev.broadcaster;

/**
 * Why a connection ended: the library evicted it because its client did not read fast enough (its backlog
 * exceeded {@code broadcaster.queue-size}/{@code queue-bytes} while its writes were stuck, or a write exceeded
 * {@code broadcaster.send-timeout}). A {@link ChannelRegistry#broadcaster(String) broadcaster view}'s
 * {@code onError} listeners receive it.
 */
public class ConnectionEvictedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String connectionId;

    public ConnectionEvictedException(String connectionId, String reason) {
        super("Connection " + connectionId + " evicted: " + reason);
        this.connectionId = connectionId;
    }

    /** The id of the evicted connection. */
    public String connectionId() {
        return connectionId;
    }
}
