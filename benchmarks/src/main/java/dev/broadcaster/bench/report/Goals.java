package dev.broadcaster.bench.report;

import dev.broadcaster.bench.report.Results.Group;
import dev.broadcaster.bench.report.Results.Section;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks the benchmark's five goals on the results and writes them as Markdown, each PASS, FAIL or
 * "not measured" with the numbers behind it. Goal 1 looks at every run; the others at the medians of a
 * library target against its naive counterpart ({@code library} vs {@code naive}, and {@code liberty-library}
 * vs {@code liberty-naive} when present).
 *
 * <ol>
 *   <li>Correctness: missing == 0 and duplicates == 0 in every run of the library's targets ({@code library},
 *   {@code liberty-library}); the baselines' failed runs are listed as a finding, not a failure.</li>
 *   <li>CPU per delivery in mode max, at every connection count >= 1000: library <= 0.5 x naive.</li>
 *   <li>Publishing never waits: library publishServerP50Us, publishServerP99Us and publishServerCpuP99Us < 1000
 *       at every point; and at the largest connection
 *       count in mode rate (10 events/s, else the lowest rate), no event missing and
 *       fanoutFromScheduleP99Us <= 0.5 x naive.</li>
 *   <li>Threads at the largest connection count <= threads at the smallest + 10; heapPerConnectionKiB <= 20 at
 *       the largest count; gcsPerMillionDeliveries in mode max <= 0.5 x naive at every count.</li>
 *   <li>Stalled readers (mode rate, stalledPercent > 0): library fanoutP99Us <= 1.5 x its own run without
 *       stalled readers, and stalledClosed == stalled in every run.</li>
 * </ol>
 */
final class Goals {
    private static final Section MAX = new Section("max", 0, 0);
    private static final String PASS = "PASS";
    private static final String FAIL = "FAIL";
    private static final String NOT_MEASURED = "not measured";

    private final Results results;

    Goals(Results results) {
        this.results = results;
    }

    /** The outcome of one goal: its lines, and whether any part failed / was measured / was not. */
    static final class Outcome {
        final List<String> lines = new ArrayList<>();
        boolean failed;
        int measured;
        int unmeasured;

        void pass(String line) {
            measured++;
            lines.add(line + " ✓");
        }

        void fail(String line) {
            measured++;
            failed = true;
            lines.add(line + " ✗");
        }

        void check(boolean ok, String line) {
            if (ok) {
                pass(line);
            } else {
                fail(line);
            }
        }

        /** A line that is neither a pass nor a failure (e.g. what a baseline did). */
        void note(String line) {
            lines.add(line);
        }

        void missing(String line) {
            unmeasured++;
            lines.add(line + ": not measured");
        }

        String status() {
            if (failed) {
                return FAIL;
            }
            if (measured == 0) {
                return NOT_MEASURED;
            }
            return unmeasured > 0 ? PASS + " (partly not measured)" : PASS;
        }
    }

    /** The "Goals" section. */
    List<String> markdown() {
        List<String> md = new ArrayList<>();
        md.add("## Goals");
        md.add("");
        md.add("Checked automatically: goal 1 on every run, the others on the medians.");
        md.add("");
        write(md, "1. Correctness: no missing and no duplicate event in any run of the library (`library`, `liberty-library`)",
                correctness());
        for (String[] pair : new String[][] {{"library", "naive"}, {"liberty-library", "liberty-naive"}}) {
            String a = pair[0];
            String b = pair[1];
            if (!a.equals("library") && results.groups(a).isEmpty()) {
                continue; // the Liberty pair only when it was measured
            }
            md.add("### `" + a + "` vs `" + b + "`");
            md.add("");
            write(md, "2. CPU per delivery (mode max) at 1000+ connections: `" + a + "` <= 0.5 × `" + b + "`",
                    cpu(a, b));
            write(md, "3. Publishing never waits: `" + a + "` publish p99 in the server < 1 ms everywhere;"
                    + " at the most connections in mode rate every event delivered and fan-out p99 from the"
                    + " schedule <= 0.5 × `" + b + "`", publishing(a, b));
            write(md, "4. Resources: threads do not grow with connections (+10 at most), heap <= 20 KiB per"
                    + " connection, GCs per delivery (mode max) <= 0.5 × `" + b + "`", resources(a, b));
            write(md, "5. Stalled readers (mode rate): fan-out p99 <= 1.5 × the same run without stalled"
                    + " readers, and every stalled reader closed", stalled(a));
        }
        return md;
    }

    static void write(List<String> md, String goal, Outcome o) {
        md.add("**" + goal + "**: **" + o.status() + "**");
        md.add("");
        for (String line : o.lines) {
            md.add("- " + line);
        }
        if (!o.lines.isEmpty()) {
            md.add("");
        }
    }

