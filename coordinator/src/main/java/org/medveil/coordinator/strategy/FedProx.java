package org.medveil.coordinator.strategy;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * FedProx (Li et al. 2020). Its proximal term {@code μ/2·‖w − w_global‖²} is added to each
 * site's local training loss, so μ is applied <em>at the sites</em> (the job spec sends it with
 * the round); on the server FedProx is exactly {@link FedAvg}. μ is kept here so it is recorded
 * with the strategy and in the round manifests.
 */
public final class FedProx implements ServerStrategy {

    public static final String NAME = "fedprox";

    private final double mu;
    private final FedAvg server;

    public FedProx(double mu, double serverLearningRate) {
        if (!(mu >= 0) || Double.isInfinite(mu)) {
            throw new IllegalArgumentException("mu must be a number >= 0, got " + mu);
        }
        this.mu = mu;
        this.server = new FedAvg(serverLearningRate);
    }

    /** μ for the sites' proximal term. */
    public double mu() {
        return mu;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Double> params() {
        return Map.of("mu", mu, "serverLearningRate", server.params().get("serverLearningRate"));
    }

    @Override
    public float[] next(float[] global, float[] meanDelta) {
        return server.next(global, meanDelta);
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
