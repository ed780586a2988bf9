package dev.broadcaster.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates BENCHMARKS.md and the chart from the load generator's results.
 *
 * <p>Usage: {@code Report --in results.jsonl --machine machine.txt --out ../BENCHMARKS.md
 * [--chart ../docs/benchmark.png] [--commands commands.txt]}. The machine file is copied verbatim, except
 * lines starting {@code commands:}, which (without that prefix) become the commands section when no
 * {@code --commands} file is given. Runs are grouped by (target, connections, mode, rateRequested,
 * stalledPercent) and summarised by medians; see {@link MarkdownReport} and {@link Goals}. Run it with
 * {@code -Djava.awt.headless=true} (set here too when not given).
 */
public final class Report {
    private Report() {
    }

    public static void main(String[] args) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Path in = null;
        Path machine = null;
        Path out = null;
        Path chart = null;
        Path commandsFile = null;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                usage(args[i] + " needs a value");
            }
            Path v = Path.of(args[i + 1]);
            switch (args[i]) {
                case "--in" -> in = v;
                case "--machine" -> machine = v;
                case "--out" -> out = v;
                case "--chart" -> chart = v;
                case "--commands" -> commandsFile = v;
                default -> usage("unknown flag " + args[i]);
            }
        }
        if (in == null || machine == null || out == null) {
            usage("--in, --machine and --out are required");
        }
        Results results = Results.read(in);
        if (results.runs().isEmpty()) {
            System.err.println("Report: warning: no runs in " + in);
        }
        List<String> machineLines = new ArrayList<>();
        List<String> commandLines = new ArrayList<>();
        for (String line : Files.readAllLines(machine, StandardCharsets.UTF_8)) {
            if (line.startsWith("commands:")) {
                commandLines.add(line.substring("commands:".length()).strip());
            } else {
                machineLines.add(line);
            }
        }
        String commands = commandsFile != null ? Files.readString(commandsFile, StandardCharsets.UTF_8)
                : String.join("\n", commandLines);
        String chartLink = null;
        if (chart != null) {
            new Chart(results).write(chart);
            Path base = out.toAbsolutePath().normalize().getParent();
            chartLink = base.relativize(chart.toAbsolutePath().normalize()).toString().replace('\\', '/');
        }
        String md = new MarkdownReport(results, LocalDate.now(ZoneOffset.UTC).toString(),
                String.join("\n", machineLines), commands, chartLink).render();
        Path dir = out.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Files.writeString(out, md, StandardCharsets.UTF_8);
        System.out.println("Report: " + results.runs().size() + " runs -> " + out + (chart != null ? ", " + chart : ""));
    }

    private static void usage(String problem) {
        System.err.println("Report: " + problem + "\nusage: Report --in results.jsonl --machine machine.txt"
                + " --out BENCHMARKS.md [--chart benchmark.png] [--commands commands.txt]");
        System.exit(2);
    }
}
