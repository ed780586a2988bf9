package dev.broadcaster.internal;

import java.security.SecureRandom;

/**
 * Event ids of channel broadcasts: {@code <epoch>-<sequence>}. The epoch (at most 8 characters) is random per channel life
 * (it changes when the channel is recreated or the server restarts); the sequence counts from 1.
 */
final class EventIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** An id as long as any channel id can be (13-character epoch, largest sequence), for size checks. */
    static final String LONGEST = format(Long.toString(Long.MAX_VALUE, 36), Long.MAX_VALUE);

    private EventIds() {
    }

    static String newEpoch() {
        return Long.toString(RANDOM.nextLong() >>> 23, 36); // 41 random bits: at most 8 characters
    }

    static String format(String epoch, long sequence) {
        return epoch + "-" + sequence;
    }

    /** The sequence of {@code id} if it belongs to {@code epoch}, otherwise -1. */
    static long sequenceIn(String epoch, String id) {
        if (id == null || !id.startsWith(epoch) || id.length() < epoch.length() + 2
                || id.charAt(epoch.length()) != '-') {
            return -1;
        }
        try {
            long sequence = Long.parseLong(id.substring(epoch.length() + 1));
            return sequence >= 0 ? sequence : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
