package dev.broadcaster.bench.report;

import dev.broadcaster.bench.report.Goals.Outcome;
import dev.broadcaster.bench.report.Results.Group;
import dev.broadcaster.bench.report.Results.Section;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks the performance issue's goals (the distance to the wire and to a Netty peer) on the medians and writes
 * them as Markdown, each PASS, FAIL or "not measured" with the figures behind it:
 *
 * <ol>
 *   <li>CPU per delivery at 1,000, 5,000 and 10,000 connections, mode max and 10 events/s: {@code library} <= 2 x
 *   {@code nio}; {@code liberty-library} <= 1.25 x {@code library}.</li>
 *   <li>Fan-out p99 from the schedule at 10,000 connections and 10 events/s: {@code library} and
 *   {@code liberty-library} <= 3 x {@code nio}.</li>
 *   <li>CPU per delivery {@code library} <= 1.0 x {@code vertx}, mode max and 10 events/s.</li>
 *   <li>No event missing or duplicated in any run of the library; with stalled readers, the healthy readers'
 *   fan-out p99 <= 1.0 x the same case without them.</li>
 *   <li>Heap per connection: library minus naive app on the same container <= 2 KiB; GCs per million deliveries
 *   <= the naive app's.</li>
 * </ol>
 */
final class DistanceGoals {
    private static final Section MAX = new Section("max", 0, 0);
    private static final Section RATE = new Section("rate", 10, 0);
    private static final Section STALL_FREE = new Section("rate", 30, 0);
    private static final Section STALLED = new Section("rate", 30, 1);
    private static final int[] COUNTS = {1000, 5000, 10000};

    private final Results results;

    DistanceGoals(Results results) {
        this.results = results;
    }

    /** The "Goals of the performance issue" section. */
    List<String> markdown() {
        List<String> md = new ArrayList<>();
        md.add("## Goals of the performance issue (distance to the wire and to a Netty peer)");
        md.add("");
        md.add("Checked automatically on the medians; a goal not reached is reported with the figure reached.");
        md.add("");
        Outcome wire = new Outcome();
        Outcome liberty = new Outcome();
        Outcome vertx = new Outcome();
        for (Section s : List.of(MAX, RATE)) {
            for (int c : COUNTS) {
                ratio(wire, "library", "nio", c, s, "cpuUsPerDelivery", 2.0);
                ratio(liberty, "liberty-library", "library", c, s, "cpuUsPerDelivery", 1.25);
                ratio(vertx, "library", "vertx", c, s, "cpuUsPerDelivery", 1.0);
            }
        }
        for (Section s : List.of(MAX, RATE)) {
            for (int c : COUNTS) {
                for (String floor : List.of("grizzly", "liberty-servlet")) {
                    floor(wire, floor, "nio", c, s);
                    floor(vertx, floor, "vertx", c, s);
                }
            }
        }
        Goals.write(md, "1a. CPU per delivery: `library` <= 2 × `nio`", wire);
        Goals.write(md, "1b. CPU per delivery: `liberty-library` <= 1.25 × `library`", liberty);
        Outcome fanout = new Outcome();
        ratio(fanout, "library", "nio", 10000, RATE, "fanoutFromScheduleP99Us", 3.0);
        ratio(fanout, "liberty-library", "nio", 10000, RATE, "fanoutFromScheduleP99Us", 3.0);
        Goals.write(md, "2. Fan-out p99 from the schedule, 10,000 connections, 10 events/s: <= 3 × `nio`", fanout);
        Goals.write(md, "3. CPU per delivery: `library` <= 1.0 × `vertx`", vertx);
        Goals.write(md, "4. Nothing lost; stalled readers cost the healthy ones at most 1.0× their fan-out p99",
                nothingLost());
        Goals.write(md, "5. Heap per connection: library − naive app <= 2 KiB; GCs per million deliveries <= the"
                + " naive app's", heapAndGcs());
        return md;
    }

    private void ratio(Outcome o, String a, String b, int connections, Section s, String figure, double limit) {
        Double x = median(a, connections, s, figure);
        Double y = median(b, connections, s, figure);
        String where = "`" + a + "` / `" + b + "`, " + Fmt.num((double) connections) + " connections, "
                + s.shortTitle();
        if (x == null || y == null) {
            o.missing(where);
        } else {
            boolean fanout = figure.startsWith("fanout");
            double scale = fanout ? 1000 : 1; // fan-out in ms, CPU in µs
            o.check(x <= limit * y, where + ": " + Fmt.num(x / scale) + " vs " + Fmt.num(y / scale)
                    + (fanout ? " ms" : " µs") + " = " + Fmt.ratio(x, y));
        }
    }

