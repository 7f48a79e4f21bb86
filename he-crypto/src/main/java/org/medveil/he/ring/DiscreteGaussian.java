package org.medveil.he.ring;

/**
 * Cumulative table for the discrete Gaussian of σ = 3.2 on the integers, cut at |x| ≤ 19 (6σ),
 * the error distribution the HomomorphicEncryption.org security tables assume.
 */
public final class DiscreteGaussian {

    public static final double SIGMA = 3.2;
    public static final int BOUND = 19;

    /** THRESHOLDS[k] = round(2^63 · P(|x| ≤ k)) for k &lt; BOUND; immutable after class init. */
    private static final long[] THRESHOLDS = buildTable();

    private DiscreteGaussian() {
    }

    private static long[] buildTable() {
        double[] weight = new double[BOUND + 1];
        double total = 0;
        for (int k = 0; k <= BOUND; k++) {
            weight[k] = Math.exp(-(double) k * k / (2 * SIGMA * SIGMA)) * (k == 0 ? 1 : 2);
            total += weight[k];
        }
        long[] t = new long[BOUND];
        double cumulative = 0;
        for (int k = 0; k < BOUND; k++) {
            cumulative += weight[k] / total;
            t[k] = (long) Math.min(Math.scalb(cumulative, 63), Math.scalb(1.0, 63) - 1024);
        }
        return t;
    }

    /** Maps one uniform 64-bit word to a sample: low 63 bits pick |x|, the top bit the sign. */
    static long fromWord(long r) {
        long u = r & Long.MAX_VALUE;
        long magnitude = 0;
        for (long t : THRESHOLDS) {
            magnitude += (t - 1 - u) >>> 63; // 1 when u >= t, branch-free
        }
        long sign = r >> 63; // 0 or -1
        return (magnitude ^ sign) - sign;
    }
}
