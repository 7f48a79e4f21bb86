package org.medveil.models.data;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic train/test split. Membership depends only on the seed and each image's SOP
 * Instance UID (a hash), not on file order, so adding a folder never moves other images.
 */
public record Split(List<LabeledImage> train, List<LabeledImage> test) {

    public static Split holdOut(List<LabeledImage> images, double testFraction, long seed) {
        if (!(testFraction >= 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction must be in [0, 1), got " + testFraction);
        }
        List<LabeledImage> train = new ArrayList<>();
        List<LabeledImage> test = new ArrayList<>();
        for (LabeledImage im : images) {
            (unit(im.sopInstanceUid(), seed) < testFraction ? test : train).add(im);
        }
        return new Split(List.copyOf(train), List.copyOf(test));
    }

    /** A uniform value in [0, 1) from the UID and seed (FNV-1a, then a 64-bit finalizer). */
    static double unit(String uid, long seed) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (byte b : uid.getBytes(StandardCharsets.US_ASCII)) {
            h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (h >>> 11) * 0x1.0p-53;
    }
}
