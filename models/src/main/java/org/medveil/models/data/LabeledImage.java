package org.medveil.models.data;

/**
 * A training example: a size×size image in [0, 1], its class, and where it came from. The SOP
 * Instance UID joins it to the label sidecar; {@code source} is the data folder's name.
 */
public record LabeledImage(String sopInstanceUid, String source, int size, float[] pixels, int label) {
    public LabeledImage {
        if (pixels.length != size * size) {
            throw new IllegalArgumentException("image has " + pixels.length + " pixels, expected " + size + "x" + size);
        }
        if (label < 0) {
            throw new IllegalArgumentException("label must be >= 0, got " + label);
        }
    }
}
