package dev.broadcaster.bench.load;

import java.util.Locale;

/**
 * Builds one flat JSON object on one line, fields in the order they are added: strings (escaped), numbers
 * (non-finite doubles are written as -1), booleans, null.
 */
final class JsonLine {
    private final StringBuilder sb = new StringBuilder("{");

    JsonLine put(String name, String value) {
        key(name);
        quote(value);
        return this;
    }

    JsonLine put(String name, long value) {
        key(name);
        sb.append(value);
        return this;
    }

    /** A double with up to 3 decimals. */
    JsonLine put(String name, double value) {
        key(name);
        if (!Double.isFinite(value)) {
            sb.append(-1);
        } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            sb.append((long) value);
        } else {
            sb.append(String.format(Locale.ROOT, "%.3f", value));
        }
        return this;
    }

    /** {@code null}: a figure that could not be measured. */
    JsonLine putNull(String name) {
        key(name);
        sb.append("null");
        return this;
    }

    JsonLine put(String name, boolean value) {
        key(name);
        sb.append(value);
        return this;
    }

    @Override
    public String toString() {
        return sb + "}";
    }

    private void key(String name) {
        if (sb.length() > 1) {
            sb.append(", ");
        }
        quote(name);
        sb.append(": ");
    }

    private void quote(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