    private Outcome correctness() {
        Outcome o = new Outcome();
        int checked = 0;
        for (Map<String, Object> run : results.runs()) {
            String target = String.valueOf(run.get("target"));
            if (!target.endsWith("library")) {
                continue;
            }
            checked++;
            Double missing = Results.number(run, "missing");
            Double duplicates = Results.number(run, "duplicates");
            if (missing == null || duplicates == null || missing > 0 || duplicates > 0) {
                o.fail("`" + target + "` " + Fmt.num(Results.number(run, "connections")) + " connections, "
                        + describe(run) + ", run " + Fmt.num(Results.number(run, "run")) + ": missing "
                        + Fmt.num(missing) + ", duplicates " + Fmt.num(duplicates));
            }
        }
        if (checked == 0) {
            o.missing("no run of the library");
        } else if (!o.failed) {
            o.pass(checked + " runs checked, none missed or duplicated an event");
        }
        for (Map<String, Object> run : results.runs()) {
            String target = String.valueOf(run.get("target"));
            if (!target.endsWith("library") && Boolean.FALSE.equals(run.get("ok")) && !target.equals("nio")) {
                Object error = run.get("error");
                o.note("baseline `" + target + "` " + Fmt.num(Results.number(run, "connections")) + " connections, "
                        + describe(run) + ", run " + Fmt.num(Results.number(run, "run")) + ": "
                        + (error != null ? "did not complete: " + error : "missing " + Fmt.num(Results.number(run,
                        "missing")) + ", duplicates " + Fmt.num(Results.number(run, "duplicates"))));
            }
        }
        return o;
    }

    private Outcome cpu(String a, String b) {
        Outcome o = new Outcome();
        for (int c : results.connections(MAX)) {
            if (c < 1000) {
                continue;
            }
            Double x = median(a, c, MAX, "cpuUsPerDelivery");
            Double y = median(b, c, MAX, "cpuUsPerDelivery");
            if (x == null || y == null) {
                o.missing(c + " connections");
            } else {
                o.check(x <= 0.5 * y, c + " connections: " + Fmt.num(x) + " µs vs " + Fmt.num(y) + " µs = "
                        + Fmt.ratio(x, y));
            }
        }
        if (o.measured + o.unmeasured == 0) {
            o.missing("no mode-max run with 1000 connections or more");
        }
        return o;
    }

    private Outcome publishing(String a, String b) {
        Outcome o = new Outcome();
        Group worst = worstPoint(a, "publishServerP99Us");
        if (worst == null) {
            o.missing("publish time in the server (`X-Publish-Nanos`)");
        } else {
            Group worstMedian = worstPoint(a, "publishServerP50Us");
            if (worstMedian == null) {
                o.missing("median publish time in the server");
            } else {
                o.check(worstMedian.median("publishServerP50Us") < 1000, "publish p50 in the server, worst point: "
                        + Fmt.num(worstMedian.median("publishServerP50Us")) + " µs at " + worstMedian.connections
                        + " connections, mode " + worstMedian.section.shortTitle());
            }
            double p99 = worst.median("publishServerP99Us");
            o.check(p99 < 1000, "publish p99 in the server, worst point: " + Fmt.num(p99) + " µs at "
                    + worst.connections + " connections, mode " + worst.section.shortTitle());
            Group worstCpu = worstPoint(a, "publishServerCpuP99Us");
            if (worstCpu == null) {
                o.missing("CPU time of the publish call (`X-Publish-Cpu-Nanos`)");
            } else {
                o.check(worstCpu.median("publishServerCpuP99Us") < 1000, "p99 of the publish call's CPU time, worst"
                        + " point: " + Fmt.num(worstCpu.median("publishServerCpuP99Us")) + " µs at "
                        + worstCpu.connections + " connections, mode " + worstCpu.section.shortTitle()
                        + " (wall-clock minus CPU time is time the thread was not running: see the platform"
                        + " stalls under Machine)");
            }
        }
        Optional<Section> rate = results.sections().stream()
                .filter(s -> !s.maxMode() && s.stalledPercent() == 0 && !results.targets(s).isEmpty()
                        && results.targets(s).contains(a))
                .min(Comparator.comparingDouble((Section s) -> s.rate() == 10 ? 0 : 1)
                        .thenComparingDouble(Section::rate));
        if (rate.isEmpty()) {
            o.missing("mode rate");
            return o;
        }
        Section s = rate.get();
        int c = results.connections(s).stream().filter(n -> results.group(a, n, s) != null)
                .max(Integer::compare).orElseThrow();
        Group g = results.group(a, c, s);
        Double missing = g.max("missing");
        String where = c + " connections, " + Fmt.plain(s.rate()) + " events/s";
        if (missing == null) {
            o.missing(where + ", missing events");
        } else {
            o.check(missing == 0, where + ": most events missing in a run: " + Fmt.num(missing));
        }
        Double x = median(a, c, s, "fanoutFromScheduleP99Us");
        Double y = median(b, c, s, "fanoutFromScheduleP99Us");
        if (x == null || y == null) {
            o.missing(where + ", fan-out p99 from the schedule of both");
        } else {
            o.check(x <= 0.5 * y, where + ": fan-out p99 from the schedule " + Fmt.num(x / 1000) + " ms vs "
                    + Fmt.num(y / 1000) + " ms = " + Fmt.ratio(x, y));
        }
        return o;
    }

