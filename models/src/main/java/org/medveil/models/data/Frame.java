package org.medveil.models.data;

/**
 * One single-channel frame in modality units (for CT: Hounsfield units, after Rescale
 * Slope/Intercept), row-major, with what normalization needs to know about it.
 */
public record Frame(int rows, int columns, float[] values, String modality, boolean inverted) {
    public Frame {
        if (values.length != rows * columns) {
            throw new IllegalArgumentException("frame has " + values.length + " values, expected " + rows + "x" + columns);
        }
    }
}
