package org.medveil.site.federation;

import org.medveil.governance.job.DataSelection;

/**
 * What a round asks of a site's data: train from the global parameters on the selected,
 * consented, de-identified derivatives and evaluate on the held-out split. Implemented over the
 * site store; the federation layer sees only flat vectors and counts.
 */
public interface LocalTraining {

    /** How many selectable, labelled derivatives the selection finds, by category and grade (no training). */
    DataSummary summarize(DataSelection selection);

    /** Trains one round. Never returns or logs anything that identifies a patient. */
    TrainingOutcome train(TrainingRequest request);

    /** One round's training input. {@code global} is the flat parameter vector in the model's documented order. */
    record TrainingRequest(String jobId, int round, DataSelection selection, String modelSpec, float[] global,
            int epochs, Integer maxSteps, int batchSize, double learningRate, double mu, long seed) {
    }

    /**
     * One round's result. {@code delta} = w_local − w_global (not yet weighted); {@code samples} the
     * training examples used. Evaluation on the held-out split as sums, so they add across sites:
     * confusion counts at threshold 0.5 and histograms of the positive-class score over
     * {@link #SCORE_BINS} equal bins of [0, 1] for positive and negative examples (AUC from sums).
     */
    record TrainingOutcome(float[] delta, long samples, double meanLoss, long truePositives, long falsePositives,
            long trueNegatives, long falseNegatives, long[] positiveScoreHistogram, long[] negativeScoreHistogram) {
        public static final int SCORE_BINS = 100;
    }

    /** Counts by Table 1 category and grade, the de-identification profile digest, the dataset's Merkle root. */
    record DataSummary(java.util.List<CategoryGradeCount> counts, String deidProfileDigest, String datasetMerkleRoot) {
        public long total() {
            return counts.stream().mapToLong(CategoryGradeCount::count).sum();
        }
    }

    record CategoryGradeCount(String category, int grade, long count) {
    }
}