    /** The point of target {@code a} with the highest median of {@code figure}; null if none has it. */
    private Group worstPoint(String a, String figure) {
        Group worst = null;
        for (Group g : results.groups(a)) {
            Double value = g.median(figure);
            if (value != null && (worst == null || value > worst.median(figure))) {
                worst = g;
            }
        }
        return worst;
    }

    private Outcome resources(String a, String b) {
        Outcome o = new Outcome();
        List<Integer> counts = results.groups(a).stream().filter(g -> g.section.stalledPercent() == 0)
                .map(g -> g.connections).distinct().sorted().toList();
        if (counts.size() < 2) {
            o.missing("threads at two connection counts");
        } else {
            int low = counts.get(0);
            int high = counts.get(counts.size() - 1);
            Double tLow = worstOver(a, low, "threadsMax");
            Double tHigh = worstOver(a, high, "threadsMax");
            if (tLow == null || tHigh == null) {
                o.missing("threads");
            } else {
                o.check(tHigh <= tLow + 10, "threads: " + Fmt.num(tHigh) + " at " + high + " connections vs "
                        + Fmt.num(tLow) + " at " + low);
            }
        }
        if (counts.isEmpty()) {
            o.missing("heap per connection");
        } else {
            int high = counts.get(counts.size() - 1);
            Group g = Optional.ofNullable(results.group(a, high, MAX)).orElseGet(() -> results.groups(a).stream()
                    .filter(x -> x.connections == high && x.section.stalledPercent() == 0).findFirst().orElseThrow());
            Double heap = g.median("heapPerConnectionKiB");
            if (heap == null) {
                o.missing("heap per connection");
            } else {
                o.check(heap <= 20, "heap per connection at " + high + " connections: " + Fmt.num(heap) + " KiB");
            }
        }
        int compared = 0;
        for (int c : results.connections(MAX)) {
            Double x = median(a, c, MAX, "gcsPerMillionDeliveries");
            Double y = median(b, c, MAX, "gcsPerMillionDeliveries");
            if (x == null || y == null) {
                continue;
            }
            compared++;
            o.check(x == 0 || x <= 0.5 * y, "GCs per million deliveries at " + c + " connections: " + Fmt.num(x)
                    + " vs " + Fmt.num(y) + (y > 0 ? " = " + Fmt.ratio(x, y) : ""));
        }
        if (compared == 0) {
            o.missing("GCs per million deliveries in mode max for both");
        }
        return o;
    }

    private Outcome stalled(String a) {
        Outcome o = new Outcome();
        for (Section s : results.sections()) {
            if (s.maxMode() || s.stalledPercent() == 0) {
                continue;
            }
            Section base = new Section(s.mode(), s.rate(), 0);
            for (int c : results.connections(s)) {
                Group g = results.group(a, c, s);
                if (g == null) {
                    continue;
                }
                String where = c + " connections, " + Fmt.plain(s.rate()) + " events/s, "
                        + Fmt.plain(s.stalledPercent()) + "% stalled";
                Double x = g.median("fanoutP99Us");
                Double y = median(a, c, base, "fanoutP99Us");
                if (x == null || y == null) {
                    o.missing(where + ": fan-out p99 with and without stalled readers");
                } else {
                    o.check(x <= 1.5 * y, where + ": fan-out p99 " + Fmt.num(x / 1000) + " ms vs "
                            + Fmt.num(y / 1000) + " ms without = " + Fmt.ratio(x, y));
                }
                boolean allClosed = true;
                for (Map<String, Object> run : g.runs) {
                    Double closed = Results.number(run, "stalledClosed");
                    Double stalled = Results.number(run, "stalled");
                    allClosed &= closed != null && closed.equals(stalled);
                }
                o.check(allClosed, where + ": stalled readers closed " + Fmt.num(g.sum("stalledClosed")) + " of "
                        + Fmt.num(g.sum("stalled")) + " (" + g.runs.size() + (g.runs.size() == 1 ? " run)" : " runs)"));
            }
        }
        if (o.measured + o.unmeasured == 0) {
            o.missing("no mode-rate run of `" + a + "` with stalled readers");
        }
        return o;
    }

    private Double median(String target, int connections, Section s, String figure) {
        Group g = results.group(target, connections, s);
        return g == null ? null : g.median(figure);
    }

    /** The largest median of {@code figure} over the stalled-free groups of a target at a connection count. */
    private Double worstOver(String target, int connections, String figure) {
        return results.groups(target).stream()
                .filter(g -> g.connections == connections && g.section.stalledPercent() == 0)
                .map(g -> g.median(figure)).filter(v -> v != null).max(Double::compare).orElse(null);
    }

    private static String describe(Map<String, Object> run) {
        Object mode = run.get("mode");
        String s = "mode " + mode;
        if (!"max".equals(mode)) {
            s += " " + Fmt.num(Results.number(run, "rateRequested")) + "/s";
        }
        Double stalled = Results.number(run, "stalledPercent");
        if (stalled != null && stalled > 0) {
            s += ", " + Fmt.plain(stalled) + "% stalled";
        }
        return s;
    }
}
