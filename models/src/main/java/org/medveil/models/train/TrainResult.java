package org.medveil.models.train;

import java.util.List;

/**
 * What a local training run produced.
 *
 * @param epochLosses mean training loss per epoch (data loss plus L2, without the proximal term)
 * @param steps       mini-batch steps taken
 * @param images      images processed (steps × batch, last batches smaller)
 * @param fitSeconds  wall-clock time spent in DL4J fitting (excludes data loading)
 * @param update      Δ = w_local − w_global, where w_global are the parameters at the start
 */
public record TrainResult(List<Double> epochLosses, int steps, long images, double fitSeconds, float[] update) {
    public TrainResult {
        epochLosses = List.copyOf(epochLosses);
    }

    /** Training throughput in images per second. */
    public double imagesPerSecond() { return fitSeconds > 0 ? images / fitSeconds : 0; }
}
