package dev.broadcaster.internal;

import dev.broadcaster.JsonMessage;
import dev.broadcaster.SseEvent;
import dev.broadcaster.SseMessage;
import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.datastar.PatchSignals;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH microbenchmarks of the library's encoding: a message (built once, in setup) turned into its
 * {@link SseEvent} and encoded into the {@link Frame} that a broadcast shares between all connections,
 * i.e. {@code SseEncoder.encode(message.toEvent())}, the per-broadcast CPU cost that does not depend on the
 * number of connections. {@link #baselineElementsConcat} builds the bytes of the {@code PatchElements}
 * frame with plain string concatenation and {@code String.getBytes}, for comparison.
 *
 * <p>Lives next to the library, in its package, because {@code SseEncoder} is package-private (it relies only
 * on {@code SseEncoder.encode(SseEvent)} and {@code Frame.size()}); only the library's {@code jmh} profile
 * compiles it (with the tests), so it is never in the library's jar. {@code benchmarks/run} runs it; by hand,
 * at the root (about a minute): {@code mvn -Pjmh test-compile} then
 * {@code java -cp target/test-classes:target/classes:$(cat target/jmh-classpath.txt) org.openjdk.jmh.Main
 * EncoderBenchmark -prof gc} ({@code -prof gc} adds {@code gc.alloc.rate.norm}, bytes allocated per operation).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class EncoderBenchmark {

    /** A multi-line HTML fragment of about 500 bytes (LF line ends, ASCII plus a few non-ASCII characters). */
    static final String HTML = String.join("\n", List.of(
            "<div id=\"message-list\" class=\"messages\">",
            "  <article id=\"msg-1042\" class=\"message\" data-author=\"alice\">",
            "    <header><strong>alice</strong> <time datetime=\"2026-11-22T10:15:00Z\">10:15</time></header>",
            "    <p>Déjà vu: the build is green again, merging the branch now.</p>",
            "  </article>",
            "  <article id=\"msg-1043\" class=\"message\" data-author=\"bob\">",
            "    <header><strong>bob</strong> <time datetime=\"2026-11-22T10:16:00Z\">10:16</time></header>",
            "    <p>Great, I will rebase mine on top of it.</p>",
            "  </article>",
            "</div>"));

    static final String SIGNALS = "{\"count\":42,\"user\":\"alice\",\"online\":true,\"room\":\"lobby\"}";

    private static final String ELEMENTS_PREFIX = "event: datastar-patch-elements\ndata: elements ";

    private SseMessage patchElements;
    private SseMessage patchSignals;
    private SseMessage jsonMessage;
    private SseEvent dataEvent;
    private String html;

    /** Builds the messages and checks that the baseline produces as many bytes as the library's frame. */
    @Setup
    public void setUp() {
        html = HTML;
        patchElements = PatchElements.of(HTML);
        patchSignals = PatchSignals.of(SIGNALS);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("count", 42);
        data.put("user", "alice");
        data.put("online", true);
        jsonMessage = new JsonMessage("counter_update", data, Instant.parse("2026-11-22T10:15:00Z"), null);
        dataEvent = SseEvent.data(HTML.replace('\n', ' '));
        int librarySize = SseEncoder.encode(patchElements.toEvent()).size();
        int baselineSize = ((byte[]) baselineElementsConcat()).length;
        if (librarySize != baselineSize) {
            throw new IllegalStateException("baseline builds " + baselineSize + " bytes, the library " + librarySize);
        }
    }

    /** Datastar {@code datastar-patch-elements} of the ~500-byte, 10-line fragment. */
    @Benchmark
    public Object patchElements() {
        return SseEncoder.encode(patchElements.toEvent());
    }

    /** Datastar {@code datastar-patch-signals} of a small JSON object. */
    @Benchmark
    public Object patchSignals() {
        return SseEncoder.encode(patchSignals.toEvent());
    }

    /** {@code JsonMessage} of a small map: JSON-B serialisation of the envelope, then encoding. */
    @Benchmark
    public Object jsonMessage() {
        return SseEncoder.encode(jsonMessage.toEvent());
    }

    /** A data-only one-line event of the same size (what the load benchmark publishes): encoding only. */
    @Benchmark
    public Object dataEvent() {
        return SseEncoder.encode(dataEvent);
    }

    /** The {@code PatchElements} frame's bytes with plain concatenation and {@code String.getBytes}. */
    @Benchmark
    public Object baselineElementsConcat() {
        return (ELEMENTS_PREFIX + html.replace("\n", "\ndata: elements ") + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
