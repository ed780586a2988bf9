package dev.broadcaster.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Self-check of the report's parsing, grouping and goal logic (run by {@code SseStreamDecoderTest} in the module's build,
 * or by hand: {@code java -cp target/classes:target/test-classes dev.broadcaster.bench.report.ReportSelfCheck});
 * prints OK or throws. The runs are built in memory here, so no results file is involved.
 */
public final class ReportSelfCheck {
    private ReportSelfCheck() {
    }

    public static void main(String[] args) {
        Map<String, Object> m = FlatJson.parse(
                "{\"a\": \"x\\\"y\\u00e9\\n\", \"b\": -1.5e3, \"c\": true, \"d\": null, \"e.f\": 0}");
        check(m.get("a").equals("x\"yé\n") && m.get("b").equals(-1500.0) && m.get("c").equals(Boolean.TRUE)
                && m.containsKey("d") && m.get("d") == null && m.get("e.f").equals(0.0), "parse " + m);
        for (String bad : new String[] {"{\"a\": [1]}", "{\"a\": 1", "{\"a\" 1}", "{\"a\": 1} x", "{\"a\": tru}"}) {
            try {
                FlatJson.parse(bad);
                throw new AssertionError("accepted " + bad);
            } catch (IllegalArgumentException expected) {
                // good
            }
        }

        List<Map<String, Object>> runs = new ArrayList<>();
        for (int c : new int[] {100, 1000, 10000}) {
            for (int run = 1; run <= 4; run++) {
                runs.add(run("library", c, "max", 0, 0, run, 2.0 + run, 0));
                runs.add(run("naive", c, "max", 0, 0, run, 10.0, 0));
                runs.add(run("library", c, "rate", 10, 0, run, 5, 0));
                runs.add(run("naive", c, "rate", 10, 0, run, 12, 0));
            }
            runs.add(run("library", c, "rate", 10, 1, 1, 5, 0));
        }
        Results r = new Results(runs);
        Results.Group g = r.group("library", 1000, new Results.Section("max", 0, 0));
        check(g.runs.size() == 4 && g.median("cpuUsPerDelivery") == 4.5 && g.min("cpuUsPerDelivery") == 3.0,
                "median of 3,4,5,6 is 4.5");
        check(r.targets().equals(List.of("library", "naive")), "targets " + r.targets());
        check(r.sections().get(0).maxMode(), "mode max first");
        String md = new MarkdownReport(r, "2000-01-01", "cores: 2", "run", "docs/benchmark.png").render();
        for (String goal : new String[] {"**1. Correctness", "**2. CPU", "**3. Publishing", "**4. Resources",
            "**5. Stalled"}) {
            int at = md.indexOf(goal);
            check(at >= 0 && md.substring(at, md.indexOf('\n', at)).endsWith("**PASS**"), goal + " should pass:\n"
                    + md.substring(Math.max(0, at)));
        }
        check(!md.contains("liberty-library` vs"), "no Liberty section without Liberty runs");
        check(!md.contains("`library` vs `vertx`"), "no Vert.x ratios without Vert.x runs");

        List<Map<String, Object>> withPeers = new ArrayList<>(runs);
        withPeers.add(run("vertx", 1000, "max", 0, 0, 1, 9, 0));
        withPeers.add(run("nio", 1000, "max", 0, 0, 1, 1.5, 0));
        Results peers = new Results(withPeers);
        check(peers.targets().equals(List.of("library", "naive", "nio", "vertx")), "targets " + peers.targets());
        md = new MarkdownReport(peers, "2000-01-01", "cores: 2", "run", null).render();
        check(md.contains("| connections | library | naive | nio | vertx |"), "a vertx column beside nio:\n" + md);
        int vertx = md.indexOf("**`library` vs `vertx`**");
        check(vertx >= 0 && md.indexOf("| max | 1,000 | 0.50× |", vertx) >= 0
                        && md.indexOf("| 3.00× |", vertx) >= 0,
                "library vs vertx at 1000 connections, mode max: CPU 4.5 / 9 and 4.5 / 1.5 (nio):\n" + md);

        // the performance issue's goals: the stalled-reader ratio at the size the group ran (here 500, with a
        // p99 of 30 ms with stalled readers against 40 without), and the servlet floor as a note under goals 1a and 3
        List<Map<String, Object>> distance = new ArrayList<>(withPeers);
        for (int run = 1; run <= 3; run++) {
            distance.add(run("library", 500, "rate", 30, 0, run, 40, 0));
            distance.add(run("library", 500, "rate", 30, 1, run, 30, 0));
        }
        distance.add(run("liberty-servlet", 1000, "max", 0, 0, 1, 6, 0));
        md = new MarkdownReport(new Results(distance), "2000-01-01", "cores: 2", "run", null).render();
        check(md.contains("- `library` fan-out p99 with 1% stalled readers / without, 500 connections, 30 events/s:"
                + " 30 vs 40 ms = 0.75× ✓"), "goal 4 read at the stalled-reader group's own size:\n" + md);
        check(md.contains("the container's floor, `liberty-servlet` (no JAX-RS, no library) / `nio`, 1,000"
                + " connections, max: 6 vs 1.50 µs = 4.00×")
                && md.contains("`liberty-servlet` (no JAX-RS, no library) / `vertx`, 1,000 connections, max: 6 vs 9 µs"
                + " = 0.67×"), "the servlet floor beside nio and vertx:\n" + md);

        runs.add(run("library", 1000, "max", 0, 0, 5, 10, 3));
        md = new MarkdownReport(new Results(runs), "2000-01-01", "cores: 2", "run", null).render();
        check(md.contains("**1. Correctness: no missing and no duplicate event in any run of the library (`library`,"
                + " `liberty-library`)**: **FAIL**"), "a run of the library with missing events fails goal 1");
        System.out.println("OK");
    }

    private static Map<String, Object> run(String target, int connections, String mode, double rate, double stalled,
                                           int run, double cpu, double missing) {
        double deliveries = 1e6;
        return FlatJson.parse(String.format(java.util.Locale.ROOT, "{\"target\": \"%s\", \"connections\": %d,"
                        + " \"mode\": \"%s\", \"rateRequested\": %s, \"stalledPercent\": %s, \"run\": %d,"
                        + " \"deliveries\": %s, \"deliveredPerS\": %s, \"cpuUsPerDelivery\": %s, \"missing\": %s,"
                        + " \"duplicates\": 0, \"fanoutP99Us\": %s, \"fanoutFromScheduleP99Us\": %s,"
                        + " \"publishServerP50Us\": %s, \"publishServerP99Us\": %s, \"publishServerCpuP99Us\": %s,"
                        + " \"threadsMax\": %d,"
                        + " \"heapPerConnectionKiB\": %s,"
                        + " \"gcsPerMillionDeliveries\": %s, \"stalled\": %d, \"stalledClosed\": %d}",
                target, connections, mode, rate, stalled, run, deliveries, 1e6 / cpu, cpu, missing, cpu * 1000,
                cpu * 1000, target.equals("library") ? 100 : 2000, target.equals("library") ? 200 : 5000,
                target.equals("library") ? 150 : 4000,
                target.equals("library") ? 30 : 30 + connections,
                target.equals("library") ? 3 : 40, cpu, (int) (connections * stalled / 100),
                (int) (connections * stalled / 100)));
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
