package dev.broadcaster.rooms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.broadcaster.rooms.it.support.Server;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The library's OpenTelemetry metrics on Open Liberty ({@code mpTelemetry-2.0} beside {@code mpMetrics-5.1}): the
 * test server exports them every second with the {@code logging} exporter (pom.xml: its bootstrap properties), which
 * writes them to {@code messages.log}; after a broadcast to a stream, the export names the library's instruments and
 * the delivery latency histogram has recorded it. Liberty only: Payara has no OpenTelemetry metrics.
 */
class TelemetryIT extends DeployedRooms {

    private static final List<String> INSTRUMENTS = List.of("name=broadcaster.connections,",
            "name=broadcaster.channels,", "name=broadcaster.events.published,", "name=broadcaster.frames.queued,",
            "name=broadcaster.broadcast.latency,", "name=broadcaster.delivery.latency,");

    @Test
    void theLibrarysInstrumentsAreExportedWithTheDeliveryLatencyOfABroadcast() throws IOException {
        assumeTrue(Server.liberty(), "OpenTelemetry metrics are tested on Liberty");
        Path log = Path.of(System.getProperty("it.liberty.logs"), "messages.log");
        long from = Files.size(log);
        try (SseStream bob = SseStream.connect(uri("news"), "bob")) {
            assertEquals(202, HttpCalls.send(HttpCalls.request(uri("news"), "alice")
                    .header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString("exported", StandardCharsets.UTF_8)).build())
                    .statusCode());
            bob.awaitEvent("headline", "exported");
        }
        // the export after the write: the latency histogram has a recorded broadcast
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String exported = "";
        while (!(INSTRUMENTS.stream().allMatch(exported::contains) && recordedDelivery(exported))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no export of " + INSTRUMENTS + " with a recorded delivery in " + log
                        + " since offset " + from + ":\n" + exported.lines().filter(l -> l.contains("broadcaster."))
                        .limit(20).toList());
            }
            pause();
            exported = since(log, from);
        }
    }

    /** Whether a logged delivery latency histogram point has a count of at least one. */
    private static boolean recordedDelivery(String exported) {
        return exported.lines().filter(line -> line.contains("name=broadcaster.delivery.latency,"))
                .anyMatch(line -> line.matches(".*getCount=[1-9].*"));
    }

    private static String since(Path log, long from) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long start = file.length() < from ? 0 : from; // rolled over meanwhile: the new file from its start
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200); // polling interval of a deadline-bound wait for the next export, not a synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
