package org.medveil.site.federation;

import org.medveil.governance.job.DataSelection;
import org.medveil.governance.job.JobSpec;
import org.medveil.proto.rounds.RoundStart;

/**
 * What a round asks of a site's data: train from the global parameters on the selected,
 * consented, de-identified derivatives and evaluate on the held-out split. Implemented over the
 * site store; the federation layer sees only flat vectors and counts.
 */
public interface LocalTraining {

    /** How many selectable, labelled derivatives the selection finds, by category and grade (no training). */
    DataSummary summarize(DataSelection selection);

    /**
     * Checks that this site can train the job's model with the job's engine (engine in the build
     * and usable here; a TorchScript file approved here with the job's digest). Throws with the
     * reason, which the researcher sees as the decline reason.
     */
    void checkModel(String engine, String modelSpec);

    /** Trains one round. Never returns or logs anything that identifies a patient. */
    TrainingOutcome train(TrainingRequest request);

    /**
     * One round's training input. {@code global} is the flat parameter vector in the model's
     * documented order; {@code seed} (the job's seed plus the round number) orders this round's
     * batches, and {@code splitSeed} (the job's seed) fixes the held-out split for the whole job,
     * so images held out for evaluation are never trained on in another round.
     */
    record TrainingRequest(String jobId, int round, DataSelection selection, String modelSpec, String engine,
            float[] global, int epochs, Integer maxSteps, int batchSize, double learningRate, double mu, long seed,
            long splitSeed) {
    }

    /**
     * How the signed job says this site trains each round. A site trains with these values, not
     * with whatever a round start says: the coordinator repeats them in every round start, and a
     * round start that differs is refused, so a coordinator cannot swap the model, the engine or
     * the hyperparameters the site agreed to.
     */
    record JobTraining(DataSelection selection, String modelSpec, String engine, int epochs, Integer maxSteps,
            int batchSize, double learningRate, double mu, long seed) {

        /** The training a signed job spec names. */
        public static JobTraining of(JobSpec spec) {
            return new JobTraining(spec.selection(), spec.model(), spec.engine(), spec.local().epochs(),
                    spec.local().maxSteps(), spec.local().batchSize(), spec.local().learningRate(),
                    spec.strategy().mu() == null ? 0 : spec.strategy().mu(), spec.seed());
        }

        /** The round's request, after checking the round start repeats the signed values. */
        public TrainingRequest request(String jobId, RoundStart rs, float[] global) {
            check(rs);
            return new TrainingRequest(jobId, rs.getRound(), selection, modelSpec, engine, global, epochs,
                    maxSteps, batchSize, learningRate, mu, seed + rs.getRound(), seed);
        }

        /** Refuses a round start whose training values differ from the signed job's. */
        public void check(RoundStart rs) {
            int maxSteps = this.maxSteps == null ? 0 : this.maxSteps;
            mismatch("model", rs.getModelSpec(), modelSpec);
            mismatch("epochs", rs.getEpochs(), epochs);
            mismatch("maxSteps", rs.getMaxSteps(), maxSteps);
            mismatch("batchSize", rs.getBatchSize(), batchSize);
            mismatch("learningRate", rs.getLearningRate(), learningRate);
            mismatch("mu", rs.getMu(), mu);
            mismatch("seed", rs.getSeed(), seed + rs.getRound()); // each round shuffles anew from the job's seed
        }

        private static void mismatch(String field, Object asked, Object signed) {
            if (!asked.equals(signed)) {
                throw new IllegalArgumentException("the round start asks for " + field + " " + asked
                        + " but the signed job says " + signed + "; this site trains only as the job it accepted says");
            }
        }
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
