package dev.broadcaster.datastar;

import dev.broadcaster.SseEvent;
import dev.broadcaster.SseMessage;
import java.time.Duration;
import java.util.Objects;

/**
 * Datastar v1 {@code datastar-patch-elements}: HTML elements to morph into, insert into or remove
 * from the page. Data lines in the order of the Go SDK (the reference of the SDK specification):
 * {@code selector}, {@code mode} (unless {@code outer}), {@code namespace} (unless {@code html}),
 * {@code useViewTransition} (when true), {@code viewTransitionSelector}, then one {@code elements} line per
 * HTML line.
 *
 * <p>Example: {@code PatchElements.of("<li>hi</li>").withSelector("#feed").withMode(ElementPatchMode.APPEND)}.
 *
 * @param elements HTML (may be empty only with mode {@code remove} and a selector)
 * @param selector CSS selector of the target, or {@code null} to target elements by their id
 * @param mode how to patch, never {@code null}
 * @param namespace the namespace the elements are parsed in; {@code null} means {@link ElementNamespace#HTML}
 * @param useViewTransition whether to use the View Transitions API
 * @param viewTransitionSelector CSS selector of the element whose subtree the view transition is scoped to
 *        (Datastar 1.0.2 and later; it takes effect with {@code useViewTransition}), or {@code null} for the
 *        whole document
 * @param eventId SSE event id, or {@code null}
 * @param retry SSE reconnection delay, or {@code null} for the default (1000 ms, not sent)
 */
public record PatchElements(String elements, String selector, ElementPatchMode mode, ElementNamespace namespace,
                            boolean useViewTransition, String viewTransitionSelector, String eventId,
                            Duration retry) implements SseMessage {

    public PatchElements {
        elements = elements == null ? "" : elements;
        DatastarEvent.checkEventId(eventId);
        Objects.requireNonNull(mode, "mode");
        namespace = namespace == null ? ElementNamespace.HTML : namespace;
        selector = singleLineOrNull(selector, "selector");
        viewTransitionSelector = singleLineOrNull(viewTransitionSelector, "viewTransitionSelector");
        if (DatastarEvent.isBlank(elements) && !(mode == ElementPatchMode.REMOVE && selector != null)) {
            throw new IllegalArgumentException("elements must not be empty unless removing by selector");
        }
    }

    /** The patch without namespace or view transition scope (HTML, whole document). */
    public PatchElements(String elements, String selector, ElementPatchMode mode, boolean useViewTransition,
                         String eventId, Duration retry) {
        this(elements, selector, mode, ElementNamespace.HTML, useViewTransition, null, eventId, retry);
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
        return new PatchElements(elements, newSelector, mode, namespace, useViewTransition, viewTransitionSelector,
                eventId, retry);
    }

    public PatchElements withMode(ElementPatchMode newMode) {
        return new PatchElements(elements, selector, newMode, namespace, useViewTransition, viewTransitionSelector,
                eventId, retry);
    }

    /** Parses the elements in {@code newNamespace} (e.g. {@link ElementNamespace#SVG} for SVG fragments). */
    public PatchElements withNamespace(ElementNamespace newNamespace) {
        return new PatchElements(elements, selector, mode, newNamespace, useViewTransition, viewTransitionSelector,
                eventId, retry);
    }

    public PatchElements withViewTransition(boolean use) {
        return new PatchElements(elements, selector, mode, namespace, use, viewTransitionSelector, eventId, retry);
    }

    /**
     * Scopes the view transition to the element matching {@code newSelector} (Datastar 1.0.2 and later); it
     * takes effect with {@link #withViewTransition(boolean) withViewTransition(true)}.
     */
    public PatchElements withViewTransitionSelector(String newSelector) {
        return new PatchElements(elements, selector, mode, namespace, useViewTransition, newSelector, eventId, retry);
    }

    public PatchElements withEventId(String newEventId) {
        return new PatchElements(elements, selector, mode, namespace, useViewTransition, viewTransitionSelector,
                newEventId, retry);
    }

    public PatchElements withRetry(Duration newRetry) {
        return new PatchElements(elements, selector, mode, namespace, useViewTransition, viewTransitionSelector,
                eventId, newRetry);
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
        if (namespace != ElementNamespace.HTML) {
            DatastarEvent.appendLine(data, "namespace " + namespace.wireName());
        }
        if (useViewTransition) {
            DatastarEvent.appendLine(data, "useViewTransition true");
        }
        if (viewTransitionSelector != null) {
            DatastarEvent.appendLine(data, "viewTransitionSelector " + viewTransitionSelector);
        }
        if (!DatastarEvent.isBlank(elements)) {
            DatastarEvent.appendLines(data, "elements", elements);
        }
        return DatastarEvent.event(DatastarEvent.PATCH_ELEMENTS, eventId, retry, data);
    }

    /** {@code null} for null or empty (no such line); otherwise the text, which must hold no line break. */
    private static String singleLineOrNull(String text, String what) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(what + " must be a single line");
        }
        return text;
    }
}
