package org.medveil.he.multiparty;

import org.medveil.he.ring.DiscreteGaussian;
import org.medveil.he.rlwe.HeContext;

/**
 * Worst-case (not probabilistic) bound on the decoding error of a collectively decrypted sum.
 *
 * <p>Decryption yields Δ·Σx + Σ_c (u_c·e + e0_c + e1_c·s) + Σ_i flood_i, where e = Σ e_i and
 * s = Σ s_i over K key holders. With ternary u, |e_i| ≤ 19 (6σ cut) and |s_i| ≤ 1, one fresh
 * ciphertext contributes at most N·19K + 19 + N·19K; flooding contributes at most 4a per share;
 * encoding rounds each value by at most 1/2. Dividing by Δ gives the bound on |decoded − exact sum|.
 */
public final class NoiseBudget {

    private NoiseBudget() {
    }

    /**
     * @param parties       K, the number of key holders (shares combined)
     * @param contributions C, the number of fresh ciphertexts summed
     */
    public static double maxAbsoluteError(HeContext context, int parties, int contributions, FloodingNoise flooding) {
        double n = context.n();
        double e = DiscreteGaussian.BOUND;
        double fresh = 2 * n * e * parties + e;
        double integerNoise = contributions * (fresh + 0.5) + parties * flooding.bound();
        return Math.scalb(integerNoise, -context.params().logScale());
    }
}
