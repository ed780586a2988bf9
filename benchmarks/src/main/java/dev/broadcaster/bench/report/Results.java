package dev.broadcaster.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The runs of a results JSONL file, grouped by (target, connections, mode, rateRequested, stalledPercent),
 * with medians (and min / max) of every numeric figure over the runs of a group.
 *
 * <p>A figure's value is missing when the run lacks it, it is {@code null}, or it is negative (the load
 * generator writes -1 for "not measured"); only {@value #SIGNED} may be negative.
 */
final class Results {
    /** The one figure that may legitimately be negative (heap noise at small connection counts). */
    static final String SIGNED = "heapPerConnectionKiB";

    /** The targets in the order the report shows them; others follow alphabetically. */
    static final List<String> KNOWN_TARGETS = List.of("library", "naive", "nio", "grizzly", "vertx", "liberty-library",
            "liberty-naive", "liberty-servlet");

    /** A table section: one mode / rate / stalled share. */
    record Section(String mode, double rate, double stalledPercent) implements Comparable<Section> {
        @Override
        public int compareTo(Section o) {
            return Comparator.comparing((Section s) -> !s.mode.equals("max"))
                    .thenComparing(Section::mode)
                    .thenComparingDouble(Section::stalledPercent)
                    .thenComparingDouble(Section::rate)
                    .compare(this, o);
        }

        boolean maxMode() {
            return mode.equals("max");
        }

        String title() {
            String t = maxMode() ? "Mode max (publishing as fast as the in-flight window allows)"
                    : "Mode rate, " + Fmt.plain(rate) + " events/s";
            return stalledPercent > 0 ? t + ", " + Fmt.plain(stalledPercent) + "% stalled readers" : t;
        }

        /** {@code max}, {@code rate 10/s}, {@code rate 10/s, 1% stalled}. */
        String shortTitle() {
            String t = maxMode() ? "max" : "rate " + Fmt.plain(rate) + "/s";
            return stalledPercent > 0 ? t + ", " + Fmt.plain(stalledPercent) + "% stalled" : t;
        }
    }

    /** The runs of one target at one connection count in one section. */
    static final class Group {
        final String target;
        final int connections;
        final Section section;
        final List<Map<String, Object>> runs = new ArrayList<>();

        Group(String target, int connections, Section section) {
            this.target = target;
            this.connections = connections;
            this.section = section;
        }

        /** The values of {@code figure} over the runs, missing ones left out, sorted. */
        double[] values(String figure) {
            return runs.stream().map(r -> number(r, figure)).filter(Objects::nonNull)
                    .mapToDouble(Double::doubleValue).sorted().toArray();
        }

        /** The median of {@code figure} over the runs, or null if no run has it. */
        Double median(String figure) {
            double[] v = values(figure);
            if (v.length == 0) {
                return null;
            }
            int m = v.length / 2;
            return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
        }

        Double min(String figure) {
            double[] v = values(figure);
            return v.length == 0 ? null : v[0];
        }

        Double max(String figure) {
            double[] v = values(figure);
            return v.length == 0 ? null : v[v.length - 1];
        }

        /** The sum of {@code figure} over the runs, or null if no run has it. */
        Double sum(String figure) {
            double[] v = values(figure);
            return v.length == 0 ? null : Arrays.stream(v).sum();
        }
    }

    private final List<Map<String, Object>> runs;
    private final Map<String, Group> groups = new TreeMap<>();

    Results(List<Map<String, Object>> runs) {
        this.runs = runs;
        for (Map<String, Object> r : runs) {
            String target = String.valueOf(r.get("target"));
            Double c = number(r, "connections");
            String mode = String.valueOf(r.get("mode"));
            Double rate = number(r, "rateRequested");
            Double stalled = number(r, "stalledPercent");
            Section section = new Section(mode, "max".equals(mode) || rate == null ? 0 : rate,
                    stalled == null ? 0 : stalled);
            int connections = c == null ? 0 : (int) Math.round(c);
            groups.computeIfAbsent(key(target, connections, section), k -> new Group(target, connections, section))
                    .runs.add(r);
        }
    }

    /**
     * Reads a JSONL file: one flat object per line; blank lines are skipped, and so are lines that do not parse
     * (with a warning on stderr: a run cut short may leave a partial line).
     */
    static Results read(Path jsonl) throws IOException {
        List<Map<String, Object>> runs = new ArrayList<>();
        List<String> lines = Files.readAllLines(jsonl, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            try {
                runs.add(FlatJson.parse(line));
            } catch (IllegalArgumentException e) {
                System.err.println(jsonl + ":" + (i + 1) + ": skipped, not a flat JSON object: " + e.getMessage());
            }
        }
        return new Results(runs);
    }

    List<Map<String, Object>> runs() {
        return Collections.unmodifiableList(runs);
    }

    /** The targets present, known ones first in {@link #KNOWN_TARGETS} order. */
    List<String> targets() {
        TreeSet<String> present = groups.values().stream().map(g -> g.target)
                .collect(Collectors.toCollection(TreeSet::new));
        List<String> ordered = new ArrayList<>();
        for (String t : KNOWN_TARGETS) {
            if (present.remove(t)) {
                ordered.add(t);
            }
        }
        ordered.addAll(present);
        return ordered;
    }

    /** The sections present, mode max first. */
    List<Section> sections() {
        return groups.values().stream().map(g -> g.section).distinct().sorted().toList();
    }

    /** The connection counts measured in {@code section} (by any target), ascending. */
    List<Integer> connections(Section section) {
        return groups.values().stream().filter(g -> g.section.equals(section)).map(g -> g.connections)
                .distinct().sorted().toList();
    }

    /** The targets measured in {@code section}. */
    List<String> targets(Section section) {
        return targets().stream().filter(t -> groups.values().stream()
                .anyMatch(g -> g.section.equals(section) && g.target.equals(t))).toList();
    }

    /** The group, or null when that combination was not measured. */
    Group group(String target, int connections, Section section) {
        return groups.get(key(target, connections, section));
    }

    /** All groups of {@code target}. */
    List<Group> groups(String target) {
        return groups.values().stream().filter(g -> g.target.equals(target)).toList();
    }

    /** A figure of a run as a number, or null when missing, non-numeric or (except {@link #SIGNED}) negative. */
    static Double number(Map<String, Object> run, String figure) {
        Object v = run.get(figure);
        if (!(v instanceof Double d) || d.isNaN()) {
            return null;
        }
        return d < 0 && !figure.equals(SIGNED) ? null : d;
    }

    private static String key(String target, int connections, Section s) {
        return target + "\u0000" + String.format("%09d", connections) + "\u0000" + s;
    }
}
