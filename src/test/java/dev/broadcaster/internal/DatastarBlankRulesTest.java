package dev.broadcaster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.broadcaster.datastar.ElementPatchMode;
import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.datastar.PatchSignals;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * "Blank" means what the official JavaScript SDK's {@code trim()} removes (ECMAScript white space),
 * not Java's {@code isBlank}: the outputs below are what {@code @starfederation/datastar-sdk} 1.0.0 writes.
 */
class DatastarBlankRulesTest {

    static String wire(dev.broadcaster.SseMessage message) {
        return new String(SseEncoder.encode(message.toEvent()).wireBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void removeBySelectorWithNoBreakSpaceElementsWritesNoElementsLine() {
        assertEquals("event: datastar-patch-elements\ndata: selector #a\ndata: mode remove\n\n",
                wire(new PatchElements("\u00a0\ufeff\u2007\u202f", "#a", ElementPatchMode.REMOVE, false, null, null)));
    }

    @Test
    void informationSeparatorsAreNotBlankForTheSdk() {
        assertEquals("event: datastar-patch-elements\ndata: selector #a\ndata: mode remove\ndata: elements \u001c\n\n",
                wire(new PatchElements("\u001c", "#a", ElementPatchMode.REMOVE, false, null, null)));
        assertEquals("event: datastar-patch-signals\ndata: signals \u001f\n\n", wire(PatchSignals.of("\u001f")));
    }

    @Test
    void elementsOrSignalsOfOnlyNoBreakSpacesAreRefusedAsTheSdkDoes() {
        assertThrows(IllegalArgumentException.class, () -> PatchElements.of("\u00a0"));
        assertThrows(IllegalArgumentException.class, () -> PatchSignals.of("\ufeff"));
    }
}
