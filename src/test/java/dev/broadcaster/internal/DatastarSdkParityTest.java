package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.broadcaster.SseMessage;
import dev.broadcaster.datastar.ElementNamespace;
import dev.broadcaster.datastar.ElementPatchMode;
import dev.broadcaster.datastar.ExecuteScript;
import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.datastar.PatchSignals;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Datastar encoder writes, byte for byte, what the official JavaScript SDK
 * ({@code @starfederation/datastar-sdk}, pinned to 1.0.0 in {@code browser-tests/package-lock.json})
 * writes for the same call.
 *
 * <p>{@code browser-tests/datastar-sdk-cases.mjs} generates 400 inputs from a fixed seed (multi-line and
 * unicode HTML, every patch mode, the three namespaces, selectors, view transitions, event ids, retry
 * durations including the omitted default, nested and pretty-printed signals, {@code onlyIfMissing},
 * scripts with and without auto-remove and attributes) and records the SDK's output for each; this test
 * builds the same message with the public API, encodes it with {@link SseEncoder} and compares the bytes. The inputs hold no CR:
 * the JS SDK splits lines only on LF, this library also on CR and CRLF, on purpose.
 *
 * <p>Needs {@code node} and {@code npm} on the PATH (it fails, not skips, without them); it runs
 * {@code npm ci} in {@code browser-tests} first when {@code node_modules} is missing.
 */
class DatastarSdkParityTest {

    private static final int EXPECTED_CASES = 400;
    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");

    @Test
    void encoderWritesWhatTheOfficialJavaScriptSdkWrites() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        Path browserTests = root.resolve("browser-tests");
        assertTrue(Files.isRegularFile(browserTests.resolve("datastar-sdk-cases.mjs")),
                "run from the project root (working directory " + root + ")");
        Path target = Files.createDirectories(root.resolve("target"));

        if (!Files.isDirectory(browserTests.resolve("node_modules/@starfederation/datastar-sdk"))) {
            run(List.of(WINDOWS ? "npm.cmd" : "npm", "ci", "--no-audit", "--no-fund"), browserTests,
                    target.resolve("datastar-sdk-npm-ci.log"), Duration.ofMinutes(5));
        }
        Path casesFile = target.resolve("datastar-sdk-cases.json");
        Files.deleteIfExists(casesFile);
        run(List.of("node", "browser-tests/datastar-sdk-cases.mjs", "target/datastar-sdk-cases.json"), root,
                target.resolve("datastar-sdk-cases.log"), Duration.ofMinutes(2));

        JsonArray cases;
        try (JsonReader reader = Json.createReader(Files.newBufferedReader(casesFile, StandardCharsets.UTF_8))) {
            cases = reader.readArray();
        }
        assertEquals(EXPECTED_CASES, cases.size(), "cases generated");

