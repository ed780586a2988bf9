package dev.broadcaster.support;

import java.util.Map;
import java.util.Set;

/** The users of the in-process server: password {@code <name>-pw}; alice publishes and administers. */
public final class TestUsers {

    static final Map<String, Set<String>> ROLES = Map.of(
            "alice", Set.of("broadcaster-publisher", "broadcaster-admin"),
            "bob", Set.of(),
            "carol", Set.of(),
            "dave", Set.of());

    private TestUsers() {
    }

    public static String password(String user) {
        return user + "-pw";
    }
}
