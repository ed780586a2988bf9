package dev.broadcaster.datastar;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How Datastar patches elements into the DOM ({@code outer} is the default). */
public enum ElementPatchMode {
    /** Morph the whole target element, preserving state. */
    OUTER,
    /** Morph the target's inner HTML, preserving state. */
    INNER,
    /** Replace the whole target element, resetting state. */
    REPLACE,
    /** Insert at the beginning inside the target. */
    PREPEND,
    /** Insert at the end inside the target. */
    APPEND,
    /** Insert before the target. */
    BEFORE,
    /** Insert after the target. */
    AFTER,
    /** Remove the target. */
    REMOVE;

    /** The name used on the wire, e.g. {@code outer}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode named {@code wireName} (case-sensitive, as on the wire). */
    public static ElementPatchMode fromWireName(String wireName) {
        for (ElementPatchMode mode : values()) {
            if (mode.wireName().equals(wireName)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown patch mode '" + wireName + "'; expected one of "
                + Arrays.stream(values()).map(ElementPatchMode::wireName).collect(Collectors.joining(", ")));
    }
}
