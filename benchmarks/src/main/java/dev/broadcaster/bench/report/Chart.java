package dev.broadcaster.bench.report;

import dev.broadcaster.bench.report.Results.Group;
import dev.broadcaster.bench.report.Results.Section;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Draws the benchmark chart as a PNG with Java2D (headless): two panels side by side for mode max without
 * stalled readers, x = connections (log scale, at least 100..10000), left y = delivered events/s, right y =
 * server CPU µs per delivered event (both log scale), one line with markers per target (the median; a thin
 * bar spans min..max over the runs), a shared legend and a title.
 */
final class Chart {
    static final int WIDTH = 1400;
    static final int HEIGHT = 600;
    private static final Section MAX = new Section("max", 0, 0);
    private static final Map<String, Color> COLORS = Map.of(
            "library", new Color(0x1f77b4), "naive", new Color(0xd62728), "nio", new Color(0x7f7f7f),
            "vertx", new Color(0x2ca02c), "liberty-library", new Color(0x9467bd), "liberty-naive", new Color(0xff7f0e),
            "liberty-servlet", new Color(0x17becf), "grizzly", new Color(0x8c564b));
    private static final Color[] OTHER_COLORS = {new Color(0x393b79), new Color(0xe377c2), new Color(0xbcbd22)};
    private static final Color GRID = new Color(0xe4e4e4);
    private static final Color AXIS = new Color(0x333333);

    private final Results results;
    private final List<String> targets;

    Chart(Results results) {
        this.results = results;
        this.targets = results.targets(MAX);
    }

