package org.medveil.dicom;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A sequence (SQ) of items. Items are {@link DataSet}s whose parent is the data set holding
 * this sequence, so nested items inherit the Specific Character Set. Whether the sequence was
 * encoded with undefined length is kept so it is written back the same way.
 */
public final class SequenceElement implements Element {
    private final int tag;
    private final DataSet owner;
    private final List<DataSet> items = new ArrayList<>();
    private boolean undefinedLength;

    SequenceElement(int tag, DataSet owner, boolean undefinedLength) {
        this.tag = tag;
        this.owner = owner;
        this.undefinedLength = undefinedLength;
    }

    @Override public int tag() { return tag; }

    @Override public VR vr() { return VR.SQ; }

    /** The data set that holds this sequence (parent of its items). */
    DataSet owner() { return owner; }

    /** Items, read-only view; use {@link #addItem} and {@link #removeItem} to edit. */
    public List<DataSet> items() { return Collections.unmodifiableList(items); }

    public int size() { return items.size(); }

    public DataSet item(int i) { return items.get(i); }

    /** Appends a new empty item (parent set to this sequence's data set) and returns it. */
    public DataSet addItem() {
        DataSet item = new DataSet(owner);
        items.add(item);
        return item;
    }

    public void removeItem(int i) { items.remove(i); }

    public boolean undefinedLength() { return undefinedLength; }

    public void setUndefinedLength(boolean undefined) { this.undefinedLength = undefined; }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequenceElement s && s.tag == tag && s.items.equals(items);
    }

    @Override
    public int hashCode() { return 31 * tag + items.size(); }

    @Override
    public String toString() { return Tag.toString(tag) + " SQ items=" + items.size(); }
}
