import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a benchmark server's CPU goes, from JFR recordings made with {@code benchmarks/profile/cpu.jfc}
 * (see {@code benchmarks/PROFILE.md}). Only the samples inside a measured window of the load generator
 * count: the windows are read from {@code results.jsonl} (each starts at {@code startedAt}, when publishing
 * started, and lasts {@code elapsedS}), so warm-up, connecting and stopping are left out.
 *
 * <p>Usage: {@code java benchmarks/profile/JfrBreakdown.java --results results.jsonl --target T
 * --connections N --mode rate|max file.jfr...}. Prints, for the CPU samples (threads in Java code, and
 * threads in native code whose top frame writes to a socket): the share per bucket (each sample is given
 * to the first frame, from the top of its stack, that belongs to a component), the estimated microseconds
 * per delivered event per bucket (share x the server's measured CPU / deliveries), the top leaf methods,
 * the top stacks, the share of samples whose stack holds some marker frames, and the garbage collections.
 * A JDK source-file program: no build step.
 */
public final class JfrBreakdown {

    /** Component rules, tried on each frame from the top of the stack: the first frame that matches one wins. */
    private static final String[][] RULES = {
        {"sun\\.nio\\.ch\\.(SocketDispatcher|FileDispatcherImpl|IOUtil|SocketChannelImpl|NioSocketImpl)\\.(write|writev|write0|writev0|implWrite).*", "socket writes (JDK NIO + syscall)"},
        {"sun\\.nio\\.ch\\.(SocketDispatcher|FileDispatcherImpl|IOUtil|SocketChannelImpl|NioSocketImpl)\\.(read|read0|readv|implRead).*", "socket reads (the publish POSTs)"},
        {"sun\\.nio\\.ch\\.(EPoll|SelectorImpl|EPollSelectorImpl).*", "selector loop"},
        {"dev\\.broadcaster\\.internal\\.(SseEncoder|JsonText|EventIds)\\..*", "library: encoding"},
        {"dev\\.broadcaster\\.internal\\.(JerseyFrame|ResteasyFrame|FrameWriter)\\..*", "library: frame to container (FrameWriter/ResteasyFrame)"},
        {"dev\\.broadcaster\\.internal\\.Workers\\..*", "library: executor hand-off (Workers)"},
        {"dev\\.broadcaster\\.internal\\.(Connection|Outbound|Conflation)\\..*", "library: per-connection queue and drain"},
        {"dev\\.broadcaster\\.internal\\.(Housekeeping|PresenceUpdater)\\..*", "library: timers (heartbeat, watchdog)"},
        {"dev\\.broadcaster\\.internal\\.(Channel|Channels|ChannelLog|LocalLog|LocalTopology|Topology|ChannelHistory|RecentEvents|DefaultChannelRegistry|CdiEventObserver|Latencies|Counters)\\..*", "library: publish and fan-out"},
        {"dev\\.broadcaster\\.bench\\..*", "benchmark publish endpoint"},
        {"dev\\.broadcaster\\..*", "library: other"},
        {"(java\\.util\\.concurrent\\.(ThreadPoolExecutor|ScheduledThreadPoolExecutor|LinkedBlockingQueue|ArrayBlockingQueue|SynchronousQueue|LinkedTransferQueue|ConcurrentLinkedQueue|ForkJoin|CompletableFuture|FutureTask|locks\\.)|jdk\\.internal\\.misc\\.Unsafe\\.(park|unpark)|java\\.util\\.concurrent\\.Executors).*", "JDK executors, queues and locks"},
        {"(com\\.ibm\\.ws\\.concurrent|com\\.ibm\\.ws\\.context|com\\.ibm\\.ws\\.threadContext|com\\.ibm\\.wsspi\\.threadcontext|com\\.ibm\\.ws\\.javaee\\.dd|com\\.ibm\\.ws\\.classloader\\.context|com\\.ibm\\.ws\\.security\\.context|com\\.ibm\\.ws\\.transaction\\.context|com\\.ibm\\.ws\\.runtime\\.metadata|com\\.ibm\\.ws\\.container\\.service\\.metadata|com\\.ibm\\.ws\\.threading\\.internal\\.ExecutorServiceImpl|com\\.ibm\\.ws\\.threading\\.internal\\.PolicyExecutor).*", "Liberty: managed executor and context capture"},
        {"com\\.ibm\\.ws\\.threading.*", "Liberty: thread pool"},
        {"(com\\.ibm\\.ws\\.http|com\\.ibm\\.ws\\.tcpchannel|com\\.ibm\\.io|com\\.ibm\\.ws\\.channelfw|com\\.ibm\\.wsspi\\.channelfw|com\\.ibm\\.wsspi\\.http|com\\.ibm\\.ws\\.genericbnf|com\\.ibm\\.wsspi\\.bytebuffer|com\\.ibm\\.ws\\.bytebuffer).*", "Liberty: HTTP and TCP channels"},
        {"(com\\.ibm\\.ws\\.webcontainer|com\\.ibm\\.wsspi\\.webcontainer|com\\.ibm\\.ws\\.session).*", "Liberty: web container (servlet)"},
        {"org\\.jboss\\.resteasy.*", "RESTEasy"},
        {"org\\.glassfish\\.grizzly.*", "Grizzly"},
        {"org\\.glassfish\\.jersey.*", "Jersey"},
        {"(org\\.jboss\\.weld|com\\.ibm\\.ws\\.cdi).*", "CDI (Weld)"},
        {"(jdk\\.jfr|jdk\\.internal\\.event).*", "JFR itself"},
        {"com\\.ibm.*", "Liberty: other"},
        {"io\\.openliberty.*", "Liberty: other"},
    };

    /** Frames whose presence anywhere in a stack is counted (inclusive share). */
    private static final String[][] MARKERS = {
        {"dev\\.broadcaster\\.internal\\.Workers\\.execute.*", "Workers.execute (a drain task handed to the executor)"},
        {"dev\\.broadcaster\\.internal\\.Connection\\.deliver.*", "Connection.deliver (enqueue, publish thread)"},
        {"dev\\.broadcaster\\.internal\\.Connection\\.(drain|lambda).*", "Connection drain task"},
        {"dev\\.broadcaster\\.internal\\.SseEncoder\\..*", "SseEncoder"},
        {"java\\.util\\.concurrent\\.ThreadPoolExecutor\\.execute.*", "ThreadPoolExecutor.execute"},
        {"java\\.util\\.concurrent\\.ThreadPoolExecutor\\.getTask.*", "ThreadPoolExecutor.getTask (worker takes a task)"},
        {"java\\.util\\.concurrent\\.locks\\.LockSupport\\.unpark.*", "LockSupport.unpark (waking a worker)"},
        {"(com\\.ibm\\.ws\\.concurrent|com\\.ibm\\.ws\\.context|com\\.ibm\\.wsspi\\.threadcontext).*", "Liberty concurrency/context classes"},
        {".*\\.(captureThreadContext|taskStarting|taskStopping|clone|createThreadContextDescriptor)", "context capture/apply methods (capture*, taskStarting/Stopping)"},
        {".*\\.captureThreadContext", "  of which capture on submit (captureThreadContext)"},
        {".*\\.(taskStarting|taskStopping)", "  of which apply/restore on the worker (taskStarting/taskStopping)"},
        {"com\\.ibm\\.ws\\.concurrent\\.internal\\.ManagedExecutorServiceImpl\\.(submit|execute)", "ManagedExecutorServiceImpl.submit/execute (the whole submit)"},
        {"com\\.ibm\\.ws\\.threading\\.internal\\.PolicyTaskFutureImpl\\.run", "PolicyTaskFutureImpl.run (a managed task running)"},
        {"(org\\.jboss\\.resteasy\\.plugins\\.providers\\.sse|org\\.glassfish\\.jersey\\.media\\.sse)\\..*", "JAX-RS SSE sink (Jersey/RESTEasy sse package)"},
        {"dev\\.broadcaster\\.bench\\.servers\\..*Publish.*", "benchmark publish endpoint (the POST)"},
        {"dev\\.broadcaster\\.internal\\.Housekeeping\\..*", "Housekeeping (heartbeat/watchdog)"},
        {"sun\\.nio\\.ch\\..*\\.(write|writev|write0|writev0)", "socket write (any)"},
        {"org\\.glassfish\\.grizzly\\.memory\\.HeapMemoryManager\\.allocate", "Grizzly buffer allocation per write (HeapMemoryManager.allocate)"},
        {"org\\.glassfish\\.jersey\\.server\\.ChunkedOutput\\.write", "Jersey ChunkedOutput.write (one per event per connection)"},
        {"org\\.glassfish\\.grizzly\\.http\\.io\\.OutputBuffer\\.flush", "Grizzly OutputBuffer.flush (one flush per event)"},
        {"dev\\.broadcaster\\.internal\\.FrameWriter\\.writeTo", "FrameWriter.writeTo (the library's body writer)"},
        {"com\\.ibm\\.ws\\.threading\\.internal\\.(ExecutorServiceImpl|PolicyExecutorImpl|ThreadPoolController).*", "Liberty thread pool / policy executor classes"},
        {"org\\.jboss\\.resteasy\\.plugins\\.providers\\.sse\\.SseEventOutputImpl\\..*", "RESTEasy SseEventOutputImpl (the sink)"},
        {"(com\\.ibm\\.ws\\.http|com\\.ibm\\.ws\\.tcpchannel|com\\.ibm\\.ws\\.webcontainer).*\\.(flush|flushBuffers|flushHeaders|write|writeBuffers)", "Liberty HTTP/TCP/servlet write or flush"},
        {"com\\.ibm\\.ws\\.security.*", "Liberty security classes"},
    };

    private record Window(Instant start, Instant end, long deliveries, double cpuMs, String target, int connections,
            String mode) {
    }

    public static void main(String[] args) throws IOException {
        String results = null;
        String target = null;
        String mode = null;
        int connections = -1;
        int top = 15;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--results" -> results = args[++i];
                case "--target" -> target = args[++i];
                case "--mode" -> mode = args[++i];
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--top" -> top = Integer.parseInt(args[++i]);
                default -> files.add(Path.of(args[i]));
            }
        }
        if (results == null || target == null || mode == null || connections < 0 || files.isEmpty()) {
            System.err.println("usage: java JfrBreakdown.java --results results.jsonl --target T --connections N"
                    + " --mode rate|max [--top 15] file.jfr...");
            System.exit(2);
        }
        List<Window> windows = windows(Path.of(results), target, connections, mode);
        List<Pattern> rulePatterns = new ArrayList<>();
        for (String[] r : RULES) {
            rulePatterns.add(Pattern.compile(r[0]));
        }
        Map<String, Long> buckets = new LinkedHashMap<>();
        Map<String, Long> leaves = new TreeMap<>();
        Map<String, Long> stacks = new TreeMap<>();
        Map<String, Long> markers = new LinkedHashMap<>();
        Map<String, Long> threads = new TreeMap<>();
        Map<String, Double> threadCpuMs = new TreeMap<>();
        int cpus = Runtime.getRuntime().availableProcessors();
        Map<String, Long> allocByBucket = new TreeMap<>();
        Map<String, Long> allocBySite = new TreeMap<>();
        long allocBytes = 0;
        long javaSamples = 0;
        long nativeWriteSamples = 0;
        long nativeOther = 0;
        long gcs = 0;
        double gcPauseMs = 0;
        long deliveries = 0;
        double cpuMs = 0;
        List<Window> used = new ArrayList<>();
        for (Path file : files) {
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            Instant first = Instant.MAX;
            Instant last = Instant.MIN;
            for (RecordedEvent e : events) {
                if (e.getStartTime().isBefore(first)) {
                    first = e.getStartTime();
                }
                if (e.getEndTime().isAfter(last)) {
                    last = e.getEndTime();
                }
            }
            List<Window> mine = new ArrayList<>();
            for (Window w : windows) {
                if (!w.start.isBefore(first) && !w.end.isAfter(last)) {
                    mine.add(w);
                }
            }
            used.addAll(mine);
            for (Window w : mine) {
                deliveries += w.deliveries;
                cpuMs += w.cpuMs;
            }
            for (RecordedEvent e : events) {
                if (mine.stream().noneMatch(w -> !e.getStartTime().isBefore(w.start) && !e.getStartTime().isAfter(w.end))) {
                    continue;
                }
                String type = e.getEventType().getName();
                if (type.equals("jdk.GarbageCollection")) {
                    gcs++;
                    gcPauseMs += e.getDuration("sumOfPauses").toNanos() / 1e6;
                    continue;
                }
                if (type.equals("jdk.ThreadCPULoad")) {
                    // a share of the whole machine over the last period (1 s): CPU ms of that thread
                    String t = e.getThread("eventThread") == null ? "?" : e.getThread("eventThread").getJavaName();
                    threadCpuMs.merge(threadGroup(t), (e.getFloat("user") + e.getFloat("system")) * cpus * 1000.0,
                            Double::sum);
                    continue;
                }
                if (type.equals("jdk.ObjectAllocationSample")) {
                    // weight: the bytes allocated since the previous sample of that thread, attributed to this site
                    RecordedStackTrace ast = e.getStackTrace();
                    if (ast != null && !ast.getFrames().isEmpty()) {
                        long weight = e.getLong("weight");
                        allocBytes += weight;
                        String site = "other (JDK, no component frame)";
                        allocSite:
                        for (RecordedFrame f : ast.getFrames()) {
                            String n = name(f);
                            for (int i = 0; i < rulePatterns.size(); i++) {
                                if (rulePatterns.get(i).matcher(n).matches()) {
                                    site = RULES[i][1];
                                    break allocSite;
                                }
                            }
                        }
                        allocByBucket.merge(site, weight, Long::sum);
                        StringBuilder sb = new StringBuilder("[").append(site).append("] ")
                                .append(e.getClass("objectClass").getName()).append(" @ ");
                        for (int i = 0; i < Math.min(5, ast.getFrames().size()); i++) {
                            sb.append(i == 0 ? "" : " < ").append(shortName(name(ast.getFrames().get(i))));
                        }
                        allocBySite.merge(sb.toString(), weight, Long::sum);
                    }
                    continue;
                }
                boolean isJava = type.equals("jdk.ExecutionSample");
                boolean isNative = type.equals("jdk.NativeMethodSample");
                if (!isJava && !isNative) {
                    continue;
                }
                RecordedStackTrace st = e.getStackTrace();
                if (st == null || st.getFrames().isEmpty()) {
                    continue;
                }
                List<RecordedFrame> frames = st.getFrames();
                String leaf = name(frames.get(0));
                if (isNative) {
                    // a thread in native code is on the CPU only while it writes (or reads); waiting in
                    // epoll, park or accept is not CPU
                    if (!leaf.matches("sun\\.nio\\.ch\\..*\\.(write0|writev0|read0|readv0)")) {
                        nativeOther++;
                        continue;
                    }
                    nativeWriteSamples++;
                } else {
                    javaSamples++;
                }
                String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
                threads.merge(threadGroup(thread), 1L, Long::sum);
                String bucket = "other (JDK, no component frame)";
                outer:
                for (RecordedFrame f : frames) {
                    String n = name(f);
                    for (int i = 0; i < rulePatterns.size(); i++) {
                        if (rulePatterns.get(i).matcher(n).matches()) {
                            bucket = RULES[i][1];
                            break outer;
                        }
                    }
                }
                buckets.merge(bucket, 1L, Long::sum);
                leaves.merge(leaf, 1L, Long::sum);
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < Math.min(6, frames.size()); i++) {
                    sb.append(i == 0 ? "" : " < ").append(shortName(name(frames.get(i))));
                }
                stacks.merge(sb.toString(), 1L, Long::sum);
                for (String[] m : MARKERS) {
                    for (RecordedFrame f : frames) {
                        if (name(f).matches(m[0])) {
                            markers.merge(m[1], 1L, Long::sum);
                            break;
                        }
                    }
                }
            }
        }
        long total = javaSamples + nativeWriteSamples;
        System.out.printf("windows: %d (%s %d connections, mode %s); deliveries %d; server CPU %.0f ms (%.2f us/delivery)%n",
                used.size(), target, connections, mode, deliveries, cpuMs, deliveries > 0 ? cpuMs * 1000 / deliveries : -1);
        System.out.printf("CPU samples: %d (%d in Java code, %d in a native socket write/read); %d native samples waiting (not CPU)%n",
                total, javaSamples, nativeWriteSamples, nativeOther);
        System.out.printf("GCs in the windows: %d, pauses %.1f ms in all (%.1f per million deliveries)%n",
                gcs, gcPauseMs, deliveries > 0 ? gcs * 1e6 / deliveries : -1);
        // the samples are of the application's threads: the JIT compiler's CPU (and GC threads', which are
        // not Java threads) is not theirs, so the microseconds are those of the application threads alone
        double appMs = threadCpuMs.entrySet().stream()
                .filter(en -> !en.getKey().contains("CompilerThread") && !en.getKey().contains("Sweeper"))
                .mapToDouble(Map.Entry::getValue).sum();
        double usPerSample = total > 0 && deliveries > 0 ? appMs * 1000 / deliveries / total : 0;
        System.out.printf("application threads' CPU (jdk.ThreadCPULoad, JIT compiler threads left out): %.0f ms,"
                + " %.2f us per delivery%n", appMs, deliveries > 0 ? appMs * 1000 / deliveries : -1);
        System.out.println();
        System.out.println("| bucket (first component frame from the top) | share of CPU samples | ~us per delivery (application threads) |");
        System.out.println("| --- | ---: | ---: |");
        sorted(buckets).forEach(en -> System.out.printf("| %s | %.1f%% | %.2f |%n",
                en.getKey(), 100.0 * en.getValue() / total, en.getValue() * usPerSample));
        System.out.println();
        System.out.println("Samples by thread:");
        sorted(threads).forEach(en -> System.out.printf("  %5.1f%%  %s%n", 100.0 * en.getValue() / total, en.getKey()));
        System.out.println();
        double javaThreadsMs = threadCpuMs.values().stream().mapToDouble(Double::doubleValue).sum();
        System.out.printf("CPU of Java threads (jdk.ThreadCPULoad, 1 s periods, %d CPUs): %.0f ms in all, against the"
                + " process's %.0f ms: the rest (%.0f%%) is GC and VM threads (not Java threads) and the 1 s periods' rounding%n",
                cpus, javaThreadsMs, cpuMs, cpuMs > 0 ? 100 * (1 - javaThreadsMs / cpuMs) : 0);
        threadCpuMs.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
                .limit(8).forEach(en -> System.out.printf("  %6.0f ms  %s%n", en.getValue(), en.getKey()));
        System.out.println();
        System.out.println("Stacks holding (inclusive share):");
        sorted(markers).forEach(en -> System.out.printf("  %5.1f%%  %s%n", 100.0 * en.getValue() / total, en.getKey()));
        System.out.println();
        System.out.printf("Allocation (jdk.ObjectAllocationSample weights): %.0f MB in the windows, %.0f bytes per delivery; by component:%n",
                allocBytes / 1e6, deliveries > 0 ? (double) allocBytes / deliveries : -1);
        final long allocTotal = Math.max(1, allocBytes);
        final long dels = Math.max(1, deliveries);
        sorted(allocByBucket).forEach(en -> System.out.printf("  %5.1f%% %7.0f B/delivery  %s%n",
                100.0 * en.getValue() / allocTotal, (double) en.getValue() / dels, en.getKey()));
        System.out.println("Top allocation sites ([component] class @ 5 frames):");
        sorted(allocBySite).limit(12).forEach(en -> System.out.printf("  %5.1f%% %7.0f B/delivery  %s%n",
                100.0 * en.getValue() / allocTotal, (double) en.getValue() / dels, en.getKey()));
        System.out.println();
        System.out.println("Top " + top + " leaf methods (self):");
        sorted(leaves).limit(top).forEach(en -> System.out.printf("  %5.1f%%  %s%n", 100.0 * en.getValue() / total, en.getKey()));
        System.out.println();
        System.out.println("Top " + top + " stacks (6 frames from the top):");
        sorted(stacks).limit(top).forEach(en -> System.out.printf("  %5.1f%%  %s%n", 100.0 * en.getValue() / total, en.getKey()));
    }

    private static java.util.stream.Stream<Map.Entry<String, Long>> sorted(Map<String, Long> m) {
        return m.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static String shortName(String n) {
        int dot = n.lastIndexOf('.');
        int prev = dot > 0 ? n.lastIndexOf('.', dot - 1) : -1;
        return prev >= 0 ? n.substring(prev + 1) : n;
    }

    /** A thread's name with its numbers replaced, so a pool's threads count as one. */
    private static String threadGroup(String name) {
        return name.replaceAll("\\d+", "N");
    }

    /** The measured windows of {@code target} at {@code connections} in {@code mode}, from the results file. */
    private static List<Window> windows(Path results, String target, int connections, String mode) throws IOException {
        List<Window> out = new ArrayList<>();
        for (String line : Files.readAllLines(results)) {
            if (!target.equals(str(line, "target")) || !mode.equals(str(line, "mode"))
                    || connections != (int) num(line, "connections") || num(line, "payloadBytes") != 500
                    || num(line, "stalledPercent") != 0 || str(line, "startedAt") == null) {
                continue;
            }
            Instant start = Instant.parse(str(line, "startedAt"));
            Instant end = start.plus(Duration.ofMillis((long) (num(line, "elapsedS") * 1000)));
            out.add(new Window(start, end, (long) num(line, "deliveries"), num(line, "cpuMsPublishing"), target,
                    connections, mode));
        }
        return out;
    }

    private static String str(String line, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": ?\"([^\"]*)\"").matcher(line);
        return m.find() ? m.group(1) : null;
    }

    private static double num(String line, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": ?(-?[0-9.]+)").matcher(line);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
