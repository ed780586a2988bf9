package dev.broadcaster.cluster;

/** The backplane could not answer a query; the caller answers from this node alone. */
public class ClusterUnavailableException extends RuntimeException {

    public ClusterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
