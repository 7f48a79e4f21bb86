package org.medveil.dicom;

import java.util.Arrays;

/**
 * An element with its value bytes exactly as encoded, in little-endian byte order (big-endian
 * input is swapped on read), padding included. Keeping raw bytes makes writing back faithful.
 * The array is owned by the element and never copied (pixel data can be large): do not mutate
 * it; to change a value, put a new element into the data set.
 */
public record ValueElement(int tag, VR vr, byte[] value) implements Element {
    public ValueElement {
        if (vr == VR.SQ) {
            throw new IllegalArgumentException("SQ values are SequenceElements, not ValueElements: " + Tag.toString(tag));
        }
    }

    /** Value length in bytes. */
    public int length() { return value.length; }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValueElement v && v.tag == tag && v.vr == vr && Arrays.equals(v.value, value);
    }

    @Override
    public int hashCode() { return 31 * (31 * tag + vr.hashCode()) + Arrays.hashCode(value); }

    @Override
    public String toString() { return Tag.toString(tag) + " " + vr + " #" + value.length; }
}
