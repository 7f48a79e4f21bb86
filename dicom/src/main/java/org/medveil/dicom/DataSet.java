package org.medveil.dicom;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

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
    // Sorted by unsigned tag in two parallel arrays: a parser appends in tag order (a compare with
    // the last tag), lookups are a binary search over ints, and there is no boxing or tree node
    // per element. A data set holds tens to a few hundred elements.
    private int[] tags = new int[8];
    private Element[] values = new Element[8];
    private int size;
    private int modCount;
    private final Collection<Element> view = new ElementView();
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

    public Element get(int tag) {
        int i = indexOf(tag);
        return i >= 0 ? values[i] : null;
    }

    public boolean contains(int tag) { return indexOf(tag) >= 0; }

    public Element remove(int tag) {
        int i = indexOf(tag);
        if (i < 0) {
            return null;
        }
        Element old = values[i];
        System.arraycopy(tags, i + 1, tags, i, size - i - 1);
        System.arraycopy(values, i + 1, values, i, size - i - 1);
        values[--size] = null;
        modCount++;
        return old;
    }

    public int size() { return size; }

    public boolean isEmpty() { return size == 0; }

    /** Elements in tag order (read-only view). */
    public Collection<Element> elements() { return view; }

    /** Index of {@code tag}, or {@code -(insertion point) - 1}; appends in tag order are checked first. */
    private int indexOf(int tag) {
        if (size > 0) {
            int c = Integer.compareUnsigned(tags[size - 1], tag);
            if (c < 0) {
                return -size - 1;
            }
            if (c == 0) {
                return size - 1;
            }
        }
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Integer.compareUnsigned(tags[mid], tag);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -lo - 1;
    }

    /** Stores {@code e} under its tag, replacing an element with that tag. */
    private void store(Element e) {
        int tag = e.tag();
        int i = indexOf(tag);
        if (i >= 0) {
            values[i] = e;
            return;
        }
        i = -i - 1;
        if (size == tags.length) {
            tags = Arrays.copyOf(tags, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        System.arraycopy(tags, i, tags, i + 1, size - i);
        System.arraycopy(values, i, values, i + 1, size - i);
        tags[i] = tag;
        values[i] = e;
        size++;
        modCount++;
    }

    /** Live, read-only, in tag order; iterating while the data set changes fails fast, as a TreeMap view did. */
    private final class ElementView extends AbstractCollection<Element> {
        @Override
        public Iterator<Element> iterator() {
            return new Iterator<>() {
                private final int expected = modCount;
                private int next;

                @Override
                public boolean hasNext() {
                    checkUnchanged();
                    return next < size;
                }

                @Override
                public Element next() {
                    checkUnchanged();
                    if (next >= size) {
                        throw new NoSuchElementException();
                    }
                    return values[next++];
                }

                private void checkUnchanged() {
                    if (modCount != expected) { // never skip or repeat an element silently
                        throw new ConcurrentModificationException();
                    }
                }
            };
        }

        @Override
        public int size() { return size; }

        @Override
        public Object[] toArray() { return Arrays.copyOf(values, size, Object[].class); }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T[] toArray(T[] a) {
            if (a.length < size) {
                return (T[]) Arrays.copyOf(values, size, a.getClass());
            }
            System.arraycopy(values, 0, a, 0, size);
            if (a.length > size) {
                a[size] = null;
            }
            return a;
        }
    }

    /**
     * Adds or replaces an element. Sequences must be created with {@link #newSequence} so their
     * items get this data set as parent.
     */
    public void put(Element e) {
        if (e instanceof SequenceElement s && s.owner() != this) {
            throw new IllegalArgumentException("sequence " + Tag.toString(e.tag())
                    + " belongs to another data set; create it with newSequence()");
        }
        store(e);
    }

    /** Creates, stores (replacing any element with that tag) and returns an empty sequence. */
    public SequenceElement newSequence(int tag, boolean undefinedLength) {
        SequenceElement s = new SequenceElement(tag, this, undefinedLength);
        store(s);
        return s;
    }

    /** The sequence at {@code tag}, or null if absent or not a sequence. */
    public SequenceElement getSequence(int tag) {
        return get(tag) instanceof SequenceElement s ? s : null;
    }

    /** Raw little-endian value bytes of a value element, or null. Do not mutate. */
    public byte[] getBytes(int tag) {
        return get(tag) instanceof ValueElement v ? v.value() : null;
    }

    /** Character set in force for this data set: its own (0008,0005), else the parent's. */
    public SpecificCharacterSet charset() {
        for (DataSet d = this; d != null; d = d.parent) {
            if (d.get(Tag.SpecificCharacterSet) instanceof ValueElement v) {
                return SpecificCharacterSet.of(Values.splitAscii(v.value()));
            }
        }
        return SpecificCharacterSet.DEFAULT;
    }

    /** All values of a text element, decoded with the data set's character set; empty if absent. */
    public List<String> getStrings(int tag) {
        if (!(get(tag) instanceof ValueElement v) || !v.vr().isText()) {
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
        if (!(get(tag) instanceof ValueElement v)) {
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
        for (int i = 0; i < size; i++) {
            Element e = values[i];
            if (e instanceof SequenceElement s) {
                SequenceElement t = target.newSequence(s.tag(), s.undefinedLength());
                for (DataSet item : s.items()) {
                    item.copyInto(t.addItem());
                }
            } else {
                target.store(e);
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
        for (Element e : Arrays.copyOf(values, size)) {
            visitor.visit(this, e);
            if (e instanceof SequenceElement s && get(s.tag()) == s) {
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
        if (!(o instanceof DataSet d) || d.size != size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (d.tags[i] != tags[i] || !d.values[i].equals(values[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = 0; i < size; i++) {
            h = 31 * h + tags[i];
        }
        return h;
    }

    @Override
    public String toString() { return "DataSet[" + size + " elements]"; }
}
