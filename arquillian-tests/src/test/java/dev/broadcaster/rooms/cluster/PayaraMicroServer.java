package dev.broadcaster.rooms.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A Payara Micro instance deploying rooms.war (context root {@code /rooms}) on a fixed HTTP port:
 * {@code java -jar payara-micro.jar}, which is itself the server's JVM. {@code --nocluster}: Payara's own Hazelcast
 * data grid stays off, so the only thing the instances share is the broadcaster's Redis. The post-boot commands
 * create the example's users in the file realm (alice in publishers and admins). Its runtime directory is kept under
 * {@code target/} ({@code --rootdir}), not left in /tmp when the instance is killed.
 */
final class PayaraMicroServer extends AppServer {

    private final Path jar;
    private final Path war;
    private final Path postBootCommands;
    private final int httpPort;
    private final Path rootDir;

    PayaraMicroServer(String label, Path jar, Path war, Path postBootCommands, int httpPort, Path logs) {
        super(label, httpPort, logs);
        this.jar = jar;
        this.war = war;
        this.postBootCommands = postBootCommands;
        this.httpPort = httpPort;
        this.rootDir = logs.resolve(label + "-root");
    }

    @Override
    List<String> command() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-jar", jar.toString(), "--nocluster", "--port", Integer.toString(httpPort),
                "--rootdir", rootDir.toString(), "--postbootcommandfile", postBootCommands.toString(),
                "--deploy", war.toString()));
        return command;
    }

    /** A fresh runtime directory: one left by an earlier run already has the users and the application. */
    @Override
    void prepare() throws IOException {
        if (Files.exists(rootDir)) {
            try (Stream<Path> files = Files.walk(rootDir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    @Override
    Optional<ProcessHandle> jvm(Process launcher) {
        return Optional.of(launcher.toHandle());
    }

    @Override
    String logsHint() {
        return "Payara Micro's runtime directory: " + rootDir.toAbsolutePath();
    }
}
