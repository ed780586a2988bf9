package dev.broadcaster.cluster.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.SseEvent;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a node with the cluster's secret writes is obeyed; what anyone else writes, or changes, is not. */
class SignaturesTest {

    private static final String SECRET = "correct horse battery staple";
    private final Signatures signed = Signatures.of("broadcaster", SECRET, null);

    /** An event message as the publishing script sends it: the head, then the stream id Redis gave, then the tail. */
    private static String published(Signatures signatures, String data, String id) {
        String tail = "\n" + BusMessage.eventBody(SseEvent.data(data));
        return signatures.sealHead(BusMessage.eventHead("node1", 7, "lobby", Set.of()), tail) + id + tail;
    }

    @Test
    void anEventMessageSignedBeforeRedisAddedItsIdOpensWithAnyId() throws Exception {
        for (String id : List.of("1763856000000-0", "1796160000000-42")) {
            BusMessage message = BusMessage.parse(signed.open(published(signed, "hello", id)));
            assertEquals(List.of("7", "lobby", "", id), message.fields());
        }
    }

    @Test
    void otherMessagesOpenSigned() throws Exception {
        String kill = BusMessage.kill("node1", "lobby");
        assertEquals(kill, signed.open(signed.seal(kill)));
        String disconnect = BusMessage.disconnect("node1", "lobby", "bob");
        assertEquals(disconnect, signed.open(signed.seal(disconnect)));
    }

    @Test
    void unsignedOrChangedOrOtherwiseSignedMessagesAreRefused() {
        String good = published(signed, "hello", "1763856000000-0");
        List<String> refused = List.of(
                "E\tforged\t1\tlobby\t\t1796160000000-0\n\n\n<img src=x onerror=alert(1)>",
                BusMessage.kill("forged", "lobby"),
                good.replace("hello", "<img>"),
                good.replace("\tlobby\t", "\tother\t"),
                good.replace("node1", "node2"),
                good.substring(good.indexOf('\n') + 1),
                published(Signatures.of("broadcaster", "another secret, also long", null), "hello", "1-0"),
                published(Signatures.of("other-prefix", SECRET, null), "hello", "1-0"),
                "#not-base64!\n" + BusMessage.kill("n", "lobby"),
                "#\n" + BusMessage.kill("n", "lobby"),
                "#" + "A".repeat(43));
        for (String text : refused) {
            assertThrows(Signatures.Refused.class, () -> signed.open(text), text);
        }
    }

    @Test
    void anAcceptedSecretIsCheckedButNeverSignsSoTheSecretCanChange() throws Exception {
        Signatures old = Signatures.of("broadcaster", "the old secret, long enough", null);
        Signatures changing = Signatures.of("broadcaster", SECRET, "the old secret, long enough");
        String kill = BusMessage.kill("n", "lobby");
        assertEquals(kill, changing.open(old.seal(kill)), "the old secret's messages accepted while it changes");
        assertEquals(kill, changing.open(signed.seal(kill)));
        assertEquals(signed.seal(kill), changing.seal(kill), "signs with the new one");
    }

    @Test
    void withoutASecretNothingIsSignedAndSignaturesAreIgnored() throws Exception {
        Signatures none = Signatures.none();
        String kill = BusMessage.kill("n", "lobby");
        assertEquals(kill, none.seal(kill));
        assertEquals(kill, none.open(kill));
        assertEquals(kill, none.open(signed.seal(kill)));
        assertEquals("", none.entrySignature("lobby", "body"));
        assertTrue(none.entryValid("lobby", "body", null));
    }

    @Test
    void aStreamEntryIsBoundToItsChannelAndBody() {
        String signature = signed.entrySignature("lobby", "\n\nhello");
        assertTrue(signed.entryValid("lobby", "\n\nhello", signature));
        assertFalse(signed.entryValid("other", "\n\nhello", signature), "copied to another channel");
        assertFalse(signed.entryValid("lobby", "\n\n<img>", signature), "changed");
        assertFalse(signed.entryValid("lobby", "\n\nhello", null), "unsigned");
        assertFalse(signed.entryValid("lobby", "\n\nhello", "garbage"), "garbage");
    }

    @Test
    void malformedMessagesAreRefused() {
        for (String text : List.of("", "E", "E\t", "E\tn\tx\tlobby\t\t1-0\n\n\ndata", "E\tn\t1\tlobby\t\tid\n\n\ndata",
                "E\tn\t1\tlobby\t\t1-0\n\n\n", "E\tn\t1\tlobby\t\t1-0\n\nretry\ndata", "E\tn\t1\t\t\t1-0\n\n\ndata",
                "E\tn\t1\tlobby\t\t1-0\textra\n\n\ndata", "S\tn", "S\tn\tc", "K\tn", "K\tn\t", "K\tn\tlobby\nbody",
                "D\tn\tlobby", "P\tn", "X\tn\tlobby", "\tn\tlobby")) {
            assertThrows(IllegalArgumentException.class, () -> BusMessage.parse(text), text);
        }
    }
}
