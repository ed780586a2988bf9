package dev.broadcaster.rooms.cluster;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An Open Liberty server that the liberty-maven-plugin created (profile {@code cluster}: the example's own server.xml,
 * its ports in bootstrap.properties, rooms.war in apps/), run in the foreground with {@code bin/server run}. That
 * script starts the server's JVM as its child (it does not {@code exec} it): the JVM is the descendant running
 * {@code ws-server.jar}. Liberty's own logs are in the server's {@code logs/} directory.
 */
final class LibertyServer extends AppServer {

    private final Path wlp;
    private final String serverName;

    LibertyServer(String label, Path wlp, String serverName, int httpPort, Path logs) {
        super(label, httpPort, logs);
        this.wlp = wlp;
        this.serverName = serverName;
    }

    @Override
    List<String> command() {
        return List.of(wlp.resolve("bin/server").toString(), "run", serverName);
    }

    /** The script adds {@code JVM_ARGS} to the JVM's command line. */
    @Override
    Map<String, String> environment() {
        return Map.of("JVM_ARGS", String.join(" ", JVM_OPTIONS));
    }

    @Override
    Optional<ProcessHandle> jvm(Process launcher) {
        return Stream.concat(Stream.of(launcher.toHandle()), launcher.descendants())
                .filter(p -> p.info().commandLine().map(c -> c.contains("ws-server.jar")
                        && c.contains(" " + serverName)).orElse(false))
                .findFirst();
    }

    @Override
    String logsHint() {
        return "Liberty's logs: " + wlp.resolve("usr/servers").resolve(serverName).resolve("logs").toAbsolutePath();
    }
}
