package org.medveil.dicom;

import java.util.List;

/**
 * Encapsulated pixel data (PS3.5 §A.4): {@code items.get(0)} is the Basic Offset Table (possibly
 * empty), the rest are compressed fragments, kept byte for byte. Arrays are owned, not copied:
 * do not mutate them.
 */
public record FragmentsElement(int tag, VR vr, List<byte[]> items) implements Element {
    public FragmentsElement {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("encapsulated pixel data needs at least the offset table item");
        }
        items = List.copyOf(items);
    }

    /** The Basic Offset Table item. */
    public byte[] offsetTable() { return items.get(0); }

    /** Number of compressed fragments (offset table excluded). */
    public int fragmentCount() { return items.size() - 1; }

    /** Fragment {@code i} (0-based, offset table excluded). */
    public byte[] fragment(int i) { return items.get(i + 1); }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FragmentsElement f) || f.tag != tag || f.vr != vr || f.items.size() != items.size()) {
            return false;
        }
        for (int i = 0; i < items.size(); i++) {
            if (!java.util.Arrays.equals(items.get(i), f.items.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() { return 31 * tag + items.size(); }

    @Override
    public String toString() { return Tag.toString(tag) + " " + vr + " fragments=" + fragmentCount(); }
}
