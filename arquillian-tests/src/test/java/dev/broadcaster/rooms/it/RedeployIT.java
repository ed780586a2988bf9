package dev.broadcaster.rooms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.rooms.it.support.Http;
import dev.broadcaster.rooms.it.support.Server;
import dev.broadcaster.rooms.it.support.SseStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deploying and undeploying the application again and again must leave nothing of it behind in the server: no
 * thread of the library ({@code broadcaster-*}) and no growth in loaded classes (nothing pins an old application's
 * class loader, e.g. a {@code ThreadLocal} on the server's pooled threads). Each cycle uses the library (a
 * stream, a publish), undeploys, runs a full GC in the server, then reads its thread dump and class counters
 * with {@code jcmd}. Cycle 1 warms the server up; cycle 4 is compared with cycle 2 (some noise is allowed).
 */
@ExtendWith(ArquillianExtension.class)
class RedeployIT {

    private static final String APP = "rooms-redeployed";
    private static final int CYCLES = 4;
    /** Classes a cycle may add without a leak (the server's own lazily loaded classes); one leaked app is thousands. */
    private static final long CLASS_NOISE = 300;

    @Deployment(name = APP, managed = false, testable = false)
    @TargetsContainer("server")
    static WebArchive rooms() {
        return Server.war();
    }

    @ArquillianResource
    Deployer deployer;

    @Test
    void deployUndeployCyclesLeaveNoLibraryThreadAndNoClassGrowth() throws Exception {
        Assumptions.assumeTrue(Server.liberty(), "the server's process is inspected with jcmd (Open Liberty)");
        ProcessHandle server = libertyServer();
        int port = Integer.getInteger("it.http.port");
        URI base = URI.create("http://localhost:" + port + "/rooms/");
        List<Long> classes = new ArrayList<>();
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            deployer.deploy(APP);
            String room = Server.room("redeploy");
            try (SseStream stream = SseStream.connect(base.resolve("sse/channels/" + room), "bob")) {
                assertEquals(204, Http.postForm(base.resolve("rooms/" + room + "/messages"), "alice", "text", "hi")
                        .statusCode());
                assertEquals(200, Http.get(base.resolve("sse/status"), "alice").statusCode());
            }
            deployer.undeploy(APP);
            long loaded = settledClassCount(server, port);
            List<String> libraryThreads = jcmd(server, "Thread.print").lines()
                    .filter(line -> line.startsWith("\"broadcaster-")).toList();
            classes.add(loaded);
            Server.record("redeploy cycle " + cycle + ": " + loaded + " classes loaded after undeploy and GC; library"
                    + " threads left: " + libraryThreads.size());
            assertEquals(List.of(), libraryThreads, "library threads after undeploy " + cycle);
        }
        long growth = classes.get(3) - classes.get(1);
        assertTrue(growth < CLASS_NOISE, "loaded classes grew by " + growth + " from cycle 2 to 4: " + classes);
    }

    /**
     * Classes loaded once the count stops falling: the server's pooled threads may hold an undeployed application's
     * last task context until they run another task, so the server serves a few requests (its own metrics) and runs
     * a full GC between reads, at most ten times.
     */
    private static long settledClassCount(ProcessHandle server, int port) throws Exception {
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            for (int request = 0; request < 8; request++) {
                Http.get(URI.create("http://localhost:" + port + "/metrics?scope=base"), null);
            }
            jcmd(server, "GC.run");
            long loaded = counter(server, "java.cls.loadedClasses") - counter(server, "java.cls.unloadedClasses");
            if (loaded >= previous) {
                return loaded;
            }
            previous = loaded;
            Thread.sleep(500); // polling interval of a bounded wait for the count to settle
        }
        return previous;
    }

    /** The Open Liberty server of this checkout the suite deploys to (not the stop server, not another checkout's). */
    private static ProcessHandle libertyServer() {
        String wlp = new java.io.File("target/liberty/wlp").getAbsolutePath();
        String name = System.getProperty("it.server.name");
        List<ProcessHandle> found = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(wlp + "/bin/tools/ws-server.jar")
                        && c.contains(" " + name)).orElse(false))
                .toList();
        assertEquals(1, found.size(), "Liberty server processes of " + wlp + " named " + name + ": " + found);
        return found.get(0);
    }

    private static long counter(ProcessHandle server, String name) throws Exception {
        Matcher value = Pattern.compile(Pattern.quote(name) + "=(\\d+)").matcher(jcmd(server, "PerfCounter.print"));
        assertTrue(value.find(), name + " not in PerfCounter.print");
        return Long.parseLong(value.group(1));
    }

    private static String jcmd(ProcessHandle server, String command) throws IOException, InterruptedException {
        String jcmd = ProcessHandle.current().info().command().map(c -> c.replaceAll("java$", "jcmd")).orElse("jcmd");
        Process process = new ProcessBuilder(jcmd, Long.toString(server.pid()), command).redirectErrorStream(true)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "jcmd " + command + " did not finish");
        assertEquals(0, process.exitValue(), "jcmd " + command + ": " + out);
        return out;
    }
}
