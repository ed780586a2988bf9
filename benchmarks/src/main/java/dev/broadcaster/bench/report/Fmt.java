package dev.broadcaster.bench.report;

import java.util.Locale;

/** Number formatting for the report: readable, with the precision a benchmark figure deserves. */
final class Fmt {
    private Fmt() {
    }

    /** {@code 12,345} / {@code 123} / {@code 12.3} / {@code 1.23} / {@code 0.012}; "–" for null. */
    static String num(Double v) {
        if (v == null) {
            return "–";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 0.1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** A value without a needless {@code .0}: {@code 10}, {@code 2.5}. */
    static String plain(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** A ratio {@code a / b} as {@code 0.42×}; "–" when either is missing or b is 0. */
    static String ratio(Double a, Double b) {
        if (a == null || b == null || b == 0) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.2f×", a / b);
    }

    /** Microseconds shown as milliseconds. */
    static Double microsToMillis(Double us) {
        return us == null ? null : us / 1000;
    }
}
