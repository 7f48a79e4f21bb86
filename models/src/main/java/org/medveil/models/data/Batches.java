package org.medveil.models.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns labeled images into mini-batches: as plain arrays ({@link Batch}, for any engine) or as
 * ND4J data sets (features [n, 1, size, size], one-hot labels [n, classes]) for DL4J. Both come
 * from the same order and augmentation, so every engine sees the same batches for a seed.
 */
public final class Batches {
    private Batches() {}

    /**
     * One mini-batch as plain arrays: {@code features} is [n, 1, size, size] row-major,
     * {@code labels} holds the class index of each image.
     */
    public record Batch(int n, int size, float[] features, int[] labels) {}

    /**
     * The epoch's batches in an order drawn from {@code seed} and {@code epoch}, augmented (when
     * asked) with randomness from the same pair, so a seed reproduces the whole epoch.
     */
    public static List<Batch> epochArrays(List<LabeledImage> images, int batchSize, int classes, long seed, int epoch,
                                          boolean augment) {
        List<LabeledImage> order = new ArrayList<>(images);
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1)));
        List<Batch> out = new ArrayList<>();
        for (int from = 0; from < order.size(); from += batchSize) {
            List<LabeledImage> part = order.subList(from, Math.min(order.size(), from + batchSize));
            out.add(arrays(part, classes, augment ? rng : null));
        }
        return out;
    }

    /** {@link #epochArrays} as ND4J data sets (DL4J's trainer). */
    public static List<DataSet> epoch(List<LabeledImage> images, int batchSize, int classes, long seed, int epoch,
                                      boolean augment) {
        List<DataSet> out = new ArrayList<>();
        for (Batch b : epochArrays(images, batchSize, classes, seed, epoch, augment)) {
            out.add(toDataSet(b, classes));
        }
        return out;
    }

    /** One batch in the given order; {@code rng} non-null means augment. */
    public static DataSet batch(List<LabeledImage> images, int classes, SplittableRandom rng) {
        return toDataSet(arrays(images, classes, rng), classes);
    }

    /** One batch as arrays in the given order; {@code rng} non-null means augment. */
    public static Batch arrays(List<LabeledImage> images, int classes, SplittableRandom rng) {
        int n = images.size();
        int size = images.get(0).size();
        int pixels = size * size;
        float[] features = new float[n * pixels];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            LabeledImage im = images.get(i);
            if (im.label() >= classes) {
                throw new DatasetException("image label " + im.label() + " does not fit a model with " + classes
                        + " classes; set classes= in the model spec");
            }
            float[] px = rng == null ? im.pixels() : Images.augment(im.pixels(), size, rng);
            System.arraycopy(px, 0, features, i * pixels, pixels);
            labels[i] = im.label();
        }
        return new Batch(n, size, features, labels);
    }

    private static DataSet toDataSet(Batch b, int classes) {
        float[] oneHot = new float[b.n() * classes];
        for (int i = 0; i < b.n(); i++) {
            oneHot[i * classes + b.labels()[i]] = 1f;
        }
        return new DataSet(Nd4j.create(b.features(), new long[] {b.n(), 1, b.size(), b.size()}, 'c'),
                Nd4j.create(oneHot, new long[] {b.n(), classes}, 'c'));
    }
}
