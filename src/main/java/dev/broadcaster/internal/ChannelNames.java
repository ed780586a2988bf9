package dev.broadcaster.internal;

import java.util.regex.Pattern;

/** The channel name rule: 1 to 128 characters of letters, digits and {@code -_.:@}. */
final class ChannelNames {

    static final String RULE = "a channel name is 1 to 128 characters of letters, digits and - _ . : @";
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.:@-]{1,128}");

    private ChannelNames() {
    }

    /** Returns {@code name} if valid; otherwise an {@link IllegalArgumentException} saying what is allowed. */
    static String require(String name) {
        if (name == null || !VALID.matcher(name).matches()) {
            String shown = name == null ? "null" : "'" + (name.length() > 40 ? name.substring(0, 40) + "…" : name) + "'";
            throw new IllegalArgumentException("Invalid channel name " + shown + ": " + RULE);
        }
        return name;
    }
}
