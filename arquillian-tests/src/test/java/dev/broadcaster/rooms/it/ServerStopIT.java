package dev.broadcaster.rooms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.rooms.it.support.Server;
import dev.broadcaster.rooms.it.support.StalledSockets;
import dev.broadcaster.support.EventStreamParser.Event;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Stopping the server while SSE streams are open: it must not wait for them (an open stream that
 * nobody closes holds Liberty's quiesce for its full 30 s). Runs on a second server of its own,
 * container {@code stop-server} in arquillian.xml (mode manual), on the fixed port {@code it.stop.port}:
 * <ul>
 *   <li>Open Liberty: {@link ContainerController#stop} runs {@code server stop} with the application
 *       still deployed and returns when the server process has ended;</li>
 *   <li>Payara Micro: the adapter runs one Payara Micro process per deployment, so the server stops
 *       when the deployment is undeployed (the process gets SIGTERM); the stop is over when that
 *       process has ended.</li>
 * </ul>
 */
@ExtendWith(ArquillianExtension.class)
class ServerStopIT {

    private static final String CONTAINER = "stop-server";
    private static final String APP = "rooms-on-the-server-that-stops";

    /**
     * A stop with 200 streams open, half of them not reading, must take far less than Liberty's 30 s quiesce
     * timeout, although the stop server's heartbeat is 30 s (it.broadcaster.heartbeat in pom.xml): the library
     * notices the stop at once, and its last writes take 500 ms at most.
     */
    private static final Duration STREAMS_END_LIMIT = Duration.ofSeconds(5);
    /** The whole stop, the server's own shutdown after the application included (about 6 s on a loaded 2-core VM). */
    private static final Duration STOP_LIMIT = Duration.ofSeconds(15);
    private static final int READING = 100;
    private static final int NOT_READING = 100;

    @Deployment(name = APP, managed = false, testable = false)
    @TargetsContainer(CONTAINER)
    static WebArchive rooms() {
        return Server.war();
    }

    @ArquillianResource
    ContainerController controller;

    @ArquillianResource
    Deployer deployer;

    @Test
    void theServerStopsPromptlyWhileStreamsAreOpenAndTheStreamsEnd() {
        int port = Integer.getInteger("it.stop.port");
        URI base = URI.create("http://localhost:" + port + "/rooms/");
        controller.start(CONTAINER);
        boolean stopped = false;
        StalledSockets notReading = null;
        try {
            deployer.deploy(APP);
            String room = Server.room("stop");
            SseStream alice = SseStream.connect(base.resolve("rooms/" + room + "/events"), "alice");
            SseStream bob = SseStream.connect(base.resolve("rooms/" + room + "/events"), "bob");
            List<SseStream> reading = new ArrayList<>();
            for (int i = 0; i < READING - 2; i++) {
                reading.add(SseStream.connect(base.resolve("sse/channels/" + room + "-crowd"), "carol"));
            }
            notReading = StalledSockets.open(base.resolve("sse/channels/" + room + "-crowd"), "carol", NOT_READING);
            assertEquals(204, HttpCalls.postForm(base.resolve("rooms/" + room + "/messages"), "alice", "text", "bye")
                    .statusCode());
            for (SseStream stream : List.of(alice, bob)) {
                stream.awaitEvent("datastar-patch-signals", "signals {\"count\":1}");
            }
            reading.add(alice);
            reading.add(bob);

            ProcessHandle payaraMicro = Server.payara() ? payaraMicroOnPort(port) : null;
            long start = System.nanoTime();
            if (Server.payara()) {
                deployer.undeploy(APP); // ends the Payara Micro process (SIGTERM)
                awaitExit(payaraMicro, Duration.ofSeconds(60));
            } else {
                controller.stop(CONTAINER); // server stop; returns once the server process ended
            }
            stopped = true;
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            reading.forEach(SseStream::awaitEnd);
            long lastEnd = reading.stream().mapToLong(SseStream::endedAtNanos).max().orElse(start);
            Server.record("server stop with " + READING + " reading and " + NOT_READING + " non-reading streams open"
                    + " took " + took.toMillis() + " ms; the reading streams ended within "
                    + Duration.ofNanos(lastEnd - start).toMillis() + " ms after the stop began; "
                    + reading.stream().filter(s -> s.events("closing").size() == 1).count() + " of " + READING
                    + " got 'closing'");
            for (SseStream stream : List.of(alice, bob)) {
                List<Event> closing = stream.events("closing");
                Server.record(stream + ": last event before the end: "
                        + (closing.isEmpty() ? "none of type closing" : "closing, data " + closing.get(0).data())
                        + "; retry field present: " + stream.raw().contains("\nretry: "));
            }
            // Liberty: the library notices the quiesce; Payara: Jersey's shutdown listener (JerseyShutdown)
            for (SseStream stream : reading) {
                assertEquals(1, stream.events("closing").size(), stream + " got no 'closing' event: " + stream.raw());
            }
            assertTrue(took.compareTo(STOP_LIMIT) < 0, "the stop took " + took.toMillis() + " ms");
            Duration streamsEnded = Duration.ofNanos(lastEnd - start);
            assertTrue(streamsEnded.compareTo(STREAMS_END_LIMIT) < 0, "the reading streams ended "
                    + streamsEnded.toMillis() + " ms after the stop began");
        } finally {
            if (notReading != null) {
                notReading.close();
            }
            if (!stopped) {
                if (Server.payara()) {
                    deployer.undeploy(APP);
                } else {
                    controller.stop(CONTAINER);
                }
            }
        }
    }

    /** The Payara Micro process the adapter started for the stop-server container (the one on {@code port}). */
    private static ProcessHandle payaraMicroOnPort(int port) {
        List<ProcessHandle> found = ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().map(c -> c.contains("payara-micro")
                        && c.contains("--port " + port + " ")).orElse(false))
                .toList();
        assertEquals(1, found.size(), "Payara Micro processes on port " + port + ": " + found);
        return found.get(0);
    }

    private static void awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("process " + process.pid() + " still running after " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            throw new AssertionError(e);
        }
    }
}
