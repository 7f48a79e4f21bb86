package org.medveil.he.multiparty;

import org.medveil.he.ring.DiscreteGaussian;
import org.medveil.he.rlwe.HeContext;

/**
 * Worst-case (not probabilistic) bounds on the noise of a collectively decrypted sum.
 *
 * <p>Decryption yields Δ·Σx + v + Σ_shares f_i with v = Σ_c (u_c·e + e0_c + e1_c·s), where
 * e = Σ e_i and s = Σ s_i over the K key holders. With ternary u and s_i, |e_i| ≤ 19 (the
 * Gaussian table is cut at 6σ) one fresh ciphertext contributes at most N·19K + 19 + N·19K per
 * coefficient; each share's flooding at most 2^k; encoding rounds each value by at most 1/2.
 * The bounds hold for every coefficient of every decryption, without a tail probability.
 */
public final class NoiseBudget {

    private NoiseBudget() {
    }

    /** B = C·(2·N·19·K + 19): bound on every coefficient of the residual noise v (integer units). */
    public static long residualNoiseBound(HeContext context, int keyHolders, int contributions) {
        if (keyHolders < 1 || contributions < 1) {
            throw new IllegalArgumentException("key holders and contributions must be at least 1, got "
                    + keyHolders + " and " + contributions);
        }
        long e = DiscreteGaussian.BOUND;
        long fresh = Math.addExact(Math.multiplyExact(Math.multiplyExact(2L * context.n(), e), keyHolders), e);
        return Math.multiplyExact(fresh, contributions);
    }

    /** Bound on |decrypted − exact sum| before rounding, all K holders answering (N-of-N). */
    public static double maxAbsoluteError(HeContext context, int parties, int contributions, FloodingNoise flooding) {
        return maxAbsoluteError(context, parties, contributions, parties, flooding);
    }

    /**
     * @param keyHolders     K, the holders of the collective key (all of them, also for t-of-N)
     * @param contributions  C, the number of fresh ciphertexts summed
     * @param sharesCombined decryption shares added (K for N-of-N, the active set for t-of-N)
     */
    public static double maxAbsoluteError(HeContext context, int keyHolders, int contributions, int sharesCombined,
                                          FloodingNoise flooding) {
        double integerNoise = (double) residualNoiseBound(context, keyHolders, contributions) + 0.5 * contributions
                + sharesCombined * flooding.bound();
        return Math.scalb(integerNoise, -context.params().logScale());
    }

    /**
     * The grid decoded values are rounded to: the smallest power of two 2^g ≥ 2·maxError. A sum
     * that lies on that grid (inputs on a grid of 2^g or coarser) decodes exactly, so the reader
     * of the result sees none of the noise; any sum decodes within {@link #maxDecodedError}.
     */
    public static int roundingGridLog2(HeContext context, double maxError) {
        int g = Math.getExponent(2 * maxError);
        if (Math.scalb(1.0, g) < 2 * maxError) {
            g++;
        }
        return Math.max(g, -context.params().logScale());
    }

    /** Guaranteed bound on |decoded − exact sum| after rounding: maxError + 2^g/2 (< 2^g). */
    public static double maxDecodedError(HeContext context, int keyHolders, int contributions, int sharesCombined,
                                         FloodingNoise flooding) {
        double e = maxAbsoluteError(context, keyHolders, contributions, sharesCombined, flooding);
        return e + Math.scalb(1.0, roundingGridLog2(context, e) - 1);
    }
}
