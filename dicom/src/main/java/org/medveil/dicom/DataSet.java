package org.medveil.dicom;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An ordered set of data elements (a top-level data set or one sequence item). Elements are kept
 * sorted by unsigned tag and with their raw encoded values, so a data set read and written in the
 * same transfer syntax comes back byte for byte (group lengths aside). Items know their parent
 * data set, which gives them the inherited Specific Character Set.
 *
 * <p>Not thread-safe: one thread builds or edits a data set at a time.
 */
public final class DataSet {
    private final DataSet parent;
    private final TreeMap<Integer, Element> elements = new TreeMap<>(Integer::compareUnsigned);
    private boolean undefinedLengthItem;

    /** A new empty top-level data set. */
    public DataSet() { this(null); }

    DataSet(DataSet parent) { this.parent = parent; }

    /** The data set holding the sequence this item belongs to, or null at the top level. */
    public DataSet parent() { return parent; }

    /** Nesting depth: 0 at the top level. */
    public int depth() {
        int d = 0;
        for (DataSet p = parent; p != null; p = p.parent) {
            d++;
        }
        return d;
    }

    /** For items: whether it was encoded with undefined length (kept for faithful writing). */
    public boolean undefinedLengthItem() { return undefinedLengthItem; }

    public void setUndefinedLengthItem(boolean undefined) { this.undefinedLengthItem = undefined; }

    public Element get(int tag) { return elements.get(tag); }

    public boolean contains(int tag) { return elements.containsKey(tag); }

    public Element remove(int tag) { return elements.remove(tag); }

    public int size() { return elements.size(); }

    public boolean isEmpty() { return elements.isEmpty(); }

    /** Elements in tag order (read-only view). */
    public Collection<Element> elements() { return Collections.unmodifiableCollection(elements.values()); }

    /**
     * Adds or replaces an element. Sequences must be created with {@link #newSequence} so their
     * items get this data set as parent.
     */
    public void put(Element e) {
        if (e instanceof SequenceElement s && s.owner() != this) {
            throw new IllegalArgumentException("sequence " + Tag.toString(e.tag())
                    + " belongs to another data set; create it with newSequence()");
        }
        elements.put(e.tag(), e);
    }

    /** Creates, stores (replacing any element with that tag) and returns an empty sequence. */
    public SequenceElement newSequence(int tag, boolean undefinedLength) {
        SequenceElement s = new SequenceElement(tag, this, undefinedLength);
        elements.put(tag, s);
        return s;
    }

    /** The sequence at {@code tag}, or null if absent or not a sequence. */
    public SequenceElement getSequence(int tag) {
        return elements.get(tag) instanceof SequenceElement s ? s : null;
    }

    /** Raw little-endian value bytes of a value element, or null. Do not mutate. */
    public byte[] getBytes(int tag) {
        return elements.get(tag) instanceof ValueElement v ? v.value() : null;
    }

    /** Character set in force for this data set: its own (0008,0005), else the parent's. */
    public SpecificCharacterSet charset() {
        for (DataSet d = this; d != null; d = d.parent) {
            if (d.elements.get(Tag.SpecificCharacterSet) instanceof ValueElement v) {
                return SpecificCharacterSet.of(Values.splitAscii(v.value()));
            }
        }
        return SpecificCharacterSet.DEFAULT;
    }

    /** All values of a text element, decoded with the data set's character set; empty if absent. */
    public List<String> getStrings(int tag) {
        if (!(elements.get(tag) instanceof ValueElement v) || !v.vr().isText()) {
            return List.of();
        }
        return Values.strings(v, charset());
    }

    /** First value of a text element, trimmed, or null when absent or empty. */
    public String getString(int tag) {
        List<String> s = getStrings(tag);
        return s.isEmpty() || s.get(0).isEmpty() ? null : s.get(0);
    }

