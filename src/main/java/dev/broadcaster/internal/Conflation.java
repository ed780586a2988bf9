package dev.broadcaster.internal;

import dev.broadcaster.SseEvent;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a live event of a conflating channel ({@code broadcaster.conflate}) makes useless when it finds an older one
 * still waiting in a connection's backlog: the older one is dropped and the newer queued at the end, so the client
 * gets the same final state with fewer events, and events of different targets keep their order.
 * <ul>
 *   <li>A Datastar {@code datastar-patch-elements} that replaces what it targets (mode {@code outer}, the default,
 *       {@code inner} or {@code replace}) supersedes an older one of the same mode and target: the same
 *       {@code selector}, or, without one, the same set of element ids in its elements. Patches that add
 *       ({@code append}, {@code prepend}, {@code before}, {@code after}) or remove, scripts, and patches without a
 *       selector or an id never do.
 *   <li>A {@code datastar-patch-signals} supersedes an older one whose top-level keys are all among its own, unless
 *       it gives one of them an object (a JSON merge patch merges objects: the older values inside would count) or
 *       either is {@code onlyIfMissing}.
 *   <li>Any other named event (an htmx 2 {@code sse-swap} target) supersedes an older one of the same name: a
 *       channel is declared conflating only when its named events replace what they target.
 *   <li>Unnamed events (htmx 4 swaps, JSON messages) and the library's own events are never conflated.
 * </ul>
 * Computed once per frame ({@link Frame#conflation()}), from the event alone, so every node of a cluster decides
 * alike.
 */
final class Conflation {

    /** A frame that supersedes nothing and is superseded by nothing. */
    static final Conflation NONE = new Conflation(Kind.NONE, "", Set.of(), Set.of());

    private static final Pattern ID = Pattern.compile("\\sid\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)')");
    private static final Set<String> REPLACING_MODES = Set.of("outer", "inner", "replace");

    private enum Kind { NONE, ELEMENTS, SIGNALS, NAMED }

    private final Kind kind;
    private final String target; // elements: mode and selector or ids; named: the name
    private final Set<String> keys; // signals: its top-level keys
    private final Set<String> mergedKeys; // signals: the keys whose value is an object (merged, not replaced)

    private Conflation(Kind kind, String target, Set<String> keys, Set<String> mergedKeys) {
        this.kind = kind;
        this.target = target;
        this.keys = keys;
        this.mergedKeys = mergedKeys;
    }

    /** What {@code event} (null: a comment) supersedes in a conflating channel. */
    static Conflation of(SseEvent event) {
        if (event == null || event.name() == null || ControlEvents.reserved(event.name())) {
            return NONE;
        }
        return switch (event.name()) {
            case "datastar-patch-elements" -> elements(event.data());
            case "datastar-patch-signals" -> signals(event.data());
            default -> event.name().startsWith("datastar-") ? NONE
                    : new Conflation(Kind.NAMED, event.name(), Set.of(), Set.of());
        };
    }

    /** Whether this (newer) event makes {@code older}, of the same channel, useless. */
    boolean supersedes(Conflation older) {
        if (kind == Kind.NONE || older.kind != kind) {
            return false;
        }
        if (kind == Kind.SIGNALS) {
            if (!keys.containsAll(older.keys)) {
                return false;
            }
            for (String key : older.keys) {
                if (mergedKeys.contains(key)) {
                    return false;
                }
            }
            return true;
        }
        return target.equals(older.target);
    }

    private static Conflation elements(String data) {
        String selector = null;
        String mode = "outer";
        StringBuilder elements = new StringBuilder();
        for (String line : data.split("\n", -1)) {
            if (line.startsWith("selector ")) {
                selector = line.substring("selector ".length());
            } else if (line.startsWith("mode ")) {
                mode = line.substring("mode ".length());
            } else if (line.startsWith("elements ")) {
                elements.append(line, "elements ".length(), line.length()).append('\n');
            }
        }
        if (!REPLACING_MODES.contains(mode)) {
            return NONE;
        }
        if (selector != null && !selector.isEmpty()) {
            return new Conflation(Kind.ELEMENTS, mode + " selector " + selector, Set.of(), Set.of());
        }
        Set<String> ids = new TreeSet<>();
        Matcher matcher = ID.matcher(elements);
        while (matcher.find()) {
            ids.add(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
        }
        return ids.isEmpty() ? NONE : new Conflation(Kind.ELEMENTS, mode + " ids " + ids, Set.of(), Set.of());
    }

    private static Conflation signals(String data) {
        StringBuilder json = new StringBuilder();
        for (String line : data.split("\n", -1)) {
            if (line.startsWith("onlyIfMissing ") && line.substring("onlyIfMissing ".length()).trim().equals("true")) {
                return NONE;
            }
            if (line.startsWith("signals ")) {
                json.append(line, "signals ".length(), line.length()).append('\n');
            }
        }
        JsonObject signals;
        try (JsonReader reader = Json.createReader(new StringReader(json.toString()))) {
            signals = reader.readObject();
        } catch (JsonException | IllegalStateException e) {
            return NONE;
        }
        Set<String> merged = new TreeSet<>();
        signals.forEach((key, value) -> {
            if (value.getValueType() == JsonValue.ValueType.OBJECT) {
                merged.add(key);
            }
        });
        return signals.isEmpty() ? NONE : new Conflation(Kind.SIGNALS, "", Set.copyOf(signals.keySet()), Set.copyOf(merged));
    }
}
