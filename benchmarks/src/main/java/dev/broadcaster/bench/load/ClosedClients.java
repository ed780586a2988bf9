package dev.broadcaster.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The connections a server under test still holds after their client closed them: its sockets on one local port in
 * the TCP state CLOSE_WAIT (the client's FIN arrived, the server has not closed its side), read from
 * {@code /proc/net/tcp} and {@code /proc/net/tcp6}. An earlier run's connections stay so until the server writes
 * to them (a heartbeat, an event) and finds them gone; their departures then cost the run going on at that moment.
 */
final class ClosedClients {
    private static final String CLOSE_WAIT = "08";
    private static final long POLL_NANOS = 100_000_000L;

    private final int port;

    /** The server listening on {@code port} (loopback). */
    ClosedClients(int port) {
        this.port = port;
    }

    /** How many of the server's connections are closed by their client and not yet by the server; -1 if unknown. */
    int count() {
        int total = -1;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                int found = 0;
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] fields = line.trim().split("\\s+");
                    // sl local_address rem_address st ...; an address is <hex ip>:<hex port>
                    if (fields.length > 3 && CLOSE_WAIT.equals(fields[3]) && localPort(fields[1]) == port) {
                        found++;
                    }
                }
                total = Math.max(total, 0) + found;
            } catch (IOException | RuntimeException e) {
                // no such table (no IPv6): the other one counts
            }
        }
        return total;
    }

    /**
     * Waits until the server holds no connection its client closed, or until {@code deadlineNanos}; returns how
     * many it still holds (-1 if unknown).
     */
    int awaitNone(long deadlineNanos) {
        int left = count();
        while (left > 0 && System.nanoTime() < deadlineNanos) {
            LockSupport.parkNanos(POLL_NANOS);
            left = count();
        }
        return left;
    }

    private static int localPort(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1), 16);
    }
}
