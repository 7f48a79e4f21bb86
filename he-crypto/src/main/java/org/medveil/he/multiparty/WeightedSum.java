package org.medveil.he.multiparty;

import java.util.Arrays;

/**
 * Weighted averaging under additive encryption: a site encrypts (n_i·Δ_i, n_i) — its update
 * scaled by its sample count, with the count appended — so the decrypted aggregate carries both
 * Σ n_i·Δ_i and Σ n_i, and the coordinator learns the average without any site's n_i.
 *
 * @param weightedSum Σ n_i·Δ_i
 * @param totalWeight Σ n_i
 */
public record WeightedSum(double[] weightedSum, double totalWeight) {

    /** The vector a site encrypts: update·weight followed by weight. */
    public static double[] pack(double[] update, double weight) {
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("sample weight must be positive and finite, got " + weight);
        }
        double[] out = Arrays.copyOf(update, update.length + 1);
        for (int i = 0; i < update.length; i++) {
            out[i] = update[i] * weight;
        }
        out[update.length] = weight;
        return out;
    }

    /** Splits a decrypted aggregate of packed vectors. */
    public static WeightedSum unpack(double[] aggregate) {
        if (aggregate.length < 1) {
            throw new IllegalArgumentException("an aggregate of packed updates has at least the weight slot");
        }
        return new WeightedSum(Arrays.copyOf(aggregate, aggregate.length - 1), aggregate[aggregate.length - 1]);
    }

    public double[] average() {
        if (!(totalWeight > 0)) {
            throw new IllegalStateException("total weight " + totalWeight + " is not positive; no sample contributed");
        }
        double[] avg = new double[weightedSum.length];
        for (int i = 0; i < avg.length; i++) {
            avg[i] = weightedSum[i] / totalWeight;
        }
        return avg;
    }
}
