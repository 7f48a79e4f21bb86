package org.medveil.coordinator.rounds;

import org.medveil.proto.rounds.Metrics;

/**
 * Layout of the vector each site packs and encrypts in a round, so that metrics are aggregated
 * with the update and nobody sees one site's: {@code [n·Δ (P values) | TP FP TN FN loss·e |
 * positive-score histogram (B) | negative-score histogram (B) | n]}, with n the training samples
 * and e = TP+FP+TN+FN the held-out examples. The site side ({@code org.medveil.site.federation.
 * UpdatePacker}) writes the same layout.
 */
public final class RoundVector {

    /** Score histogram bins (LocalTraining.TrainingOutcome.SCORE_BINS). */
    public static final int BINS = 100;
    public static final int COUNTS = 5;

    private RoundVector() {
    }

    public static long length(long parameters) {
        return parameters + COUNTS + 2L * BINS + 1;
    }

    /** Total training samples in a decrypted (summed) vector. */
    public static double samples(double[] sum) {
        return sum[sum.length - 1];
    }

    /** Σ n·Δ / Σ n: the sample-weighted mean delta. */
    public static float[] meanDelta(double[] sum, int parameters) {
        double n = samples(sum);
        if (!(n > 0)) {
            throw new RoundFailedException("the aggregate's total sample count is " + n + "; no site trained on any sample");
        }
        float[] out = new float[parameters];
        for (int i = 0; i < parameters; i++) {
            out[i] = (float) (sum[i] / n);
        }
        return out;
    }

    /** Accuracy, sensitivity, specificity, mean loss and AUC from the summed counts and histograms. */
    public static Metrics metrics(double[] sum, int parameters) {
        int m = parameters;
        long tp = Math.round(sum[m]);
        long fp = Math.round(sum[m + 1]);
        long tn = Math.round(sum[m + 2]);
        long fn = Math.round(sum[m + 3]);
        double lossSum = sum[m + 4];
        long[] pos = new long[BINS];
        long[] neg = new long[BINS];
        for (int i = 0; i < BINS; i++) {
            pos[i] = Math.round(sum[m + COUNTS + i]);
            neg[i] = Math.round(sum[m + COUNTS + BINS + i]);
        }
        long all = tp + fp + tn + fn;
        return Metrics.newBuilder().setTruePositives(tp).setFalsePositives(fp).setTrueNegatives(tn)
                .setFalseNegatives(fn)
                .setMeanLoss(all == 0 ? Double.NaN : lossSum / all)
                .setAccuracy(ratio(tp + tn, all))
                .setSensitivity(ratio(tp, tp + fn))
                .setSpecificity(ratio(tn, tn + fp))
                .setAuc(auc(pos, neg))
                .build();
    }

    /** P(score of a positive > score of a negative), ties within a bin counted half (Mann–Whitney over bins). */
    public static double auc(long[] positive, long[] negative) {
        double p = 0;
        double n = 0;
        for (int i = 0; i < positive.length; i++) {
            p += positive[i];
            n += negative[i];
        }
        if (p == 0 || n == 0) {
            return Double.NaN;
        }
        double below = 0;
        double wins = 0;
        for (int i = 0; i < positive.length; i++) {
            wins += positive[i] * (below + 0.5 * negative[i]);
            below += negative[i];
        }
        return wins / (p * n);
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }
}
