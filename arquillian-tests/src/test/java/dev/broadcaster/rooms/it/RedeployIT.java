package dev.broadcaster.rooms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broadcaster.rooms.it.support.Server;
import dev.broadcaster.support.Eventually;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
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
 * thread of the library ({@code broadcaster-*}) and no growing number of old copies of its classes. Each cycle uses
 * the library (a stream, a publish), closes the stream and waits until the library has ended it too (a heartbeat
 * finds the client gone), undeploys, runs a full GC in the server, then reads its thread dump and its loaded classes
 * with {@code jcmd}: the copies of the library's registry class, one per class loader that still holds it, must be
 * no more after the last cycle than after the first. (Full suite: [3, 3, 3, 3] and [5, 5, 5, 5]; those are the
 * suite's earlier deployments, see below.)
 *
 * <p>Why the stream must have ended before the undeploy: Open Liberty 26.0.0.3 pins an application whose
 * asynchronous (SSE) request is completed while the application stops. The library closes every open stream then,
 * as it must; Liberty then calls Weld's {@code requestInitialized} for that request on the thread that completes it
 * but never {@code requestDestroyed}, so Weld's request context of the stream (its bean store with the library's
 * request-scoped beans) stays in a {@code ThreadLocal} of that pooled thread, and Weld logs WELD-000714 and
 * WELD-000225 on the thread's next request (Weld's trace: every such request is one the library closed at stop).
 * Without waiting, the copies grew by one per cycle in the full suite ([2, 3, 4, 5], [4, 5, 6, 6]). A minimal SSE
 * application without this library is pinned the same way when a {@code ServletContextListener} closes its streams
 * at stop (through Liberty's {@code WebContainerRequestState} in a {@code ThreadLocal}), and by the open connection
 * when nothing closes them; closed while it runs, neither pins anything.
 *
 * <p>What else may hold an undeployed application, found in heap dumps of this test's server (none of it the
 * library's, none of it growing): for its first 5 minutes Open Liberty keeps its last 100 log messages softly
 * ({@code BaseTraceService.earlierMessages}), among them RESTEasy's "RESTEASY002225: Deploying
 * jakarta.ws.rs.core.Application" whose parameter is the application's class; the test server therefore runs with
 * {@code -XX:SoftRefLRUPolicyMSPerMB=0} (arquillian.xml), so that each full GC clears soft references as memory
 * pressure would. On JDK 17, {@code java.lang.runtime.ObjectMethods.OBJECT_EQ.asTypeCache} holds the last record
 * class whose {@code equals} was linked (JDK-8078641, fixed in JDK 18): one copy. Liberty's
 * {@code WARDeployedAppInfo} has a finalizer, which may hold the last application until it has run. The server's
 * total of loaded classes is recorded too, but not asserted: Liberty loads classes of its own lazily, by hundreds.
 */
@ExtendWith(ArquillianExtension.class)
class RedeployIT {

    private static final String APP = "rooms-redeployed";
    private static final int CYCLES = 4;
    /** A class of the library: each live copy is a class loader of an application that has not been released. */
    private static final String LIBRARY_CLASS = "dev.broadcaster.internal.DefaultChannelRegistry";

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
        List<Integer> copies = new ArrayList<>();
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            deployer.deploy(APP);
            String room = Server.room("redeploy");
            try (SseStream stream = SseStream.connect(base.resolve("sse/channels/" + room), "bob")) {
                assertEquals(204, HttpCalls.postForm(base.resolve("rooms/" + room + "/messages"), "alice", "text", "hi")
                        .statusCode());
                assertEquals(200, HttpCalls.get(base.resolve("sse/status"), "alice").statusCode());
            }
            // the library ends the stream once a heartbeat finds the client gone: undeploy with no stream open (a
            // stream still open when the application stops pins it in Liberty, see the class comment)
            Eventually.equalTo(0, () -> openStreams(base), "streams open after the client closed its stream");
            assertTrue(libraryCopies(server) >= 1, "the probe sees the deployed application's copy");
            deployer.undeploy(APP);
            int remaining = settledLibraryCopies(server, port);
            long loaded = counter(server, "java.cls.loadedClasses") - counter(server, "java.cls.unloadedClasses");
            List<String> libraryThreads = jcmd(server, "Thread.print").lines()
                    .filter(line -> line.startsWith("\"broadcaster-")).toList();
            copies.add(remaining);
            Server.record("redeploy cycle " + cycle + ": " + remaining + " copies of the library's classes and "
                    + loaded + " classes in all loaded after undeploy and GC; library threads left: "
                    + libraryThreads.size());
            assertEquals(List.of(), libraryThreads, "library threads after undeploy " + cycle);
        }
        // earlier classes of the suite undeploy the application with streams open: their copies may stay pinned (see
        // the class comment), a number these cycles must not add to
        Server.record("copies of " + LIBRARY_CLASS + " after each undeploy: " + copies);
        assertTrue(copies.get(CYCLES - 1) <= copies.get(0), "copies of the library's classes grew: " + copies);
    }

    /**
     * The loaded copies of {@link #LIBRARY_CLASS} once no more than one is left, or after ten tries: the server's
     * pooled threads may hold an undeployed application's last task context until they run another task, so the
     * server serves a few requests (its own metrics) and runs a full GC before each read.
     */
    private static int settledLibraryCopies(ProcessHandle server, int port) throws Exception {
        int copies = Integer.MAX_VALUE;
        for (int i = 0; i < 10 && copies > 1; i++) {
            if (i > 0) {
                Thread.sleep(500); // polling interval of a bounded wait for the class loaders to be released
            }
            for (int request = 0; request < 8; request++) {
                HttpCalls.get(URI.create("http://localhost:" + port + "/metrics?scope=base"), null);
            }
            jcmd(server, "GC.run");
            copies = libraryCopies(server);
        }
        return copies;
    }

    /** The streams the deployed application has open, from its status endpoint. */
    private static int openStreams(URI base) {
        var status = HttpCalls.get(base.resolve("sse/status"), "alice");
        assertEquals(200, status.statusCode(), status.body());
        Matcher connections = Pattern.compile("\"connections\":(\\d+)").matcher(status.body());
        assertTrue(connections.find(), status.body());
        return Integer.parseInt(connections.group(1));
    }

    /** How many copies of {@link #LIBRARY_CLASS} the server has loaded (lines {@code |--name/0x<loader>}). */
    private static int libraryCopies(ProcessHandle server) throws Exception {
        String entry = "--" + LIBRARY_CLASS + "/";
        return (int) jcmd(server, "VM.class_hierarchy").lines().filter(line -> line.contains(entry)).count();
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
