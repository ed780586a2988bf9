package dev.broadcaster.bench.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses one flat JSON object (no nested objects or arrays): values are {@link String}, {@link Double},
 * {@link Boolean} or {@code null}. Keys keep their order.
 */
final class FlatJson {
    private final String s;
    private int p;

    private FlatJson(String s) {
        this.s = s;
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException saying where and why the text is not a flat JSON object
     */
    static Map<String, Object> parse(String text) {
        return new FlatJson(text).object();
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        expect('{');
        if (peek() == '}') {
            p++;
            return end(m);
        }
        while (true) {
            String key = string();
            expect(':');
            m.put(key, value());
            char c = next();
            if (c == '}') {
                return end(m);
            }
            if (c != ',') {
                throw error("expected , or }");
            }
        }
    }

    private Map<String, Object> end(Map<String, Object> m) {
        if (peek() != 0) {
            throw error("text after the object");
        }
        return m;
    }

    private Object value() {
        char c = peek();
        if (c == '"') {
            return string();
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
        }
        if (s.startsWith("true", p)) {
            p += 4;
            return Boolean.TRUE;
        }
        if (s.startsWith("false", p)) {
            p += 5;
            return Boolean.FALSE;
        }
        if (s.startsWith("null", p)) {
            p += 4;
            return null;
        }
        throw error(c == '{' || c == '[' ? "nested values are not supported" : "unexpected character");
    }

    private Double number() {
        int start = p;
        while (p < s.length() && "+-0123456789.eE".indexOf(s.charAt(p)) >= 0) {
            p++;
        }
        try {
            return Double.valueOf(s.substring(start, p));
        } catch (NumberFormatException e) {
            throw error("bad number");
        }
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            if (p >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(p++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (p >= s.length()) {
                throw error("unterminated escape");
            }
            char e = s.charAt(p++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (p + 4 > s.length()) {
                        throw error("bad \\u escape");
                    }
                    try {
                        b.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    p += 4;
                }
                default -> throw error("bad escape");
            }
        }
    }

    private void expect(char c) {
        if (next() != c) {
            throw error("expected " + c);
        }
    }

    /** The next non-blank character, consumed; 0 at the end. */
    private char next() {
        char c = peek();
        if (c != 0) {
            p++;
        }
        return c;
    }

    /** The next non-blank character, not consumed; 0 at the end. */
    private char peek() {
        while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
            p++;
        }
        return p < s.length() ? s.charAt(p) : 0;
    }

    private IllegalArgumentException error(String why) {
        return new IllegalArgumentException(why + " at character " + p);
    }
}
