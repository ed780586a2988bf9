package dev.broadcaster.bench.load;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The connections a server under test still holds after their client closed them. An earlier run's connections stay
 * so until the server writes to them and finds them gone, and their departures then cost the run going on at that
 * moment. Two states count, read from {@code /proc}: a socket on the server's port in CLOSE_WAIT (the client's FIN
 * arrived, the server has not written since), and a socket the server process still has open that no table of
 * {@code /proc/net} lists any more (its first write after the FIN drew the client's RST: the write returned, and the
 * server only learns of it at its next one, a heartbeat later). Without the server's pid only the first is seen.
 */
final class ClosedClients {
    private static final String CLOSE_WAIT = "08";
    private static final long POLL_NANOS = 100_000_000L;
    private static final List<String> TCP = List.of("/proc/net/tcp", "/proc/net/tcp6");
    private static final List<String> OTHER_SOCKETS = List.of("/proc/net/udp", "/proc/net/udp6", "/proc/net/unix",
            "/proc/net/raw", "/proc/net/raw6", "/proc/net/netlink", "/proc/net/packet");

    private final long pid;
    private final int port;

    /** The server process {@code pid} (-1 if unknown) listening on {@code port} (loopback). */
    ClosedClients(long pid, int port) {
        this.pid = pid;
        this.port = port;
    }

    /** How many connections closed by their client the server still holds; -1 if unknown. */
    int count() {
        Map<String, String> tcpStates = new HashMap<>(); // inode -> state
        int closeWait = 0;
        boolean read = false;
        for (String table : TCP) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] fields = line.trim().split("\\s+");
                    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
                    if (fields.length > 9 && !"sl".equals(fields[0])) {
                        tcpStates.put(fields[9], fields[3]);
                        if (CLOSE_WAIT.equals(fields[3]) && localPort(fields[1]) == port) {
                            closeWait++;
                        }
                    }
                }
                read = true;
            } catch (IOException | RuntimeException e) {
                // no such table (no IPv6): the other one counts
            }
        }
        if (!read) {
            return -1;
        }
        return pid < 0 ? closeWait : closeWait + unlistedSockets(tcpStates);
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

    /** The server's open sockets that no {@code /proc/net} table lists (0 if its descriptors cannot be read). */
    private int unlistedSockets(Map<String, String> tcpStates) {
        Set<String> listed = new HashSet<>(tcpStates.keySet());
        for (String table : OTHER_SOCKETS) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    for (String field : line.trim().split("\\s+")) {
                        listed.add(field); // the inode is one of the fields; other fields never match an inode
                    }
                }
            } catch (IOException | RuntimeException e) {
                // absent table: nothing of that kind
            }
        }
        int unlisted = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException | RuntimeException closedMeanwhile) {
                    continue;
                }
                if (target.startsWith("socket:[") && !listed.contains(target.substring(8, target.length() - 1))) {
                    unlisted++;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return unlisted;
    }

    private static int localPort(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1), 16);
    }
}
