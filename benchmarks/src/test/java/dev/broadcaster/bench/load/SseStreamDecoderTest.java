package dev.broadcaster.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.broadcaster.support.EventStreamParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The load generator's decoder counts what a browser would: on the streams the library writes, it finds the same
 * events, of the same types and in the same order, as the WHATWG event-stream parser the tests use
 * ({@link EventStreamParser}), however the bytes are split. Its own edge cases are in {@link DecoderSelfCheck}.
 */
class SseStreamDecoderTest {

    private static final String EVENTS = ": connected abc\n\n"
            + "id: 1\ndata: seq=0 t=123 s=120 xxxx\n\n"
            + "event: closing\r\nretry: 3000\r\ndata: bye\r\n\r\n"
            + "data: seq=1 t=-5 s=7\r\r"
            + ": heartbeat\n\n"
            + "data: seq=2 t=9 s=9 x\ndata: second line\n\n"
            + "event: message\ndata: seq=3 t=10 s=11 " + "x".repeat(400) + "\n\n"
            + "event: resync\nid: 1-2\ndata: {\"channel\":\"bench\",\"reason\":\"lagging\"}\n\n";

    @Test
    void findsTheEventsABrowserWouldInEveryWayTheStreamIsSplit() {
        List<String> browser = new ArrayList<>();
        new EventStreamParser().feed(EVENTS).forEach(event -> browser.add(event.type()));
        byte[] body = EVENTS.getBytes(StandardCharsets.UTF_8);
        byte[] head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] stream = new byte[head.length + body.length];
        System.arraycopy(head, 0, stream, 0, head.length);
        System.arraycopy(body, 0, stream, head.length, body.length);

        for (int split = 1; split < stream.length; split++) {
            List<String> decoded = new ArrayList<>();
            SseStreamDecoder decoder = new SseStreamDecoder(new SseStreamDecoder.Listener() {
                @Override
                public void onHead(int status) {
                }

                @Override
                public void onComment() {
                }

                @Override
                public void onEvent(long seq, long sendNanos, long scheduledNanos) {
                    decoded.add("message");
                }

                @Override
                public void onOtherEvent(String name) {
                    decoded.add(name);
                }

                @Override
                public void onEnd(String problem) {
                }
            });
            decoder.feed(stream, 0, split);
            decoder.feed(stream, split, stream.length - split);
            assertEquals(browser, decoded, "split at " + split);
        }
    }

    @Test
    void theHarnessSelfChecksPass() {
        DecoderSelfCheck.main(new String[0]);
        dev.broadcaster.bench.report.ReportSelfCheck.main(new String[0]);
    }
}