        Map<String, Integer> kinds = new TreeMap<>();
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            JsonObject testCase = cases.getJsonObject(i);
            String kind = testCase.getString("kind");
            JsonObject input = testCase.getJsonObject("input");
            kinds.merge(kind, 1, Integer::sum);
            byte[] expected = testCase.getString("expected").getBytes(StandardCharsets.UTF_8);
            byte[] actual = SseEncoder.encode(message(kind, input).toEvent()).wireBytes();
            if (!Arrays.equals(expected, actual)) {
                mismatches.add(describeMismatch(i, kind, input, expected, actual));
            }
        }
        assertEquals(List.of("executeScript", "patchElements", "patchSignals", "removeElements"),
                List.copyOf(kinds.keySet()), "kinds generated " + kinds);
        if (!mismatches.isEmpty()) {
            fail(mismatches.size() + " of " + cases.size() + " cases differ from the JavaScript SDK " + kinds
                    + "; first:\n" + mismatches.get(0));
        }
    }

    /** The message our public API builds for one generated input. */
    private static SseMessage message(String kind, JsonObject input) {
        String eventId = input.getString("eventId", null);
        Duration retry = input.containsKey("retryDuration")
                ? Duration.ofMillis(input.getJsonNumber("retryDuration").longValueExact())
                : null;
        return switch (kind) {
            case "patchElements" -> new PatchElements(
                    input.getString("elements"),
                    input.getString("selector", null),
                    input.containsKey("mode") ? ElementPatchMode.fromWireName(input.getString("mode")) : ElementPatchMode.OUTER,
                    input.containsKey("namespace") ? ElementNamespace.fromWireName(input.getString("namespace")) : null,
                    input.getBoolean("useViewTransition", false),
                    null,
                    eventId,
                    retry);
            case "removeElements" -> PatchElements.remove(input.getString("selector"))
                    .withEventId(eventId)
                    .withRetry(retry);
            case "patchSignals" -> PatchSignals.of(input.getString("signals"))
                    .withOnlyIfMissing(input.getBoolean("onlyIfMissing", false))
                    .withEventId(eventId)
                    .withRetry(retry);
            case "executeScript" -> ExecuteScript.of(input.getString("script"))
                    .withAutoRemove(input.getBoolean("autoRemove", true))
                    .withAttributes(attributes(input))
                    .withEventId(eventId)
                    .withRetry(retry);
            default -> throw new AssertionError("unknown case kind " + kind);
        };
    }

    /**
     * Script attributes: {@code attributes} is the JS SDK's object form as [name, value] pairs (written
     * {@code name="value"}), {@code attributeList} its array form (written as given).
     */
    private static List<String> attributes(JsonObject input) {
        List<String> attributes = new ArrayList<>();
        if (input.containsKey("attributes")) {
            for (JsonValue pair : input.getJsonArray("attributes")) {
                JsonArray nameValue = pair.asJsonArray();
                attributes.add(nameValue.getString(0) + "=\"" + nameValue.getString(1) + "\"");
            }
        }
        if (input.containsKey("attributeList")) {
            for (JsonValue attribute : input.getJsonArray("attributeList")) {
                attributes.add(((JsonString) attribute).getString());
            }
        }
        return attributes;
    }

    private static String describeMismatch(int index, String kind, JsonObject input, byte[] expectedBytes,
                                           byte[] actualBytes) {
        String expected = new String(expectedBytes, StandardCharsets.UTF_8);
        String actual = new String(actualBytes, StandardCharsets.UTF_8);
        String[] expectedLines = expected.split("\n", -1);
        String[] actualLines = actual.split("\n", -1);
        int line = 0;
        while (line < expectedLines.length && line < actualLines.length && expectedLines[line].equals(actualLines[line])) {
            line++;
        }
        StringBuilder out = new StringBuilder();
        out.append("case #").append(index).append(" (").append(kind).append(") input ").append(asciiJson(input))
                .append("\nfirst difference in line ").append(line + 1)
                .append("\n  JS SDK: ").append(line < expectedLines.length ? '"' + escape(expectedLines[line]) + '"' : "<none>")
                .append("\n  ours:   ").append(line < actualLines.length ? '"' + escape(actualLines[line]) + '"' : "<none>")
                .append("\nJS SDK wrote: \"").append(escape(expected)).append('"')
                .append("\nwe wrote:     \"").append(escape(actual)).append('"');
        return out.toString();
    }

    /** The input as JSON with every non-ASCII character escaped (JSON already escapes the rest). */
    private static String asciiJson(JsonObject input) {
        StringBuilder out = new StringBuilder();
        input.toString().chars().forEach(c -> out.append(c < 0x7f ? String.valueOf((char) c) : String.format("\\u%04x", c)));
        return out.toString();
    }

    /** Printable ASCII as is, everything else as a Java escape, so invisible differences show. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        out.append(c);
                    } else {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
        return out.toString();
    }

    /** Runs {@code command} in {@code dir}, output to {@code log}; fails with the log on error or timeout. */
    private static void run(List<String> command, Path dir, Path log, Duration timeout)
            throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + " (" + e.getMessage()
                    + "): this test needs Node.js 20+ and npm on the PATH", e);
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within " + timeout + "; output:\n" + Files.readString(log));
        }
        if (process.exitValue() != 0) {
            fail(String.join(" ", command) + " in " + dir + " exited with " + process.exitValue() + "; output:\n"
                    + Files.readString(log));
        }
    }
}