    /**
     * A note (neither pass nor failure) where a container's floor was measured ({@code grizzly} in process,
     * {@code liberty-servlet} on Open Liberty: a plain handler or servlet writing the same bytes, no JAX-RS, no
     * library): the CPU per delivery any writer through that container's response pays, against the same peer.
     */
    private void floor(Outcome o, String floor, String peer, int connections, Section s) {
        Double x = median(floor, connections, s, "cpuUsPerDelivery");
        Double y = median(peer, connections, s, "cpuUsPerDelivery");
        if (x != null && y != null) {
            o.note("the container's floor, `" + floor + "` (no JAX-RS, no library) / `" + peer + "`, "
                    + Fmt.num((double) connections) + " connections, " + s.shortTitle() + ": " + Fmt.num(x)
                    + " vs " + Fmt.num(y) + " µs = " + Fmt.ratio(x, y));
        }
    }

    private Outcome nothingLost() {
        Outcome o = new Outcome();
        int runs = 0;
        double lost = 0;
        for (Map<String, Object> run : results.runs()) {
            String target = String.valueOf(run.get("target"));
            if (target.endsWith("library") && run.get("error") != null) {
                o.missing("`" + target + "` " + Fmt.num(Results.number(run, "connections")) + " connections, mode "
                        + run.get("mode") + ", run " + Fmt.num(Results.number(run, "run")) + " did not complete ("
                        + run.get("error") + ")");
            } else if (target.endsWith("library")) {
                runs++;
                Double missing = Results.number(run, "missing");
                Double duplicates = Results.number(run, "duplicates");
                lost += (missing == null ? 1 : missing) + (duplicates == null ? 1 : duplicates);
            }
        }
        if (runs == 0) {
            o.missing("no run of the library");
        } else {
            o.check(lost == 0, runs + " runs of `library` and `liberty-library`: " + Fmt.num(lost)
                    + " events missing or duplicated in all");
        }
        // at whatever size the stalled-reader group ran (benchmarks/run --stall-connections; 1,000 by default)
        for (String target : List.of("library", "liberty-library")) {
            List<Integer> sizes = results.connections(STALLED).stream()
                    .filter(c -> results.group(target, c, STALLED) != null).toList();
            for (int c : sizes.isEmpty() ? List.of(1000) : sizes) {
                ratio(o, target, target, c, STALLED, STALL_FREE, "fanoutP99Us", 1.0);
            }
        }
        return o;
    }

    private void ratio(Outcome o, String target, String same, int connections, Section with, Section without,
                       String figure, double limit) {
        Double x = median(target, connections, with, figure);
        Double y = median(same, connections, without, figure);
        String where = "`" + target + "` fan-out p99 with 1% stalled readers / without, "
                + Fmt.num((double) connections) + " connections, 30 events/s";
        if (x == null || y == null) {
            o.missing(where);
        } else {
            o.check(x <= limit * y, where + ": " + Fmt.num(x / 1000) + " vs " + Fmt.num(y / 1000) + " ms = "
                    + Fmt.ratio(x, y));
        }
    }

    private Outcome heapAndGcs() {
        Outcome o = new Outcome();
        for (String[] pair : new String[][] {{"library", "naive"}, {"liberty-library", "liberty-naive"}}) {
            for (Section s : List.of(MAX, RATE)) {
                for (int c : COUNTS) {
                    Double heap = median(pair[0], c, s, "heapPerConnectionKiB");
                    Double naiveHeap = median(pair[1], c, s, "heapPerConnectionKiB");
                    if (heap == null || naiveHeap == null) {
                        continue;
                    }
                    String where = "`" + pair[0] + "` − `" + pair[1] + "`, " + Fmt.num((double) c)
                            + " connections, " + s.shortTitle();
                    o.check(heap - naiveHeap <= 2.0, where + ": heap " + Fmt.num(heap) + " − " + Fmt.num(naiveHeap)
                            + " = " + Fmt.num(heap - naiveHeap) + " KiB per connection");
                    Double gcs = median(pair[0], c, s, "gcsPerMillionDeliveries");
                    Double naiveGcs = median(pair[1], c, s, "gcsPerMillionDeliveries");
                    if (gcs != null && naiveGcs != null) {
                        o.check(gcs <= naiveGcs, where + ": GCs per million deliveries " + Fmt.num(gcs) + " vs "
                                + Fmt.num(naiveGcs));
                    }
                }
            }
        }
        if (o.measured == 0) {
            o.missing("no point where the library and the naive app were both measured");
        }
        return o;
    }

    private Double median(String target, int connections, Section s, String figure) {
        Group g = results.group(target, connections, s);
        return g == null ? null : g.median(figure);
    }
}
