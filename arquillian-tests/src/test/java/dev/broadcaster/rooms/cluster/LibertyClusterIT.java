package dev.broadcaster.rooms.cluster;

import java.nio.file.Path;

/**
 * The example clustered on two Open Liberty servers (RESTEasy) on one Redis: {@link ClusteredRoomsTests}. The servers
 * ({@code <cluster.liberty.server>-a} and {@code -b}) are created by the liberty-maven-plugin in the profile
 * {@code cluster}, from the Liberty runtime the build unpacks.
 */
class LibertyClusterIT extends ClusteredRoomsTests {

    @Override
    AppServer server(String label, Path logs) {
        return new LibertyServer("liberty-" + label, Path.of(System.getProperty("cluster.liberty.wlp")),
                System.getProperty("cluster.liberty." + label + ".server"),
                Integer.getInteger("cluster.liberty." + label + ".http.port"), logs);
    }

    @Override
    String kind() {
        return "liberty";
    }
}
