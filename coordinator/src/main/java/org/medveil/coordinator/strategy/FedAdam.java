package org.medveil.coordinator.strategy;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * FedAdam, the adaptive server optimizer of Reddi et al. 2021, "Adaptive Federated
 * Optimization" (Algorithm 2), with Δ̄ the round's mean update:
 * <pre>
 *   m = β1·m + (1 − β1)·Δ̄
 *   v = β2·v + (1 − β2)·Δ̄²
 *   w = w + η·m / (√v + τ)
 * </pre>
 * elementwise, m and v starting at 0, no bias correction (as in the paper). τ controls the
 * adaptivity. m and v are the state that must survive a coordinator restart; arithmetic is in
 * double, state and model in float.
 */
public final class FedAdam implements ServerStrategy {

    public static final String NAME = "fedadam";

    private final double eta;
    private final double beta1;
    private final double beta2;
    private final double tau;
    private float[] m;
    private float[] v;

    public FedAdam(double eta, double beta1, double beta2, double tau) {
        this(eta, beta1, beta2, tau, null, null);
    }

    FedAdam(double eta, double beta1, double beta2, double tau, float[] m, float[] v) {
        positive("eta", eta);
        positive("tau", tau);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta1 and beta2 must be in [0, 1), got " + beta1 + " and " + beta2);
        }
        this.eta = eta;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.tau = tau;
        this.m = m;
        this.v = v;
    }

    private static void positive(String name, double x) {
        if (!(x > 0) || Double.isInfinite(x)) {
            throw new IllegalArgumentException(name + " must be a positive number, got " + x);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Double> params() {
        return Map.of("eta", eta, "beta1", beta1, "beta2", beta2, "tau", tau);
    }

    @Override
    public float[] next(float[] global, float[] meanDelta) {
        ServerStrategy.requireSameLength(global, meanDelta);
        if (m == null) {
            m = new float[global.length];
            v = new float[global.length];
        } else if (m.length != global.length) {
            throw new IllegalArgumentException("FedAdam state has " + m.length + " parameters but the model has "
                    + global.length);
        }
        float[] out = new float[global.length];
        for (int i = 0; i < out.length; i++) {
            double d = meanDelta[i];
            m[i] = (float) (beta1 * m[i] + (1 - beta1) * d);
            v[i] = (float) (beta2 * v[i] + (1 - beta2) * d * d);
            out[i] = (float) (global[i] + eta * m[i] / (Math.sqrt(v[i]) + tau));
        }
        return out;
    }

    /** The first moment (a copy), empty before the first round. */
    public float[] m() {
        return m == null ? new float[0] : m.clone();
    }

    /** The second moment (a copy), empty before the first round. */
    public float[] v() {
        return v == null ? new float[0] : v.clone();
    }

    @Override
    public void writeState(OutputStream out) throws IOException {
        StateCodec.writeHeader(out, NAME, params());
        StateCodec.writeVector(out, m == null ? new float[0] : m);
        StateCodec.writeVector(out, v == null ? new float[0] : v);
    }

    @Override
    public boolean hasState() {
        return true;
    }
}
