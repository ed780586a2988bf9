package dev.broadcaster.cluster.redis;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what this node refused from Redis (bus messages and stream entries that are not the engine's, or not
 * signed with the cluster's secret) and logs it without letting whoever writes them flood the log: the first one
 * at once, then at most one line a minute, with how many were refused since.
 *
 * <p><b>Threads.</b> Any thread (the subscriber's for bus messages, request threads for stream entries); lock-free.
 */
final class Rejections {

    private static final System.Logger LOG = System.getLogger(RedisEngine.class.getName());
    private static final long LOG_EVERY_NANOS = 60_000_000_000L;
    private static final int EXCERPT = 80;

    private final AtomicLong count = new AtomicLong();
    private final AtomicLong sinceLogged = new AtomicLong();
    private final AtomicLong nextLogAt = new AtomicLong(System.nanoTime());

    /** Counts one refusal of {@code what} (e.g. "bus message") for {@code reason}; {@code text} is what was read. */
    void reject(String what, String reason, String text) {
        count.incrementAndGet();
        long unlogged = sinceLogged.incrementAndGet();
        long now = System.nanoTime();
        long due = nextLogAt.get();
        if (now - due >= 0 && nextLogAt.compareAndSet(due, now + LOG_EVERY_NANOS)) {
            sinceLogged.addAndGet(-unlogged);
            LOG.log(System.Logger.Level.WARNING, "Refused a " + what + " from Redis (" + reason + "), "
                    + count.get() + " since start" + (unlogged > 1 ? ", " + unlogged + " since the last such line" : "")
                    + ": not written by a node of this cluster (someone else can write to its Redis keys), or a node"
                    + " runs with another broadcaster.cluster.secret. At most one such line a minute. It began: "
                    + excerpt(text));
        }
    }

    /** How many were refused since the engine started. */
    long count() {
        return count.get();
    }

    /** The start of {@code text}, its control characters escaped: it comes from whoever wrote to Redis. */
    static String excerpt(String text) {
        if (text == null) {
            return "(nothing)";
        }
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length() && i < EXCERPT; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                case '"', '\\' -> out.append('\\').append(c);
                default -> {
                    if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append(text.length() > EXCERPT ? "\"..." : "\"").toString();
    }
}