    /** First integer value of a US/SS/UL/SL/IS element, or {@code fallback}. */
    public int getInt(int tag, int fallback) {
        if (!(elements.get(tag) instanceof ValueElement v)) {
            return fallback;
        }
        ByteBuffer b = ByteBuffer.wrap(v.value()).order(ByteOrder.LITTLE_ENDIAN);
        try {
            return switch (v.vr()) {
                case US -> v.length() >= 2 ? Short.toUnsignedInt(b.getShort()) : fallback;
                case SS -> v.length() >= 2 ? b.getShort() : fallback;
                case UL, SL -> v.length() >= 4 ? b.getInt() : fallback;
                case IS -> {
                    String s = getString(tag);
                    yield s == null ? fallback : Integer.parseInt(s.strip());
                }
                default -> fallback;
            };
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** Stores a text element, encoded with this data set's character set and padded to even length. */
    public void putString(int tag, VR vr, String... values) {
        if (!vr.isText()) {
            throw new IllegalArgumentException(vr + " is not a text VR (element " + Tag.toString(tag) + ")");
        }
        String joined = String.join("\\", values);
        byte[] raw = vr.usesCharset() ? charset().encode(joined) : joined.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        put(new ValueElement(tag, vr, Values.padEven(raw, vr.paddingByte())));
    }

    /** Stores US/SS/UL/SL values (little endian). */
    public void putInts(int tag, VR vr, int... values) {
        int unit = switch (vr) {
            case US, SS -> 2;
            case UL, SL -> 4;
            default -> throw new IllegalArgumentException(vr + " is not an integer VR (element " + Tag.toString(tag) + ")");
        };
        ByteBuffer b = ByteBuffer.allocate(unit * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            if (unit == 2) {
                b.putShort((short) v);
            } else {
                b.putInt(v);
            }
        }
        put(new ValueElement(tag, vr, b.array()));
    }

    /** Stores raw bytes (little-endian order), padded to even length. */
    public void putBytes(int tag, VR vr, byte[] value) {
        put(new ValueElement(tag, vr, Values.padEven(value, vr.paddingByte())));
    }

    /** The creator string owning private element {@code tag}, or null. */
    public String privateCreatorOf(int tag) {
        int c = Tag.privateCreatorOf(tag);
        return c == -1 ? null : getString(c);
    }

    /**
     * The block (0x10..0xFF) that {@code creator} reserved in private {@code group}, or -1.
     * Element (gggg,BBxx) belongs to block BB.
     */
    public int findPrivateBlock(int group, String creator) {
        for (int b = 0x10; b <= 0xFF; b++) {
            if (creator.equals(getString(Tag.of(group, b)))) {
                return b;
            }
        }
        return -1;
    }

    /** Finds or reserves a private block for {@code creator} in odd {@code group}. */
    public int reservePrivateBlock(int group, String creator) {
        int b = findPrivateBlock(group, creator);
        if (b != -1) {
            return b;
        }
        for (b = 0x10; b <= 0xFF; b++) {
            if (!contains(Tag.of(group, b))) {
                putString(Tag.of(group, b), VR.LO, creator);
                return b;
            }
        }
        throw new IllegalStateException("no free private block in group " + String.format("%04x", group));
    }

    /**
     * A deep copy: new data sets and sequences, the same immutable value elements (their arrays
     * are never mutated in place). The copy is a top-level data set.
     */
    public DataSet copy() {
        DataSet c = new DataSet();
        copyInto(c);
        return c;
    }

    private void copyInto(DataSet target) {
        target.undefinedLengthItem = undefinedLengthItem;
        for (Element e : elements.values()) {
            if (e instanceof SequenceElement s) {
                SequenceElement t = target.newSequence(s.tag(), s.undefinedLength());
                for (DataSet item : s.items()) {
                    item.copyInto(t.addItem());
                }
            } else {
                target.elements.put(e.tag(), e);
            }
        }
    }

    /** Visitor for {@link #walk}: called for every element, depth-first, parents before children. */
    @FunctionalInterface
    public interface Visitor {
        void visit(DataSet owner, Element element);
    }

    /**
     * Visits every element of this data set and of all nested items. Iterates over a snapshot of
     * each level, so the visitor may put or remove elements of {@code owner}.
     */
    public void walk(Visitor visitor) {
        for (Element e : new ArrayList<>(elements.values())) {
            visitor.visit(this, e);
            if (e instanceof SequenceElement s && elements.get(s.tag()) == s) {
                for (DataSet item : new ArrayList<>(s.items())) {
                    item.walk(visitor);
                }
            }
        }
    }

    /** Removes every element (at any depth) for which {@code filter} is true. */
    public void removeIf(java.util.function.BiPredicate<DataSet, Element> filter) {
        walk((owner, e) -> {
            if (filter.test(owner, e)) {
                owner.remove(e.tag());
            }
        });
    }

    /** Same elements and values at every depth; length encodings (defined/undefined) are not compared. */
    @Override
    public boolean equals(Object o) {
        return o instanceof DataSet d && d.elements.equals(elements);
    }

    @Override
    public int hashCode() { return Objects.hash(elements.keySet()); }

    @Override
    public String toString() { return "DataSet[" + elements.size() + " elements]"; }
}
