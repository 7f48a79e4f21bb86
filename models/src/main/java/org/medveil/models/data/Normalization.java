package org.medveil.models.data;

import java.util.Arrays;

/**
 * Modality-aware mapping of a frame to [0, 1]. CT uses one fixed Hounsfield window for every
 * site (a file's own Window Center/Width is a display choice and differs between scanners,
 * while HU are comparable); other modalities (MR, CR, ...) have no absolute scale, so the
 * {@code lowPercentile}..{@code highPercentile} range of each image is stretched to [0, 1].
 * MONOCHROME1 images are inverted so that bright always means dense.
 */
public record Normalization(double ctWindowCenter, double ctWindowWidth, double lowPercentile, double highPercentile) {
    /** Soft-tissue window (center 40 HU, width 400 HU) and 1st–99th percentile scaling. */
    public static final Normalization DEFAULT = new Normalization(40, 400, 1, 99);

    public Normalization {
        if (!(ctWindowWidth > 0)) {
            throw new IllegalArgumentException("CT window width must be positive, got " + ctWindowWidth);
        }
        if (!(lowPercentile >= 0 && lowPercentile < highPercentile && highPercentile <= 100)) {
            throw new IllegalArgumentException("percentiles must satisfy 0 <= low < high <= 100, got "
                    + lowPercentile + ", " + highPercentile);
        }
    }

    /** The frame's values mapped to [0, 1] (a new array). */
    public float[] apply(Frame f) {
        double lo;
        double hi;
        if ("CT".equalsIgnoreCase(f.modality())) {
            lo = ctWindowCenter - ctWindowWidth / 2;
            hi = ctWindowCenter + ctWindowWidth / 2;
        } else {
            float[] sorted = f.values().clone();
            Arrays.sort(sorted);
            lo = percentile(sorted, lowPercentile);
            hi = percentile(sorted, highPercentile);
        }
        double range = hi - lo;
        float[] out = new float[f.values().length];
        for (int i = 0; i < out.length; i++) {
            double v = range > 0 ? (f.values()[i] - lo) / range : 0;
            v = Math.min(1, Math.max(0, v));
            out[i] = (float) (f.inverted() ? 1 - v : v);
        }
        return out;
    }

    /** Linear-interpolated percentile of sorted values. */
    static double percentile(float[] sorted, double p) {
        double pos = p / 100 * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(i + 1, sorted.length - 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }
}
