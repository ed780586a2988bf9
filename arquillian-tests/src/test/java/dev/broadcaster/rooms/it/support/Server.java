package dev.broadcaster.rooms.it.support;

import java.io.File;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** Which server the suite runs on (Maven profile), its settings, and the deployment under test. */
public final class Server {

    private Server() {
    }

    /** {@code liberty} or {@code payara}, set by the Maven profile. */
    public static String name() {
        return System.getProperty("it.server", "unknown");
    }

    public static boolean liberty() {
        return "liberty".equals(name());
    }

    public static boolean payara() {
        return "payara".equals(name());
    }

    /** The {@code broadcaster.heartbeat-interval} the test server was given (a number of seconds, e.g. {@code 1s}). */
    public static Duration heartbeat() {
        String value = System.getProperty("it.heartbeat", "1s").trim();
        if (!value.endsWith("s") || value.endsWith("ms")) {
            throw new IllegalStateException("it.heartbeat must be whole seconds like 1s, was " + value);
        }
        return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
    }

    /** The example WAR as Maven packaged it, unchanged. */
    public static WebArchive war() {
        File war = new File("target/rooms.war");
        if (!war.isFile()) {
            throw new IllegalStateException(war.getAbsolutePath() + " is missing: run mvn verify (package builds it)");
        }
        return ShrinkWrap.createFromZipFile(WebArchive.class, war);
    }

    /** A room (channel) name no other test uses. */
    public static String room(String prefix) {
        return prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    }

    /** Prints a fact about this server's behaviour for the test report ({@code [liberty] ...}). */
    public static void record(String fact) {
        System.out.println("[" + name() + "] " + fact);
    }

    /** {@code path} resolved against the deployment's {@code base} URL (with or without its trailing slash). */
    public static java.net.URI resolve(java.net.URL base, String path) {
        try {
            String root = base.toExternalForm();
            return new java.net.URI(root.endsWith("/") ? root : root + "/").resolve(path);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
