package org.medveil.site.federation;

import org.medveil.site.federation.LocalTraining.TrainingOutcome;

/**
 * Packs a round's outcome into the vector the site encrypts, so that the held-out metrics are
 * summed with the update and nobody sees one site's: {@code [n·Δ (P values) | TP FP TN FN loss·e |
 * positive-score histogram (100) | negative-score histogram (100) | n]}, n = training samples,
 * e = TP+FP+TN+FN. The coordinator's {@code RoundVector} reads the same layout.
 */
public final class UpdatePacker {

    public static final int COUNTS = 5;

    private UpdatePacker() {
    }

    public static int length(int parameters) {
        return parameters + COUNTS + 2 * TrainingOutcome.SCORE_BINS + 1;
    }

    /** Refuses (IllegalArgumentException) any value beyond the job's declared bound rather than clipping it silently. */
    public static double[] pack(TrainingOutcome o, int parameters, double bound) {
        if (o.delta().length != parameters) {
            throw new IllegalArgumentException("training returned " + o.delta().length + " parameters for a model of "
                    + parameters + "; the local model does not match the job's model");
        }
        if (o.samples() <= 0) {
            throw new IllegalArgumentException("training used no samples; the site has no selectable data for this job");
        }
        int bins = TrainingOutcome.SCORE_BINS;
        if (o.positiveScoreHistogram().length != bins || o.negativeScoreHistogram().length != bins) {
            throw new IllegalArgumentException("score histograms must have " + bins + " bins");
        }
        double n = o.samples();
        double[] v = new double[length(parameters)];
        for (int i = 0; i < parameters; i++) {
            v[i] = o.delta()[i] * n;
        }
        long evaluated = o.truePositives() + o.falsePositives() + o.trueNegatives() + o.falseNegatives();
        v[parameters] = o.truePositives();
        v[parameters + 1] = o.falsePositives();
        v[parameters + 2] = o.trueNegatives();
        v[parameters + 3] = o.falseNegatives();
        v[parameters + 4] = evaluated == 0 ? 0 : o.meanLoss() * evaluated;
        for (int i = 0; i < bins; i++) {
            v[parameters + COUNTS + i] = o.positiveScoreHistogram()[i];
            v[parameters + COUNTS + bins + i] = o.negativeScoreHistogram()[i];
        }
        v[v.length - 1] = n;
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i]) || Math.abs(v[i]) > bound) {
                throw new IllegalArgumentException("packed value " + i + " is beyond the job's bound " + bound
                        + " (update·samples, a count or loss·examples); lower the learning rate or ask for a larger bound");
            }
        }
        return v;
    }
}
