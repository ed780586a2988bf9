package dev.broadcaster.datastar;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The namespace Datastar parses patched elements in: {@code html} (the default, never written on the wire),
 * {@code svg} or {@code mathml}, so that a fragment such as {@code <circle>} becomes an SVG element, not an
 * unknown HTML one.
 */
public enum ElementNamespace {
    /** HTML (the default). */
    HTML,
    /** SVG: elements patched into an {@code <svg>}. */
    SVG,
    /** MathML: elements patched into a {@code <math>}. */
    MATHML;

    /** The name used on the wire, e.g. {@code svg}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The namespace named {@code wireName} (case-sensitive, as on the wire). */
    public static ElementNamespace fromWireName(String wireName) {
        for (ElementNamespace namespace : values()) {
            if (namespace.wireName().equals(wireName)) {
                return namespace;
            }
        }
        throw new IllegalArgumentException("unknown namespace '" + wireName + "'; expected one of "
                + Arrays.stream(values()).map(ElementNamespace::wireName).collect(Collectors.joining(", ")));
    }
}
