package dev.broadcaster.rooms.cluster;

import java.nio.file.Path;

/** The example clustered on two Payara Micro instances (Jersey) on one Redis: {@link ClusteredRoomsTests}. */
class PayaraClusterIT extends ClusteredRoomsTests {

    @Override
    AppServer server(String label, Path logs) {
        return new PayaraMicroServer("payara-" + label, Path.of(System.getProperty("cluster.payara.jar")),
                Path.of(System.getProperty("cluster.war")), Path.of(System.getProperty("cluster.payara.post-boot")),
                Integer.getInteger("cluster.payara." + label + ".http.port"), logs);
    }

    @Override
    String kind() {
        return "payara";
    }
}