    /** Writes the chart to {@code png} (creating its directory). */
    void write(Path png) throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(AXIS);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
            centered(g, "SSE fan-out on one machine, mode max (publishing as fast as the in-flight window allows)",
                    WIDTH / 2, 32);
            legend(g, 62);
            panel(g, new Rectangle2D.Double(100, 105, 570, 410), "deliveredPerS", "Delivered events/s (median)",
                    "events/s to all healthy connections");
            panel(g, new Rectangle2D.Double(800, 105, 570, 410), "cpuUsPerDelivery",
                    "Server CPU per delivered event (median)", "µs of CPU per delivered event (lower is better)");
        } finally {
            g.dispose();
        }
        Path dir = png.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        ImageIO.write(image, "png", png.toFile());
    }

    private void legend(Graphics2D g, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        FontMetrics fm = g.getFontMetrics();
        int total = 0;
        for (String t : targets) {
            total += 46 + fm.stringWidth(t) + 24;
        }
        int x = (WIDTH - total) / 2;
        for (int i = 0; i < targets.size(); i++) {
            String t = targets.get(i);
            g.setColor(color(t, i));
            g.setStroke(new BasicStroke(2.5f));
            g.drawLine(x, y - 5, x + 36, y - 5);
            g.fill(marker(i, x + 18, y - 5));
            g.setColor(AXIS);
            g.drawString(t, x + 46, y);
            x += 46 + fm.stringWidth(t) + 24;
        }
    }

    private void panel(Graphics2D g, Rectangle2D area, String figure, String title, String yLabel) {
        List<List<double[]>> series = new ArrayList<>();
        double xMin = 100;
        double xMax = 10000;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = 0;
        for (String t : targets) {
            List<double[]> points = new ArrayList<>();
            for (int c : results.connections(MAX)) {
                Group grp = results.group(t, c, MAX);
                Double median = grp == null ? null : grp.median(figure);
                if (median == null || median <= 0 || c <= 0) {
                    continue;
                }
                double lo = Math.max(grp.min(figure), median / 1000);
                double hi = grp.max(figure);
                points.add(new double[] {c, median, lo, hi});
                xMin = Math.min(xMin, c);
                xMax = Math.max(xMax, c);
                yMin = Math.min(yMin, lo);
                yMax = Math.max(yMax, hi);
            }
            series.add(points);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.setColor(AXIS);
        centered(g, title, (int) area.getCenterX(), (int) area.getY() - 12);
        if (yMax == 0) {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
            centered(g, "no mode-max data", (int) area.getCenterX(), (int) area.getCenterY());
            g.draw(area);
            return;
        }
        LogAxis x = new LogAxis(niceFloor(xMin), niceCeil(xMax), area.getX(), area.getMaxX());
        LogAxis y = new LogAxis(niceFloor(yMin / 1.3), niceCeil(yMax * 1.3), area.getMaxY(), area.getY());

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        g.setStroke(new BasicStroke(1f));
        for (double v : x.ticks()) {
            int px = (int) Math.round(x.px(v));
            g.setColor(GRID);
            g.drawLine(px, (int) area.getY(), px, (int) area.getMaxY());
            g.setColor(AXIS);
            g.drawLine(px, (int) area.getMaxY(), px, (int) area.getMaxY() + 5);
            centered(g, label(v), px, (int) area.getMaxY() + 8 + fm.getAscent());
        }
        for (double v : y.ticks()) {
            int py = (int) Math.round(y.px(v));
            g.setColor(GRID);
            g.drawLine((int) area.getX(), py, (int) area.getMaxX(), py);
            g.setColor(AXIS);
            g.drawLine((int) area.getX() - 5, py, (int) area.getX(), py);
            String s = label(v);
            g.drawString(s, (int) area.getX() - 9 - fm.stringWidth(s), py + fm.getAscent() / 2 - 1);
        }
        g.setColor(AXIS);
        g.draw(area);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        centered(g, "connections (log scale)", (int) area.getCenterX(), (int) area.getMaxY() + 48);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        centered(g, yLabel + ", log scale", (int) -area.getCenterY(), (int) area.getX() - 62);
        g.setTransform(saved);

        for (int i = 0; i < targets.size(); i++) {
            List<double[]> points = series.get(i);
            Color color = color(targets.get(i), i);
            g.setColor(color);
            g.setStroke(new BasicStroke(1.2f));
            for (double[] p : points) {
                int px = (int) Math.round(x.px(p[0]));
                g.drawLine(px, (int) Math.round(y.px(p[2])), px, (int) Math.round(y.px(p[3])));
                g.drawLine(px - 4, (int) Math.round(y.px(p[2])), px + 4, (int) Math.round(y.px(p[2])));
                g.drawLine(px - 4, (int) Math.round(y.px(p[3])), px + 4, (int) Math.round(y.px(p[3])));
            }
            g.setStroke(new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D line = new Path2D.Double();
            for (int k = 0; k < points.size(); k++) {
                double px = x.px(points.get(k)[0]);
                double py = y.px(points.get(k)[1]);
                if (k == 0) {
                    line.moveTo(px, py);
                } else {
                    line.lineTo(px, py);
                }
            }
            g.draw(line);
            for (double[] p : points) {
                g.fill(marker(i, x.px(p[0]), y.px(p[1])));
            }
        }
    }

    private Color color(String target, int index) {
        Color c = COLORS.get(target);
        return c != null ? c : OTHER_COLORS[index % OTHER_COLORS.length];
    }

    /** Marker {@code index}: circle, square, diamond, triangle up, triangle down, then again. */
    private static Shape marker(int index, double cx, double cy) {
        double r = 6;
        return switch (index % 5) {
            case 0 -> new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r);
            case 1 -> new Rectangle2D.Double(cx - r + 1, cy - r + 1, 2 * r - 2, 2 * r - 2);
            case 2 -> polygon(new double[] {cx, cx + r + 1, cx, cx - r - 1}, new double[] {cy - r - 1, cy, cy + r + 1, cy});
            case 3 -> polygon(new double[] {cx, cx + r, cx - r}, new double[] {cy - r, cy + r - 1, cy + r - 1});
            default -> polygon(new double[] {cx - r, cx + r, cx}, new double[] {cy - r + 1, cy - r + 1, cy + r});
        };
    }

    private static Shape polygon(double[] xs, double[] ys) {
        Polygon p = new Polygon();
        for (int i = 0; i < xs.length; i++) {
            p.addPoint((int) Math.round(xs[i]), (int) Math.round(ys[i]));
        }
        return p;
    }

    private static void centered(Graphics2D g, String s, int cx, int baseline) {
        g.drawString(s, cx - g.getFontMetrics().stringWidth(s) / 2, baseline);
    }

    /** Compact tick label: 0.5, 2, 200, 5k, 1.5M. */
    static String label(double v) {
        if (v >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (v >= 1e3) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** The largest 1, 2 or 5 × 10^k not above {@code v}. */
    static double niceFloor(double v) {
        double decade = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {5, 2, 1}) {
            if (m * decade <= v * (1 + 1e-9)) {
                return m * decade;
            }
        }
        return decade;
    }

    /** The smallest 1, 2 or 5 × 10^k not below {@code v}. */
    static double niceCeil(double v) {
        double decade = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * decade >= v * (1 - 1e-9)) {
                return m * decade;
            }
        }
        return 10 * decade;
    }

    /** A base-10 logarithmic axis mapping [min, max] onto pixels [from, to]. */
    private record LogAxis(double min, double max, double from, double to) {
        double px(double v) {
            double f = (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
            return from + f * (to - from);
        }

        /** Ticks inside the range: more per decade the fewer decades it spans (decades only beyond 3). */
        List<Double> ticks() {
            List<Double> ticks = new ArrayList<>();
            double decades = Math.log10(max / min);
            double[] multiples = decades <= 1.01 ? new double[] {1, 1.5, 2, 3, 4, 5, 7}
                    : decades <= 3.01 ? new double[] {1, 2, 5} : new double[] {1};
            for (int e = (int) Math.floor(Math.log10(min)); e <= (int) Math.ceil(Math.log10(max)); e++) {
                for (double m : multiples) {
                    double v = m * Math.pow(10, e);
                    if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) {
                        ticks.add(v);
                    }
                }
            }
            return ticks;
        }
    }
}
