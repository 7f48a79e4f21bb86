package org.medveil.coordinator.strategy;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * Federated averaging (McMahan et al. 2017) on the server: {@code w' = w + η·Δ̄}, where Δ̄ is the
 * sample-weighted mean of the sites' updates and η the server learning rate (1 by default, which
 * makes w' the weighted mean of the sites' models). Stateless.
 */
public final class FedAvg implements ServerStrategy {

    public static final String NAME = "fedavg";

    private final double serverLearningRate;

    public FedAvg(double serverLearningRate) {
        if (!(serverLearningRate > 0) || Double.isInfinite(serverLearningRate)) {
            throw new IllegalArgumentException("serverLearningRate must be a positive number, got " + serverLearningRate);
        }
        this.serverLearningRate = serverLearningRate;
    }

    public FedAvg() {
        this(1.0);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Double> params() {
        return Map.of("serverLearningRate", serverLearningRate);
    }

    @Override
    public float[] next(float[] global, float[] meanDelta) {
        ServerStrategy.requireSameLength(global, meanDelta);
        float[] out = new float[global.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (global[i] + serverLearningRate * meanDelta[i]);
        }
        return out;
    }

    @Override
    public void writeState(OutputStream out) throws IOException {
        StateCodec.writeHeader(out, NAME, params());
    }

    @Override
    public boolean hasState() {
        return false;
    }
}
