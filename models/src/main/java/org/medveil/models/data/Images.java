package org.medveil.models.data;

import java.util.SplittableRandom;

/** Pixel operations on square or rectangular single-channel images in [0, 1], row-major. */
public final class Images {
    private Images() {}

    /** Bilinear resampling of a rows×cols image to size×size (pixel centers aligned). */
    public static float[] resize(float[] src, int rows, int cols, int size) {
        if (rows == size && cols == size) {
            return src.clone();
        }
        float[] out = new float[size * size];
        double sy = (double) rows / size;
        double sx = (double) cols / size;
        for (int y = 0; y < size; y++) {
            double fy = Math.max(0, Math.min(rows - 1, (y + 0.5) * sy - 0.5));
            int y0 = (int) fy;
            int y1 = Math.min(y0 + 1, rows - 1);
            double wy = fy - y0;
            for (int x = 0; x < size; x++) {
                double fx = Math.max(0, Math.min(cols - 1, (x + 0.5) * sx - 0.5));
                int x0 = (int) fx;
                int x1 = Math.min(x0 + 1, cols - 1);
                double wx = fx - x0;
                double top = src[y0 * cols + x0] * (1 - wx) + src[y0 * cols + x1] * wx;
                double bottom = src[y1 * cols + x0] * (1 - wx) + src[y1 * cols + x1] * wx;
                out[y * size + x] = (float) (top * (1 - wy) + bottom * wy);
            }
        }
        return out;
    }

    /**
     * Light augmentation for a size×size image: random horizontal and vertical flips and a
     * ±10 % contrast change, all drawn from {@code rng} so a seed reproduces them.
     */
    public static float[] augment(float[] img, int size, SplittableRandom rng) {
        boolean flipX = rng.nextBoolean();
        boolean flipY = rng.nextBoolean();
        float gain = (float) (0.9 + 0.2 * rng.nextDouble());
        float[] out = new float[img.length];
        for (int y = 0; y < size; y++) {
            int sy = flipY ? size - 1 - y : y;
            for (int x = 0; x < size; x++) {
                int sx = flipX ? size - 1 - x : x;
                out[y * size + x] = Math.min(1f, img[sy * size + sx] * gain);
            }
        }
        return out;
    }
}
