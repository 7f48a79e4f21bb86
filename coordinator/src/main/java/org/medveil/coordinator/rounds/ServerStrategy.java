package org.medveil.coordinator.rounds;

/**
 * The server side of a federated optimizer over flat parameter vectors: from the global model
 * and the sample-weighted mean of the sites' deltas (w_local − w_global), the next global model.
 * FedAvg is {@code global + meanDelta}; FedAdam keeps its moments inside the implementation.
 */
public interface ServerStrategy {

    float[] next(float[] global, float[] meanDelta);
}
