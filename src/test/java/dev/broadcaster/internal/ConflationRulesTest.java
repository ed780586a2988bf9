package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.SseEvent;
import dev.broadcaster.datastar.ElementPatchMode;
import dev.broadcaster.datastar.ExecuteScript;
import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.datastar.PatchSignals;
import org.junit.jupiter.api.Test;

/** Which event of a conflating channel makes which older one useless ({@link Conflation}). */
class ConflationRulesTest {

    @Test
    void aPatchReplacingTheSameTargetSupersedesTheOlderOneAndNoOther() {
        assertTrue(supersedes(inner("#cell-1", "new"), inner("#cell-1", "old")));
        assertFalse(supersedes(inner("#cell-2", "new"), inner("#cell-1", "old")), "another target");
        assertFalse(supersedes(outer("#cell-1", "new"), inner("#cell-1", "old")), "another mode");
        // without a selector: the same element ids, the default mode (outer)
        assertTrue(supersedes(PatchElements.of("<p id=\"a\">2</p>"), PatchElements.of("<p id=\"a\">1</p>")));
        assertFalse(supersedes(PatchElements.of("<p id=\"a\">2</p>"),
                PatchElements.of("<p id=\"a\">1</p><p id=\"b\">1</p>")), "the older one patched b too");
        assertFalse(supersedes(PatchElements.of("<p>2</p>"), PatchElements.of("<p>1</p>")), "no id: no target");
    }

    @Test
    void patchesThatAddOrRemoveAndScriptsAreNeverConflated() {
        for (ElementPatchMode mode : new ElementPatchMode[] {ElementPatchMode.APPEND, ElementPatchMode.PREPEND,
                ElementPatchMode.BEFORE, ElementPatchMode.AFTER, ElementPatchMode.REMOVE}) {
            PatchElements patch = PatchElements.of("<li id=\"x\">1</li>").withSelector("#list").withMode(mode);
            assertFalse(supersedes(patch, patch), mode.toString());
        }
        ExecuteScript script = ExecuteScript.of("console.log(1)");
        assertFalse(supersedes(script, script));
    }

    @Test
    void aSignalsPatchSupersedesOneWhoseKeysItReplacesButNotOneItWouldMergeInto() {
        assertTrue(supersedes(PatchSignals.of("{\"count\":2,\"total\":9}"), PatchSignals.of("{\"count\":1}")));
        assertFalse(supersedes(PatchSignals.of("{\"count\":2}"), PatchSignals.of("{\"count\":1,\"total\":8}")),
                "the older one set total too");
        assertFalse(supersedes(PatchSignals.of("{\"form\":{\"a\":2}}"), PatchSignals.of("{\"form\":{\"b\":1}}")),
                "objects are merged: the older form.b would be lost");
        assertTrue(supersedes(PatchSignals.of("{\"form\":null}"), PatchSignals.of("{\"form\":{\"b\":1}}")));
        assertFalse(supersedes(PatchSignals.of("{\"count\":2}").withOnlyIfMissing(true), PatchSignals.of("{\"count\":1}")));
    }

    @Test
    void namedEventsOfTheSameNameSupersedeEachOtherUnnamedAndTheLibrarysOwnNever() {
        assertTrue(supersedes(SseEvent.named("ticker", "<b>2</b>"), SseEvent.named("ticker", "<b>1</b>")));
        assertFalse(supersedes(SseEvent.named("ticker", "2"), SseEvent.named("other", "1")));
        assertFalse(supersedes(SseEvent.data("2"), SseEvent.data("1")), "unnamed: htmx 4 swaps, JSON messages");
        SseEvent resync = new SseEvent("resync", null, null, "{}");
        assertFalse(supersedes(resync, resync));
    }

    private static boolean supersedes(dev.broadcaster.SseMessage newer, dev.broadcaster.SseMessage older) {
        return Conflation.of(newer.toEvent()).supersedes(Conflation.of(older.toEvent()));
    }

    private static PatchElements inner(String selector, String html) {
        return PatchElements.of("<span>" + html + "</span>").withSelector(selector).withMode(ElementPatchMode.INNER);
    }

    private static PatchElements outer(String selector, String html) {
        return PatchElements.of("<span>" + html + "</span>").withSelector(selector).withMode(ElementPatchMode.OUTER);
    }
}
