package dev.broadcaster.datastar;

import dev.broadcaster.SseEvent;
import dev.broadcaster.SseMessage;
import java.time.Duration;
import java.util.Objects;

/**
 * Datastar v1 {@code datastar-patch-elements}: HTML elements to morph into, insert into or remove
 * from the page. Data lines follow the SDK specification: {@code selector}, {@code mode} (unless
 * {@code outer}), {@code useViewTransition} (when true), then one {@code elements} line per HTML line.
 *
 * <p>Example: {@code PatchElements.of("<li>hi</li>").withSelector("#feed").withMode(ElementPatchMode.APPEND)}.
 *
 * @param elements HTML (may be empty only with mode {@code remove} and a selector)
 * @param selector CSS selector of the target, or {@code null} to target elements by their id
 * @param mode how to patch, never {@code null}
 * @param useViewTransition whether to use the View Transitions API
 * @param eventId SSE event id, or {@code null}
 * @param retry SSE reconnection delay, or {@code null} for the default (1000 ms, not sent)
 */
public record PatchElements(String elements, String selector, ElementPatchMode mode, boolean useViewTransition,
                            String eventId, Duration retry) implements SseMessage {

    public PatchElements {
        elements = elements == null ? "" : elements;
        DatastarEvent.checkEventId(eventId);
        Objects.requireNonNull(mode, "mode");
        if (selector != null && selector.isEmpty()) {
            selector = null;
        }
        if (selector != null && (selector.indexOf('\n') >= 0 || selector.indexOf('\r') >= 0)) {
            throw new IllegalArgumentException("selector must be a single line");
        }
        if (DatastarEvent.isBlank(elements) && !(mode == ElementPatchMode.REMOVE && selector != null)) {
            throw new IllegalArgumentException("elements must not be empty unless removing by selector");
        }
    }

    /** Patches {@code html} (outer morph, elements matched by id). */
    public static PatchElements of(String html) {
        return new PatchElements(html, null, ElementPatchMode.OUTER, false, null, null);
    }

    /** Removes every element matching {@code selector}. */
    public static PatchElements remove(String selector) {
        Objects.requireNonNull(selector, "selector");
        return new PatchElements("", selector, ElementPatchMode.REMOVE, false, null, null);
    }

    public PatchElements withSelector(String newSelector) {
        return new PatchElements(elements, newSelector, mode, useViewTransition, eventId, retry);
    }

    public PatchElements withMode(ElementPatchMode newMode) {
        return new PatchElements(elements, selector, newMode, useViewTransition, eventId, retry);
    }

    public PatchElements withViewTransition(boolean use) {
        return new PatchElements(elements, selector, mode, use, eventId, retry);
    }

    public PatchElements withEventId(String newEventId) {
        return new PatchElements(elements, selector, mode, useViewTransition, newEventId, retry);
    }

    public PatchElements withRetry(Duration newRetry) {
        return new PatchElements(elements, selector, mode, useViewTransition, eventId, newRetry);
    }

    @Override
    public SseEvent toEvent() {
        StringBuilder data = new StringBuilder(elements.length() + 64);
        if (selector != null) {
            DatastarEvent.appendLine(data, "selector " + selector);
        }
        if (mode != ElementPatchMode.OUTER) {
            DatastarEvent.appendLine(data, "mode " + mode.wireName());
        }
        if (useViewTransition) {
            DatastarEvent.appendLine(data, "useViewTransition true");
        }
        if (!DatastarEvent.isBlank(elements)) {
            DatastarEvent.appendLines(data, "elements", elements);
        }
        return DatastarEvent.event(DatastarEvent.PATCH_ELEMENTS, eventId, retry, data);
    }
}
