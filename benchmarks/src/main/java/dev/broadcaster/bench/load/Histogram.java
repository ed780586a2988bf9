package dev.broadcaster.bench.load;

/**
 * A log-linear histogram of non-negative {@code long} values (nanoseconds here) with a relative precision
 * better than 1%: values below 128 are counted exactly, larger ones in 128 sub-buckets per power of two.
 * Recording allocates nothing. The exact maximum is kept apart.
 *
 * <p>Not thread-safe: one thread records; read it after that thread is done (or joined).
 */
public final class Histogram {
    private static final int SUB_BUCKET_BITS = 7;
    private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    private final long[] counts = new long[SUB_BUCKETS * (64 - SUB_BUCKET_BITS + 1)];
    private long total;
    private long max = -1;

    /** Counts {@code value}; negative values count as 0. */
    public void record(long value) {
        long v = Math.max(0, value);
        counts[indexOf(v)]++;
        total++;
        if (v > max) {
            max = v;
        }
    }

    /** How many values were recorded. */
    public long count() {
        return total;
    }

    /** The largest value recorded, or -1 if none. */
    public long max() {
        return max;
    }

    /**
     * The value at quantile {@code q} (0 &lt; q &lt;= 1): the middle of the bucket holding the
     * {@code ceil(q * count)}-th smallest value, never above {@link #max()}; -1 if nothing was recorded.
     */
    public long quantile(double q) {
        if (total == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, middleOf(i));
            }
        }
        return max;
    }

    static int indexOf(long v) {
        if (v < SUB_BUCKETS) {
            return (int) v;
        }
        int shift = 63 - Long.numberOfLeadingZeros(v) - SUB_BUCKET_BITS;
        return (shift << SUB_BUCKET_BITS) + (int) (v >>> shift);
    }

    static long middleOf(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int shift = (index >>> SUB_BUCKET_BITS) - 1;
        long top = (index & (SUB_BUCKETS - 1)) + SUB_BUCKETS;
        long low = top << shift;
        return low + ((1L << shift) >>> 1);
    }
}
