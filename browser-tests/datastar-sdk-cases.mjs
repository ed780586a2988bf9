// Reference outputs of the official Datastar JavaScript SDK (@starfederation/datastar-sdk, pinned to
// 1.0.0 in package.json / package-lock.json) for generated inputs. DatastarSdkParityTest (Java) runs
//
//     node browser-tests/datastar-sdk-cases.mjs target/datastar-sdk-cases.json
//
// and checks that the Java encoder writes exactly `expected` for every `input`.
//
// Output: a JSON array of {kind, input, expected}, kind one of patchElements, removeElements,
// patchSignals, executeScript. The cases are a pure function of SEED and COUNT (own PRNG, no
// Math.random, no clock), so every run and every machine gets the same file.
//
// Option order: for patchElements the JS SDK writes one data line per option in the key order of the
// options object it is given, so the options are passed in the order ours writes them, the Go SDK's
// (selector, mode, namespace, useViewTransition); for executeScript both write "mode append" then
// "selector body". SDK 1.0.0 has no viewTransitionSelector option (Datastar 1.0.2): it is not generated
// here, and PayloadWireFormatTest checks its line against golden bytes instead.
//
// Inputs stay inside the domain where both SDKs define the same result:
// - no CR anywhere: the JS SDK splits only on "\n", ours also on CR and CRLF (deliberate, so that no
//   text can end an SSE line on its own terms);
// - selectors, event ids and script attributes are single-line (ours rejects line breaks there; the
//   JS SDK would write one extra data line per line), ids hold no NUL, attributes no '>' or '"';
// - element texts are empty, ASCII-blank, or hold a visible character: "blank" differs between
//   String.isBlank (Java) and String.prototype.trim (JS) only for rare code points such as U+00A0,
//   U+FEFF (trimmed by JS, not blank for Java) or U+001C..U+001F (the reverse);
// - no empty selector (ours treats "" as no selector, the JS SDK writes "selector " for it);
// - no lone surrogates (not encodable as UTF-8).

import { readFileSync, writeFileSync } from "node:fs";
import { ServerSentEventGenerator } from "@starfederation/datastar-sdk/abstractServerSentEventGenerator";

const SEED = 0x5eed_2025;
const COUNT = 400;

const out = process.argv[2];
if (!out) {
    console.error("usage: node datastar-sdk-cases.mjs <output.json>");
    process.exit(2);
}

// The abstract generator's send() returns the SSE text as an array of strings instead of writing it,
// which is exactly the text the runtime generators (node, web) write to the response.
const sdk = new ServerSentEventGenerator();
const text = (lines) => lines.join("");

// ---------------------------------------------------------------------------------------------------
// mulberry32: a small, well-known 32-bit PRNG

