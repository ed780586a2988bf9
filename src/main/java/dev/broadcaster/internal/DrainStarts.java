package dev.broadcaster.internal;

/**
 * The drain tasks one fan-out (or one heartbeat) started (connections that had nothing being written when its event
 * reached them), run as one task per {@link #CHUNK} connections instead of one task each: at a low event rate nearly
 * every connection of a channel starts a drain for every event, and handing each to the executor was about a
 * seventh of the server's CPU. A chunk's connections are claimed one at a time ({@link Workers#executeChunk}), so the rest of a
 * chunk whose thread is stuck in a write to a client that does not read is taken over by another thread; and a
 * connection whose write once blocked ({@link Connection#BLOCKED_WRITE}) is not added here but drained alone, on
 * the pool kept for those ({@link Workers#executeAside}).
 *
 * <p>Not thread-safe: used by one fan-out or heartbeat (holding each connection's lock in turn while it adds).
 */
final class DrainStarts {

    /** Connections drained one after another by one task. */
    static final int CHUNK = 16;

    private Runnable[] drains = new Runnable[CHUNK]; // the chunk being filled
    private int size;
    private Workers workers; // the registry's; every connection of a channel has the same

    /** A connection's drain task, started by this fan-out: handed over with the chunk it completes. */
    void add(Runnable drain, Workers connectionWorkers) {
        drains[size++] = drain;
        workers = connectionWorkers;
        if (size == CHUNK) {
            workers.executeChunk(drains, 0, size); // writing starts while the fan-out goes on
            drains = new Runnable[CHUNK];
            size = 0;
        }
    }

    /** Hands the last drains added, fewer than a chunk, to the executor. */
    void start() {
        if (size > 0) {
            workers.executeChunk(drains, 0, size);
            drains = new Runnable[CHUNK];
            size = 0;
        }
    }
}
