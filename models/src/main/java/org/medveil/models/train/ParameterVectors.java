package org.medveil.models.train;

import org.medveil.models.ModelsException;

/** Arithmetic on flat parameter vectors, as exchanged between sites and the coordinator. */
public final class ParameterVectors {
    private ParameterVectors() {}

    /** Δ = local − global. */
    public static float[] delta(float[] local, float[] global) {
        check(local, global);
        float[] d = new float[local.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = local[i] - global[i];
        }
        return d;
    }

    /** global + Δ (a new array). */
    public static float[] apply(float[] global, float[] delta) {
        check(global, delta);
        float[] w = new float[global.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = global[i] + delta[i];
        }
        return w;
    }

    /** Euclidean distance ‖a − b‖, accumulated in double. */
    public static double distance(float[] a, float[] b) {
        check(a, b);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    private static void check(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new ModelsException("parameter vectors differ in length (" + a.length + " vs " + b.length
                    + "); they come from different model specs");
        }
    }
}
