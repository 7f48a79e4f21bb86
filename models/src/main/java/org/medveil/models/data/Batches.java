package org.medveil.models.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Turns labeled images into ND4J mini-batches: features [n, 1, size, size], one-hot labels [n, classes]. */
public final class Batches {
    private Batches() {}

    /**
     * The epoch's batches in an order drawn from {@code seed} and {@code epoch}, augmented (when
     * asked) with randomness from the same pair, so a seed reproduces the whole epoch.
     */
    public static List<DataSet> epoch(List<LabeledImage> images, int batchSize, int classes, long seed, int epoch,
                                      boolean augment) {
        List<LabeledImage> order = new ArrayList<>(images);
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1)));
        List<DataSet> out = new ArrayList<>();
        for (int from = 0; from < order.size(); from += batchSize) {
            List<LabeledImage> part = order.subList(from, Math.min(order.size(), from + batchSize));
            out.add(batch(part, classes, augment ? rng : null));
        }
        return out;
    }

    /** One batch in the given order; {@code rng} non-null means augment. */
    public static DataSet batch(List<LabeledImage> images, int classes, SplittableRandom rng) {
        int n = images.size();
        int size = images.get(0).size();
        int pixels = size * size;
        float[] features = new float[n * pixels];
        float[] labels = new float[n * classes];
        for (int i = 0; i < n; i++) {
            LabeledImage im = images.get(i);
            if (im.label() >= classes) {
                throw new DatasetException("image label " + im.label() + " does not fit a model with " + classes
                        + " classes; set classes= in the model spec");
            }
            float[] px = rng == null ? im.pixels() : Images.augment(im.pixels(), size, rng);
            System.arraycopy(px, 0, features, i * pixels, pixels);
            labels[i * classes + im.label()] = 1f;
        }
        return new DataSet(Nd4j.create(features, new long[] {n, 1, size, size}, 'c'),
                Nd4j.create(labels, new long[] {n, classes}, 'c'));
    }
}
