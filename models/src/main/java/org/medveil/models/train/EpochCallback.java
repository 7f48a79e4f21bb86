package org.medveil.models.train;

/** Called after each local training epoch, e.g. to print progress. */
@FunctionalInterface
public interface EpochCallback {
    void epochDone(int epoch, double meanLoss);
}