function mulberry32(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const random = mulberry32(SEED);
const int = (n) => Math.floor(random() * n); // 0 .. n-1
const chance = (p) => random() < p;
const pick = (array) => array[int(array.length)];

// ---------------------------------------------------------------------------------------------------
// Text pieces

const WORDS = [
    "hello", "world", "Datastar", "lobby", "count", "x", "42", "a b", "  spaced  ", "tab\there",
    "quote\"d", "it's", "&amp;", "&lt;b&gt;", "<", ">", "</div>", "\\", "back\\slash", "{json}",
    "data: fake", "event: fake", "id: 9", "retry: 1", ": comment", "elements x", "selector #y",
    "café", "naïve", "Größe", "日本語", "中文字符", "한국어", "Ελληνικά", "кириллица",
    "😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝄞",
    "שלום עולם", "مرحبا بالعالم", "\u202eRTL override\u202c", "\u200fRLM\u200e", "ab\u200bcd",
    "e\u0301", "a\u0308\u0304", "n\u0303", "Z\u0351\u036b\u0343\u036a", "\u0915\u094d\u0937",
    "\u00a0nbsp\u00a0", "soft\u00adhyphen", "line\u2028sep", "para\u2029sep", "nel\u0085", "\u0007bell",
    "\ufeffbom", "\ufffd", "\u{10ffff}", "\u{1f9d1}\u200d\u{1f4bb}",
];

function words(min, max) {
    const n = min + int(max - min + 1);
    const parts = [];
    for (let i = 0; i < n; i++) parts.push(pick(WORDS));
    return parts.join(pick([" ", "", "  ", "\t"]));
}

const TAGS = ["div", "span", "li", "ul", "p", "section", "button", "svg", "td", "template"];
const ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_";

function ident() {
    const n = 1 + int(8);
    let s = "";
    for (let i = 0; i < n; i++) s += ID_CHARS[int(ID_CHARS.length)];
    return chance(0.1) ? s + pick(["é", "日", "ש"]) : s;
}

function htmlElement(depth) {
    const tag = pick(TAGS);
    const attrs = [];
    if (chance(0.7)) attrs.push(` id="${ident()}"`);
    if (chance(0.3)) attrs.push(` class="${ident()} ${ident()}"`);
    if (chance(0.2)) attrs.push(` data-on:click="@post('/x/${ident()}')"`);
    if (chance(0.1)) attrs.push(` title="${words(1, 2).replaceAll('"', "&quot;")}"`);
    const nl = chance(0.4) ? "\n" : "";
    const indent = nl ? pick(["", "  ", "    ", "\t"]) : "";
    let body = "";
    const children = depth > 0 ? int(4) : 0;
    for (let i = 0; i < children; i++) {
        body += nl + indent + (chance(0.6) ? htmlElement(depth - 1) : words(1, 4));
    }
    if (children === 0 && chance(0.8)) body = words(0, 5);
    return `<${tag}${attrs.join("")}>${body}${nl}</${tag}>`;
}

/** Non-blank HTML: single or multi-line, with blank lines, trailing spaces, leading/trailing newlines. */
function html() {
    const parts = [];
    const n = 1 + int(3);
    for (let i = 0; i < n; i++) parts.push(htmlElement(int(4)));
    let s = parts.join(pick(["", "\n", "\n\n", "\n  \n"]));
    if (chance(0.1)) s = "\n" + s;
    if (chance(0.15)) s = s + pick(["\n", "\n\n", "  ", " \n"]);
    if (chance(0.05)) s = pick(["x", "<br>", "😀", "\n<hr>\n"]); // minimal
    return s;
}

const SELECTORS = [
    "#feed", "#messages", ".item", "body", "main > ul li:last-child", "#a, #b", "[data-id=\"7\"]",
    "div[title='x y']", "ul#list > li.item:nth-child(2n+1)", "#caf\u00e9", "#\u05ea\u05d9\u05d1\u05d4",
    ".\u{1f600}", "#a\\:b", "svg circle", "*", " #padded ", "#x::before", ":root",
    "#with\ttab", "[lang|=\"ar\"] .\u0645\u0631\u062d\u0628\u0627", "#e\u0301",
];

function selector() {
    return chance(0.7) ? pick(SELECTORS) : pick(["#", ".", ""]) + ident() + (chance(0.3) ? " > " + pick(TAGS) : "");
}

function eventId() {
    return pick([
        () => String(int(100000)),
        () => `${int(1000)}-${int(1000)}`,
        () => "",
        () => "0",
        () => ident(),
        () => "8f14e45f-ceea-467f-a0e1-2fa3b7c0e1d4",
        () => "id with spaces",
        () => " leading",
        () => "trailing ",
        () => "colon:inside",
        () => "\u00e9v\u00e9nement-\u{1f680}",
        () => "\u05d0\u05d1\u05d2-1",
    ])();
}

// up to the library's cap, SseEvent.MAX_RETRY (one hour), its bound included
function retryDuration() {
    return pick([0, 1, 500, 999, 1000, 1000, 1001, 2000, 3000, 5000, 30000, 3_600_000, 3_599_999, 1_800_000]);
}

const MODES = ["outer", "inner", "replace", "prepend", "append", "before", "after", "remove"];
const NAMESPACES = ["html", "svg", "mathml"];

// ---------------------------------------------------------------------------------------------------
// JSON for signals

function jsonValue(depth) {
    const kind = depth <= 0 ? int(5) : int(7);
    switch (kind) {
        case 0: return null;
        case 1: return chance(0.5);
        case 2: return pick([0, 1, -1, 42, 3.14, -0.5, 1e21, 1.5e-7, 2 ** 53 - 1, int(100000)]);
        case 3: return words(0, 3);
        case 4: return pick(["", "line1\nline2", "tab\tand\u0000nul", "</script>", "\u2028\u2029", "\"quoted\""]);
        case 5: {
            const n = int(4);
            const a = [];
            for (let i = 0; i < n; i++) a.push(jsonValue(depth - 1));
            return a;
        }
        default: return jsonObject(depth - 1);
    }
}

function jsonObject(depth) {
    const o = {};
    const n = int(5);
    for (let i = 0; i < n; i++) {
        const key = pick([ident(), "count", "user", "show", "nested", "caf\u00e9", "\u{1f600}", "a b", "_x", "$y"]);
        o[key] = jsonValue(depth);
    }
    return o;
}

/** JSON text: compact or pretty-printed (multi-line), sometimes with extra surrounding whitespace. */
function signalsText() {
    const value = chance(0.95) ? jsonObject(1 + int(3)) : { [ident()]: jsonValue(2) };
    let s = JSON.stringify(value, null, pick([undefined, undefined, 2, 4, "\t"]));
    if (chance(0.1)) s = s + "\n";
    if (chance(0.05)) s = "  " + s;
    return s;
}

// ---------------------------------------------------------------------------------------------------
// Cases

function sendOptions(input) {
    const o = {};
    if (chance(0.35)) input.eventId = o.eventId = eventId();
    if (chance(0.35)) input.retryDuration = o.retryDuration = retryDuration();
    return o;
}

/** Merges the id/retry options in at a random place: their position must not matter. */
function withSendOptions(options, send) {
    const before = chance(0.5);
    return before ? { ...send, ...options } : { ...options, ...send };
}

function patchElementsCase() {
    const input = {};
    const mode = chance(0.25) ? undefined : pick(MODES);
    const sel = chance(0.45) || mode === "remove" && chance(0.7) ? selector() : undefined;
    const removeBySelector = mode === "remove" && sel !== undefined;
    const elements = removeBySelector && chance(0.6) ? pick(["", "", " ", "\n", " \t\n  "]) : html();
    const uvt = pick([undefined, undefined, false, true]);
    const namespace = chance(0.5) ? undefined : pick(NAMESPACES);
    input.elements = elements;
    // The JS SDK writes the option lines in the key order of this object; ours writes selector,
    // mode, namespace, useViewTransition, so the options are given in that order. Default values
    // (mode "outer", namespace "html", useViewTransition false) are sometimes passed explicitly:
    // both SDKs omit them.
    const options = {};
    if (sel !== undefined) input.selector = options.selector = sel;
    if (mode !== undefined) input.mode = options.mode = mode;
    if (namespace !== undefined) input.namespace = options.namespace = namespace;
    if (uvt !== undefined) input.useViewTransition = options.useViewTransition = uvt;
    const send = sendOptions(input);
    const all = withSendOptions(options, send);
    const expected = text(Object.keys(all).length === 0 && chance(0.5)
        ? sdk.patchElements(elements)
        : sdk.patchElements(elements, all));
    return { kind: "patchElements", input, expected };
}

function removeElementsCase() {
    const input = {};
    const sel = selector();
    input.selector = sel;
    const send = sendOptions(input);
    const expected = text(sdk.removeElements(sel, undefined, send));
    return { kind: "removeElements", input, expected };
}

function patchSignalsCase() {
    const input = {};
    input.signals = signalsText();
    const options = {};
    const only = pick([undefined, false, true, true]);
    if (only !== undefined) input.onlyIfMissing = options.onlyIfMissing = only;
    const send = sendOptions(input);
    const all = withSendOptions(options, send);
    const expected = text(sdk.patchSignals(input.signals, all));
    return { kind: "patchSignals", input, expected };
}

const ATTRIBUTE_NAMES = ["type", "nonce", "crossorigin", "data-x", "referrerpolicy", "data-caf\u00e9", "integrity"];
const ATTRIBUTE_VALUES = ["module", "text/javascript", "anonymous", "", "r4nd0m==", "no-referrer",
    "caf\u00e9 \u{1f600}", "\u05e9\u05dc\u05d5\u05dd", "a'b", "sha384-abc/def+ghi"];

function script() {
    return pick([
        () => "console.log('hi')",
        () => `document.title = ${JSON.stringify(words(1, 3))}`,
        () => "if (x) {\n  alert(\"\u{1f600}\")\n}\n",
        () => `const s = ${JSON.stringify(signalsText())};\nconsole.log(JSON.parse(s))`,
        () => "\n\n",
        () => "  // comment only  ",
        () => `window.dispatchEvent(new CustomEvent(${JSON.stringify(ident())}, {detail: ${JSON.stringify(words(0, 4))}}))`,
        () => "let a = '</div>';\n\tlet b = `multi\nline ${a}`;",
        () => "",
    ])();
}

function executeScriptCase() {
    const input = {};
    input.script = script();
    const options = {};
    const autoRemove = pick([undefined, true, false]);
    if (autoRemove !== undefined) input.autoRemove = options.autoRemove = autoRemove;
    const n = pick([-1, -1, 0, 1, 1, 2, 3]); // -1: no attributes option
    if (n >= 0) {
        // Object form (name="value", names never numeric so JS keeps insertion order) or the array
        // form (attribute text as given, e.g. 'async').
        const pairs = [];
        const used = new Set();
        for (let i = 0; i < n; i++) {
            const name = pick(ATTRIBUTE_NAMES);
            if (used.has(name)) continue;
            used.add(name);
            pairs.push([name, pick(ATTRIBUTE_VALUES)]);
        }
        if (chance(0.6)) {
            input.attributes = pairs;
            options.attributes = Object.fromEntries(pairs);
        } else {
            const list = pairs.map(([k, v]) => (chance(0.3) ? k : `${k}="${v}"`));
            input.attributeList = list;
            options.attributes = list;
        }
    }
    const send = sendOptions(input);
    const all = withSendOptions(options, send);
    const expected = text(Object.keys(all).length === 0 && chance(0.5)
        ? sdk.executeScript(input.script)
        : sdk.executeScript(input.script, all));
    return { kind: "executeScript", input, expected };
}

const cases = [];
for (let i = 0; i < COUNT; i++) {
    const r = i % 20;
    const make = r < 8 ? patchElementsCase : r < 9 ? removeElementsCase : r < 15 ? patchSignalsCase : executeScriptCase;
    cases.push(make());
}

for (const c of cases) {
    if (c.expected.includes("\r")) throw new Error("generated a CR: " + JSON.stringify(c));
}

writeFileSync(out, JSON.stringify(cases, null, 1) + "\n", "utf8");
const kinds = {};
for (const c of cases) kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
const sdkVersion = JSON.parse(readFileSync(
    new URL("./node_modules/@starfederation/datastar-sdk/package.json", import.meta.url), "utf8")).version;
console.log(`@starfederation/datastar-sdk ${sdkVersion}: ${cases.length} cases ${JSON.stringify(kinds)} written to ${out}`);
