package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Generators shared by the property classes that encode SSE messages: text full of line-break and
 * field look-alike traps, single-line names and ids, retries, selectors, HTML, script attributes, JSON
 * text values and JSON documents. The property classes extend this class, and jqwik resolves their
 * {@code @ForAll("name")} parameters against the {@code @Provide} methods inherited from here.
 *
 * <p>What differs between the property classes is left to them: how long a generated line may get
 * (the constructor's {@code maxLongLineLength}, {@link #repeatedCodePoint()}), which SSE traps are mixed
 * into text ({@link #specialFragment()}), and extra fixed values appended to the names and ids, the
 * selectors and the HTML tags.
 *
 * <p>It also holds the helpers both classes read encoded text back with: {@link #strictUtf8},
 * {@link #normalise}, {@link #splitLines} and {@link #visible}.
 */
abstract class SseInputGenerators {

    private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\r|\n");

    /** The longest printable-ASCII line {@link #textFragment()} may produce. */
    private final int maxLongLineLength;

    SseInputGenerators(int maxLongLineLength) {
        this.maxLongLineLength = maxLongLineLength;
    }

    // ---------------------------------------------------------------------------------------------
    // What a subclass decides

    /** A long line of one code point repeated; how often is the subclass's. */
    protected abstract Arbitrary<String> repeatedCodePoint();

    /** Fragments that matter to an SSE reader: line breaks, NUL, BOM, spaces, colons, field look-alikes. */
    protected abstract Arbitrary<String> specialFragment();

    /** Fixed names and ids offered besides generated single lines, after the common ones. */
    protected String[] extraNamesAndIds() {
        return new String[0];
    }

    /** CSS-like selectors offered after the common ones. */
    protected String[] extraSelectors() {
        return new String[0];
    }

    /** HTML tags and pieces mixed into generated HTML, after the common ones. */
    protected String[] extraHtmlTags() {
        return new String[0];
    }

    // ---------------------------------------------------------------------------------------------
    // Reading text back, for the properties' expectations and failure messages

    /** The bytes as strict UTF-8 (malformed or unmappable input fails the try). */
    protected static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return fail("wire bytes are not valid UTF-8", e);
        }
    }

    /** CRLF, CR and LF all as LF. */
    protected static String normalise(String text) {
        return LINE_BREAK.matcher(text).replaceAll("\n");
    }

    /** The lines of {@code text}, split at CRLF, CR or LF. */
    protected static List<String> splitLines(String text) {
        return Arrays.asList(LINE_BREAK.split(text, -1));
    }

    /** The text with control characters made visible, cut after {@code maxShown} characters. */
    protected static String visible(String text, int maxShown) {
        String shown = text.length() > maxShown
                ? text.substring(0, maxShown) + "…(" + text.length() + " chars)"
                : text;
        StringBuilder out = new StringBuilder();
        shown.chars().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.append((char) c);
            }
        });
        return out.toString();
    }

    // ---------------------------------------------------------------------------------------------
    // Text

    /** Any Unicode scalar value (no lone surrogates). */
    protected static Arbitrary<String> codePoint() {
        return Arbitraries.integers().between(0, 0x10FFFF)
                .filter(cp -> cp < 0xD800 || cp > 0xDFFF)
                .map(Character::toString);
    }

    protected static Arbitrary<String> controlChar() {
        return Arbitraries.oneOf(
                Arbitraries.chars().range('\u0000', '\u001F'),
                Arbitraries.chars().range('\u007F', '\u009F'))
                .map(String::valueOf);
    }

    private Arbitrary<String> longLine() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1_000).ofMaxLength(maxLongLineLength),
                repeatedCodePoint());
    }

    protected Arbitrary<String> textFragment() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, codePoint()),
                Tuple.of(6, specialFragment()),
                Tuple.of(3, controlChar()),
                Tuple.of(4, Arbitraries.strings().ascii().ofMaxLength(12)),
                Tuple.of(1, longLine()));
    }

    protected static Arbitrary<String> text(Arbitrary<String> fragment, int maxFragments) {
        return fragment.list().ofMaxSize(maxFragments).map(parts -> String.join("", parts));
    }

    private static String withoutForbidden(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\r' && c != '\n' && c != '\0') {
                out.append(c);
            }
        }
        return out.toString();
    }

    protected Arbitrary<String> singleLine() {
        return text(textFragment(), 10).map(SseInputGenerators::withoutForbidden);
    }

    /** {@code values}, then {@code extras}. */
    private static String[] appending(String[] extras, String... values) {
        String[] all = Arrays.copyOf(values, values.length + extras.length);
        System.arraycopy(extras, 0, all, values.length, extras.length);
        return all;
    }

    @Provide
    Arbitrary<String> anyText() {
        return text(textFragment(), 40);
    }

    @Provide
    Arbitrary<String> singleLineOrNull() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, singleLine()),
                Tuple.of(1, Arbitraries.of(appending(extraNamesAndIds(),
                        "", " ", ":", " x", "message", "\uFEFF", "a b"))))
                .injectNull(0.25);
    }

    /** Retries from 0 to {@link dev.broadcaster.SseEvent#MAX_RETRY} (one hour), its bounds included. */
    @Provide
    Arbitrary<Long> retryMillisOrNull() {
        long max = dev.broadcaster.SseEvent.MAX_RETRY.toMillis();
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.longs().between(0, max)),
                Tuple.of(4, Arbitraries.longs().between(0, 100_000)),
                Tuple.of(1, Arbitraries.of(0L, 1L, 999L, 1000L, 1001L, max)))
                .injectNull(0.3);
    }

    // ---------------------------------------------------------------------------------------------
    // Datastar inputs

    @Provide
    Arbitrary<String> selectorOrNull() {
        Arbitrary<String> cssLike = Arbitraries.of(appending(extraSelectors(),
                "#feed", "body", "#a > .b", "[data-x=\"y\"]", "li:nth-child(2)", "#日本", " ", "  #padded  "));
        Arbitrary<String> generated = text(textFragment(), 6).map(s -> s.replace("\r", "").replace("\n", ""));
        return Arbitraries.frequencyOf(Tuple.of(2, cssLike), Tuple.of(2, generated), Tuple.of(1, Arbitraries.just("")))
                .injectNull(0.3);
    }

    @Provide
    Arbitrary<String> html() {
        Arbitrary<String> tag = Arbitraries.of(appending(extraHtmlTags(),
                "<div id=\"x\">", "</div>", "<li>", "</li>", "<p class=\"a b\">",
                "</p>", "<br/>", "<!-- note -->", "&amp;", "&lt;script&gt;", "<span>\u00e9\u6f22</span>",
                "<svg><path d=\"M0 0\"/></svg>", "    ", "\t"));
        Arbitrary<String> fragment = Arbitraries.frequencyOf(
                Tuple.of(5, tag),
                Tuple.of(5, textFragment()));
        Arbitrary<String> blank = Arbitraries.of("", " ", "\n", "\r\n", " \t\r\n ", "\r", "\u2003");
        return Arbitraries.frequencyOf(
                Tuple.of(12, text(fragment, 30)),
                Tuple.of(1, blank));
    }

    @Provide
    Arbitrary<List<String>> attributes() {
        Arbitrary<String> attribute = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of("type=\"module\"", "nonce=\"abc\"", "async", "data-x='日本'")),
                Tuple.of(1, singleLine().map(s -> s.replace(">", ""))));
        return attribute.list().ofMaxSize(3);
    }

    // ---------------------------------------------------------------------------------------------
    // Typed JSON messages

    @Provide
    Arbitrary<String> jsonTextValue() {
        return text(Arbitraries.frequencyOf(
                Tuple.of(5, codePoint()),
                Tuple.of(3, controlChar()),
                Tuple.of(3, specialFragment()),
                Tuple.of(3, Arbitraries.of("\"", "\\", "\\u0000", "</script>", "{\"a\":1}", "\u2028", "\u2029"))), 15);
    }

    @Provide
    Arbitrary<Map<String, String>> stringMap() {
        return Arbitraries.maps(jsonTextValue(), jsonTextValue()).ofMaxSize(6);
    }

    // ---------------------------------------------------------------------------------------------
    // JSON documents as text: objects, arrays, strings with raw and escaped Unicode, numbers, literals;
    // compact or pretty-printed with LF, CRLF, CR or mixed line breaks.

    /** A JSON value already rendered as text with a chosen layout, built bottom-up. */
    private record RenderedJson(String compact, List<String> prettyLines) {

        static RenderedJson leaf(String text) {
            return new RenderedJson(text, List.of(text));
        }
    }

    private static Arbitrary<String> jsonStringLiteral() {
        Arbitrary<String> escapedBmp = Arbitraries.chars().all().map(c -> String.format("\\u%04x", (int) c));
        Arbitrary<String> escapedPair = Arbitraries.integers().between(0x10000, 0x10FFFF).map(cp -> {
            char[] units = Character.toChars(cp);
            return String.format("\\u%04X\\u%04X", (int) units[0], (int) units[1]);
        });
        Arbitrary<String> raw = codePoint().filter(s -> {
            int cp = s.codePointAt(0);
            return cp >= 0x20 && cp != '"' && cp != '\\';
        });
        Arbitrary<String> shortEscape = Arbitraries.of("\\n", "\\r", "\\t", "\\\"", "\\\\", "\\/", "\\b", "\\f");
        Arbitrary<String> fragment = Arbitraries.frequencyOf(
                Tuple.of(4, raw),
                Tuple.of(2, escapedBmp.filter(s -> !isLoneSurrogateEscape(s))),
                Tuple.of(1, escapedPair),
                Tuple.of(2, shortEscape),
                Tuple.of(2, Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(8)),
                Tuple.of(1, Arbitraries.of("data: x", ": y", " ", "\u2028", "\uFEFF")));
        return fragment.list().ofMaxSize(12).map(parts -> "\"" + String.join("", parts) + "\"");
    }

    private static boolean isLoneSurrogateEscape(String escape) {
        int unit = Integer.parseInt(escape.substring(2), 16);
        return unit >= 0xD800 && unit <= 0xDFFF;
    }

    private static Arbitrary<RenderedJson> jsonLeaf() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, jsonStringLiteral()),
                Tuple.of(2, Arbitraries.longs().map(String::valueOf)),
                Tuple.of(1, Arbitraries.of("0.5", "-1.25e10", "3E-2", "0")),
                Tuple.of(1, Arbitraries.of("true", "false", "null")))
                .map(RenderedJson::leaf);
    }

    private static Arbitrary<RenderedJson> jsonValue(int depth) {
        if (depth == 0) {
            return jsonLeaf();
        }
        Arbitrary<RenderedJson> child = Arbitraries.lazy(() -> jsonValue(depth - 1));
        return Arbitraries.frequencyOf(
                Tuple.of(4, jsonLeaf()),
                Tuple.of(1, child.list().ofMaxSize(4).map(SseInputGenerators::array)),
                Tuple.of(2, jsonObject(child)));
    }

    private static Arbitrary<RenderedJson> jsonObject(Arbitrary<RenderedJson> member) {
        return Combinators.combine(jsonStringLiteral(), member).as(Tuple::of).list().ofMaxSize(5)
                .uniqueElements(entry -> entry.get1())
                .map(entries -> {
                    List<String> compactMembers = new ArrayList<>();
                    List<List<String>> prettyMembers = new ArrayList<>();
                    for (Tuple.Tuple2<String, RenderedJson> entry : entries) {
                        compactMembers.add(entry.get1() + ":" + entry.get2().compact());
                        List<String> lines = new ArrayList<>(entry.get2().prettyLines());
                        lines.set(0, entry.get1() + ": " + lines.get(0));
                        prettyMembers.add(lines);
                    }
                    return container("{", "}", compactMembers, prettyMembers);
                });
    }

    private static RenderedJson array(List<RenderedJson> elements) {
        List<String> compact = elements.stream().map(RenderedJson::compact).toList();
        List<List<String>> pretty = elements.stream().map(RenderedJson::prettyLines).toList();
        return container("[", "]", compact, pretty);
    }

    private static RenderedJson container(String open, String close, List<String> compactMembers,
                                          List<List<String>> prettyMembers) {
        String compact = open + String.join(",", compactMembers) + close;
        if (prettyMembers.isEmpty()) {
            return new RenderedJson(compact, List.of(open + close));
        }
        List<String> lines = new ArrayList<>();
        lines.add(open);
        for (int i = 0; i < prettyMembers.size(); i++) {
            List<String> member = prettyMembers.get(i);
            for (int j = 0; j < member.size(); j++) {
                boolean lastLineOfMember = j == member.size() - 1;
                boolean needsComma = lastLineOfMember && i < prettyMembers.size() - 1;
                lines.add("  " + member.get(j) + (needsComma ? "," : ""));
            }
        }
        lines.add(close);
        return new RenderedJson(compact, lines);
    }

    @Provide
    Arbitrary<String> jsonDocument() {
        Arbitrary<RenderedJson> document = jsonObject(Arbitraries.lazy(() -> jsonValue(2)));
        Arbitrary<String> layout = Arbitraries.of("compact", "\n", "\r\n", "\r", "mixed");
        return Combinators.combine(document, layout, Arbitraries.of("", "\n", "\r\n", "\r", " ", "\n\n"))
                .as((json, style, trailing) -> render(json, style) + trailing);
    }

    private static String render(RenderedJson json, String style) {
        if (style.equals("compact")) {
            return json.compact();
        }
        if (!style.equals("mixed")) {
            return String.join(style, json.prettyLines());
        }
        String[] breaks = {"\n", "\r\n", "\r"};
        StringBuilder out = new StringBuilder();
        List<String> lines = json.prettyLines();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) {
                out.append(breaks[i % breaks.length]);
            }
            out.append(lines.get(i));
        }
        return out.toString();
    }

    /**
     * Blank as the Datastar JavaScript SDK's {@code trim()} sees it (ECMAScript white space and line
     * terminators): the rule the Datastar types follow.
     */
    static boolean jsBlank(String text) {
        return text.chars().allMatch(c -> c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r' || c == ' '
                || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029
                || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF);
    }
}
