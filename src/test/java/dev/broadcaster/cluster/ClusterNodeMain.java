package dev.broadcaster.cluster;

import dev.broadcaster.support.RecordingMetricRegistry;
import dev.broadcaster.support.TestServer;
import java.io.IOException;
import java.io.InputStream;

/**
 * One broadcaster node of the cluster tests, as its own JVM: the in-process test server (Weld SE, Jersey on
 * Grizzly, a free loopback port) with the given {@code broadcaster.*} settings and {@link ClusterControl}.
 * Prints {@code READY <base-uri>} once it serves; stops when its standard input closes (the test ended, or
 * died) or when it is killed. The argument {@value #RECORDING_METRICS}{@code =true} gives it a metric registry
 * ({@link RecordingMetricRegistry}), which {@link ClusterControl} scrapes.
 *
 * <pre>java -cp ... dev.broadcaster.cluster.ClusterNodeMain broadcaster.cluster.engine=redis ...</pre>
 */
public final class ClusterNodeMain {

    /** The argument that gives the node a metric registry (not a broadcaster setting). */
    static final String RECORDING_METRICS = "test.recording-metrics";

    private ClusterNodeMain() {
    }

    public static void main(String[] args) throws IOException {
        TestServer.Builder builder = TestServer.builder().beans(ClusterControl.class).resources(ClusterControl.class);
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (arg.equals(RECORDING_METRICS + "=true")) {
                builder.beans(ClusterControl.class, RecordingMetricRegistry.class);
            } else {
                builder.config(arg.substring(0, equals), arg.substring(equals + 1));
            }
        }
        TestServer server = builder.start();
        System.out.println("READY " + server.base());
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // wait for the end of the input
        }
        server.close();
        System.exit(0);
    }
}
