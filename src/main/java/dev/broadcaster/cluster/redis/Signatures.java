package dev.broadcaster.cluster.redis;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs what this node writes to Redis with the cluster's secret ({@code broadcaster.cluster.secret}) and checks
 * what it reads: HMAC-SHA256 with a key derived from the secret and the key prefix (so one secret shared by two
 * clusters with different prefixes signs nothing the other accepts).
 * <ul>
 *   <li>A signed bus message is {@code #<signature> LF <message>}. The signature covers the message, except, in an
 *       event message, the stream id, which the publishing script adds in Redis after the node signed.</li>
 *   <li>A signed stream entry has the field {@code s}, the signature of the channel's name and the event body
 *       (field {@code e}); it does not cover the entry's id either.</li>
 * </ul>
 * Without a secret nothing is signed, and a signature on what is read is ignored. With one, what is unsigned or
 * badly signed is refused; signatures are compared in constant time. A second, accepted secret
 * ({@code broadcaster.cluster.accepted-secret}) is checked too but never signs.
 *
 * <p><b>Threads.</b> Immutable; any thread signs and checks (each call gets its own {@link Mac}).
 */
final class Signatures {

    static final char SIGNED = '#';
    private static final String ALGORITHM = "HmacSHA256";
    private static final String KEY_LABEL = "dev.broadcaster.cluster.v1\n";
    private static final byte[] BUS = "bus\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ENTRY = "entry\n".getBytes(StandardCharsets.UTF_8);
    private static final int SIGNATURE_BYTES = 32;

    /** The first signs and is checked; the others are only checked. Empty: nothing signed or checked. */
    private final List<SecretKeySpec> keys;

    private Signatures(List<SecretKeySpec> keys) {
        this.keys = keys;
    }

    /** Nothing signed, nothing checked. */
    static Signatures none() {
        return new Signatures(List.of());
    }

    /** Signing with {@code secret} (null: none), accepting {@code accepted} too (null: none). */
    static Signatures of(String prefix, String secret, String accepted) {
        if (secret == null) {
            return none();
        }
        List<SecretKeySpec> keys = new ArrayList<>();
        keys.add(new SecretKeySpec(derive(secret, prefix), ALGORITHM));
        if (accepted != null) {
            keys.add(new SecretKeySpec(derive(accepted, prefix), ALGORITHM));
        }
        return new Signatures(List.copyOf(keys));
    }

    /** Whether a secret is configured: then this node signs, and refuses what is not signed. */
    boolean signing() {
        return !keys.isEmpty();
    }

    /** {@code message} as sent on the bus: signed if there is a secret. */
    String seal(String message) {
        return signing() ? SIGNED + sign(keys.get(0), BUS, message) + "\n" + message : message;
    }

    /**
     * The head of an event message as sent on the bus, where the publishing script puts the stream id between it
     * and {@code tail}: the signature covers head and tail.
     */
    String sealHead(String head, String tail) {
        return signing() ? SIGNED + sign(keys.get(0), BUS, head + tail) + "\n" + head : head;
    }

    /** The signature of an event of {@code channel} as stored in its stream; empty without a secret. */
    String entrySignature(String channel, String body) {
        return signing() ? sign(keys.get(0), ENTRY, channel + "\n" + body) : "";
    }

    /**
     * The message a bus text carries, if it may be obeyed: its signature removed, checked with a secret.
     *
     * @throws Refused if it is unsigned or badly signed while a secret is configured
     */
    String open(String text) throws Refused {
        String message = text;
        String signature = null;
        if (!text.isEmpty() && text.charAt(0) == SIGNED) {
            int newline = text.indexOf('\n');
            if (newline < 0) {
                throw new Refused("signature without a message");
            }
            signature = text.substring(1, newline);
            message = text.substring(newline + 1);
        }
        if (!signing()) {
            return message;
        }
        if (signature == null) {
            throw new Refused("not signed");
        }
        if (!valid(BUS, signed(message), signature)) {
            throw new Refused("bad signature");
        }
        return message;
    }

    /** Whether a stream entry of {@code channel} with this body and signature (null: none) may be replayed. */
    boolean entryValid(String channel, String body, String signature) {
        return !signing() || signature != null && valid(ENTRY, channel + "\n" + body, signature);
    }

    /** What the signature of a bus message covers: all of it, but the stream id of an event message. */
    private static String signed(String message) {
        if (message.isEmpty() || message.charAt(0) != BusMessage.EVENT) {
            return message;
        }
        int newline = message.indexOf('\n');
        int headEnd = newline < 0 ? message.length() : newline;
        int lastTab = message.lastIndexOf('\t', headEnd - 1);
        return lastTab < 0 ? message : message.substring(0, lastTab + 1) + message.substring(headEnd);
    }

    private boolean valid(byte[] label, String data, String signature) {
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (given.length != SIGNATURE_BYTES) {
            return false;
        }
        boolean valid = false;
        for (SecretKeySpec key : keys) {
            valid |= MessageDigest.isEqual(given, digest(key, label, data)); // every key tried: no early answer
        }
        return valid;
    }

    private static String sign(SecretKeySpec key, byte[] label, String data) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest(key, label, data));
    }

    private static byte[] digest(SecretKeySpec key, byte[] label, String data) {
        Mac mac = mac(key);
        mac.update(label);
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    /** The key the messages are signed with: the HMAC of the prefix under the secret. */
    private static byte[] derive(String secret, String prefix) {
        Mac mac = mac(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
        return mac.doFinal((KEY_LABEL + prefix).getBytes(StandardCharsets.UTF_8));
    }

    private static Mac mac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Why a bus message is not obeyed. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null, false, false);
        }
    }
}
