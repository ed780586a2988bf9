package dev.broadcaster.bench.servers.shared;

import jakarta.ws.rs.core.Response;

/**
 * The answer of every benchmark publish endpoint: {@code 204 No Content} with the header
 * {@value #HEADER} holding the nanoseconds spent in the server's publish call, measured with
 * {@link System#nanoTime()} around that call only (building the message happens before).
 */
public final class PublishTiming {

    /** Response header carrying the publish call's duration in nanoseconds. */
    public static final String HEADER = "X-Publish-Nanos";

    private PublishTiming() {
    }

    /** Runs {@code publish}, timing it, and answers 204 with {@value #HEADER}. */
    public static Response timed(Runnable publish) {
        long start = System.nanoTime();
        publish.run();
        long nanos = System.nanoTime() - start;
        return Response.noContent().header(HEADER, nanos).build();
    }
}
