package dev.broadcaster.internal;

import java.util.regex.Pattern;

/**
 * The channel name rule: 1 to 128 characters of letters, digits and {@code -_.:@}, not only dots (browsers
 * and URL parsers turn a {@code .} or {@code ..} path segment into a move up the path, so such a channel could not
 * be addressed or killed from a page; {@code ...} is refused with them, as one rule). Names starting with
 * {@value #RESERVED_PREFIX} are well-formed but reserved for the broadcaster's own channels.
 */
final class ChannelNames {

    static final String RULE = "a channel name is 1 to 128 characters of letters, digits and - _ . : @, not only dots";
    /** The prefix of the broadcaster's own channels (e.g. the admin feed): applications cannot use it. */
    static final String RESERVED_PREFIX = "broadcaster:";
    static final String RESERVED_RULE = "channel names starting with '" + RESERVED_PREFIX
            + "' are reserved for the broadcaster";
    private static final Pattern VALID = Pattern.compile("(?!\\.+$)[A-Za-z0-9_.:@-]{1,128}");

    private ChannelNames() {
    }

    /** Whether {@code name} follows the rule. */
    static boolean valid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    /** Returns {@code name} if valid; otherwise an {@link IllegalArgumentException} saying what is allowed. */
    static String require(String name) {
        if (!valid(name)) {
            String shown = name == null ? "null" : "'" + (name.length() > 40 ? name.substring(0, 40) + "…" : name) + "'";
            throw new IllegalArgumentException("Invalid channel name " + shown + ": " + RULE);
        }
        return name;
    }

    /**
     * Returns {@code name} if it is a valid channel of applications; otherwise an {@link IllegalArgumentException}:
     * the rule if malformed, or {@code refusal} ("No position of channel", say) with the name if reserved.
     */
    static String requireApplications(String name, String refusal) {
        require(name);
        if (reserved(name)) {
            throw new IllegalArgumentException(refusal + " '" + name + "': " + RESERVED_RULE);
        }
        return name;
    }

    /** Whether {@code name} is one of the broadcaster's own channels, which applications cannot join or create. */
    static boolean reserved(String name) {
        return name != null && name.startsWith(RESERVED_PREFIX);
    }
}
