package org.medveil.models.train;

/**
 * How one local training run goes.
 *
 * @param epochs    passes over the data (at least 1)
 * @param maxSteps  stop after this many mini-batch steps in total; 0 means no limit
 * @param batchSize images per step
 * @param mu        FedProx proximal weight μ (0: plain local training)
 * @param seed      seeds shuffling and augmentation (weights are seeded when the network is built)
 * @param augment   random flips and contrast changes on training batches
 */
public record TrainConfig(int epochs, int maxSteps, int batchSize, double mu, long seed, boolean augment) {
    public TrainConfig {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        if (maxSteps < 0) {
            throw new IllegalArgumentException("max steps must be >= 0 (0 = no limit), got " + maxSteps);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (!(mu >= 0) || Double.isInfinite(mu)) {
            throw new IllegalArgumentException("FedProx mu must be a finite value >= 0, got " + mu);
        }
    }

    /** Plain local training for {@code epochs} epochs. */
    public static TrainConfig epochs(int epochs, int batchSize, long seed) {
        return new TrainConfig(epochs, 0, batchSize, 0, seed, false);
    }

    public TrainConfig withMu(double newMu) { return new TrainConfig(epochs, maxSteps, batchSize, newMu, seed, augment); }

    public TrainConfig withAugment(boolean on) { return new TrainConfig(epochs, maxSteps, batchSize, mu, seed, on); }

    public TrainConfig withMaxSteps(int steps) { return new TrainConfig(epochs, steps, batchSize, mu, seed, augment); }
}
