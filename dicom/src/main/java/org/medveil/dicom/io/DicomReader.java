package org.medveil.dicom.io;

import org.medveil.dicom.BulkDataElement;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomParseException;
import org.medveil.dicom.Element;
import org.medveil.dicom.FragmentsElement;
import org.medveil.dicom.SequenceElement;
import org.medveil.dicom.Tag;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.VR;
import org.medveil.dicom.ValueElement;
import org.medveil.dicom.dict.DataDictionary;
import org.medveil.dicom.dict.DictEntry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Reads DICOM Part 10 files (and bare data sets) into {@link DataSet}s. Every length is checked
 * against what remains (or read incrementally when the size is unknown), nesting is bounded, and
 * every loop consumes input, so bad input ends in a {@link DicomParseException}, never an
 * OutOfMemoryError or a hang. Instances are immutable and thread-safe.
 */
public final class DicomReader {
    private static final long UNDEFINED = 0xFFFFFFFFL;

    /**
     * @param bulkDataThreshold values longer than this are left in the file as
     *                          {@link BulkDataElement}s (-1: load everything); only for files
     * @param stopBeforeTag     stop at the first top-level tag ≥ this (unsigned; 0: read all),
     *                          e.g. {@link Tag#PixelData} to read just the header
     * @param maxDepth          deepest sequence nesting accepted
     * @param pixelDataInFile   leave the top-level Pixel Data (native or encapsulated) in the file
     *                          as a {@link BulkDataElement}, everything else loaded; only for files
     *                          in little-endian, non-deflated syntaxes
     */
    public record Options(long bulkDataThreshold, int stopBeforeTag, int maxDepth, boolean pixelDataInFile) {
        public static final Options DEFAULT = new Options(-1, 0, 32);

        /** Headers only: stop before Pixel Data, never load it. */
        public static final Options HEADERS = new Options(-1, Tag.PixelData, 32);

        /**
         * Everything but the top-level Pixel Data loaded; the pixels stay in the file until they are
         * written ({@link DicomWriter} copies them file to file) or {@link DicomReader#load loaded}.
         * For pipelines that pass pixels through unchanged, such as de-identification.
         */
        public static final Options PIXEL_DATA_IN_FILE = new Options(-1, 0, 32, true);

        public Options(long bulkDataThreshold, int stopBeforeTag, int maxDepth) {
            this(bulkDataThreshold, stopBeforeTag, maxDepth, false);
        }
    }

    private final DataDictionary dict;
    private final Options options;

    public DicomReader() { this(DataDictionary.standard(), Options.DEFAULT); }

    public DicomReader(Options options) { this(DataDictionary.standard(), options); }

    public DicomReader(DataDictionary dict, Options options) {
        this.dict = dict;
        this.options = options;
    }

    /** Reads a file; large values stay in the file when the options ask for bulk data references. */
    public DicomFile read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            BulkDataElement.Stamp stamp = BulkDataElement.Stamp.of(file); // taken once the file is open
            return read(new DicomInput(in, stamp.size()), file, stamp);
        }
    }

    /**
     * The value of a {@link BulkDataElement}, read from its file: a {@link ValueElement}, or a
     * {@link FragmentsElement} for encapsulated pixel data.
     *
     * @throws DicomException when the file changed since the element was read, or no longer parses there
     */
    public Element load(BulkDataElement b) throws IOException {
        try (InputStream raw = Files.newInputStream(b.file())) {
            b.checkUnchanged();
            long size = Files.size(b.file());
            if (b.offset() > size) {
                throw new DicomParseException("bulk data offset is past the end of the file", b.offset(), b.tag());
            }
            raw.skipNBytes(b.offset());
            DicomInput in = new DicomInput(raw, size - b.offset());
            if (b.length() >= 0) {
                return new ValueElement(b.tag(), b.vr(), in.bytes(b.length(), b.tag()));
            }
            DataSet holder = new DataSet();
            new Parser(in, null, false).parseFragments(holder, b.tag(), b.vr(), false, false);
            return holder.get(b.tag());
        }
    }

    /** Reads a Part 10 stream (or a bare data set, whose syntax is then guessed). */
    public DicomFile read(InputStream in, long size) throws IOException {
        return read(in, size, null);
    }

    /** Reads a whole byte array (Part 10 or bare data set). */
    public DicomFile read(byte[] data) throws IOException {
        return read(new DicomInput(data), null);
    }

    /** Reads a bare data set in a known transfer syntax, e.g. one received over the network. */
    public DataSet readDataSet(InputStream in, long size, TransferSyntax ts) throws IOException {
        DicomInput input = new DicomInput(in, size);
        if (ts.deflated()) {
            input = inflate(input);
        }
        DataSet ds = new DataSet();
        new Parser(input, null, !ts.bigEndian() && !ts.deflated()).parseItem(ds, -1, false, ts.explicitVr(), ts.bigEndian(), 0);
        return ds;
    }

    /**
     * Re-reads the value of a UN element as the sequence the dictionary says it is: PS3.5 §6.2.2
     * encodes such a value in implicit VR little endian, items of defined or undefined length
     * (CP-246). On success the sequence replaces the element at {@code tag} in {@code owner} (its
     * items get {@code owner} as parent, for the character set); on failure {@code owner} is left
     * unchanged. The reader itself keeps defined-length UN as it came (like dcmdump's default), so
     * files round-trip byte for byte; this is for consumers that must see inside, e.g. the
     * de-identifier.
     *
     * @throws DicomParseException when the value is not a valid implicit VR little endian sequence
     */
    public SequenceElement readUnSequence(DataSet owner, int tag, byte[] value) throws DicomParseException {
        Element before = owner.get(tag);
        try {
            DicomInput in = new DicomInput(new java.io.ByteArrayInputStream(value), value.length);
            new Parser(in, null, false).parseSequence(owner, tag, value.length, false, false, owner.depth());
            return owner.getSequence(tag);
        } catch (IOException e) {
            if (before != null) {
                owner.put(before);
            } else {
                owner.remove(tag);
            }
            throw e instanceof DicomParseException p ? p
                    : new DicomParseException("UN value is not a sequence (" + e.getClass().getSimpleName() + ")", 0, tag, e);
        }
    }

    private DicomFile read(InputStream raw, long size, Path file) throws IOException {
        return read(new DicomInput(raw, size), file, null); // DicomInput buffers itself
    }

    private DicomFile read(DicomInput in, Path file) throws IOException {
        return read(in, file, null);
    }

    private DicomFile read(DicomInput in, Path file, BulkDataElement.Stamp stamp) throws IOException {
        DataSet meta = new DataSet();
        if (isMagic(in, 128)) {
            in.skip(132, -1);
            readMeta(in, meta);
        } else if (isMagic(in, 0)) {
            in.skip(4, -1);
            readMeta(in, meta);
        } else if (in.peek(0) == 0x02 && in.peek(1) == 0x00) {
            readMeta(in, meta); // meta group without preamble and magic
        }
        String tsUid = meta.getString(Tag.TransferSyntaxUID);
        TransferSyntax ts = tsUid != null ? TransferSyntax.of(tsUid) : guess(in);
        long dataSetOffset = in.position();
        if (ts.deflated()) {
            in = inflate(in);
            file = null; // offsets inside inflated data are not file offsets
        }
        if (ts.bigEndian()) {
            file = null; // big-endian values must be swapped, so never left in the file
        }
        DataSet ds = new DataSet();
        Parser parser = new Parser(in, file, true);
        parser.stamp = stamp;
        parser.parseItem(ds, -1, false, ts.explicitVr(), ts.bigEndian(), 0);
        return new DicomFile(meta, ds, ts, dataSetOffset);
    }

    private static DicomInput inflate(DicomInput in) {
        return new DicomInput(new InflaterInputStream(in.rest(), new Inflater(true), 65536), -1);
    }

    private static boolean isMagic(DicomInput in, int at) throws IOException {
        return in.peek(at) == 'D' && in.peek(at + 1) == 'I' && in.peek(at + 2) == 'C' && in.peek(at + 3) == 'M';
    }

    private void readMeta(DicomInput in, DataSet meta) throws IOException {
        Parser p = new Parser(in, null, true);
        while (in.peek(0) == 0x02 && in.peek(1) == 0x00) {
            boolean explicit = isVr(in.peek(4), in.peek(5));
            p.parseOne(meta, -1, explicit, false, 0);
        }
    }

    private static boolean isVr(int a, int b) {
        return a >= 0 && b >= 0 && VR.ofCode((a << 8) | b) != null;
    }

    /** No meta header: decide byte order and VR explicitness from the first element. */
    private static TransferSyntax guess(DicomInput in) throws IOException {
        if (in.atEnd()) {
            return TransferSyntax.IMPLICIT_LE;
        }
        int b0 = in.peek(0), b1 = in.peek(1);
        boolean bigEndian = b0 == 0 && b1 != 0 && b1 <= 0x08; // (0008,xxxx) written big endian
        boolean explicit = isVr(in.peek(4), in.peek(5));
        if (bigEndian) {
            return TransferSyntax.EXPLICIT_BE;
        }
        return explicit ? TransferSyntax.EXPLICIT_LE : TransferSyntax.IMPLICIT_LE;
    }

    /** One parse of one stream; holds the input and where bulk data may stay. */
    private final class Parser {
        private final DicomInput in;
        private final Path file;
        private final boolean allowStop;
        private BulkDataElement.Stamp stamp; // of `file`, for the bulk data elements left there

        Parser(DicomInput in, Path file, boolean allowStop) {
            this.in = in;
            this.file = file;
            this.allowStop = allowStop;
        }

        /** Parses elements into {@code ds} until {@code end} (or the item delimiter / end of data). */
        void parseItem(DataSet ds, long end, boolean undefinedItem, boolean explicit, boolean be, int depth)
                throws IOException {
            while (true) {
                if (end >= 0) {
                    if (in.position() >= end) {
                        return;
                    }
                } else if (in.atEnd()) {
                    if (undefinedItem) {
                        throw new DicomParseException("item without item delimiter: data ends", in.position(), -1);
                    }
                    return;
                }
                if (depth == 0 && allowStop && options.stopBeforeTag() != 0 && in.peek(3) >= 0) {
                    int t = be ? (in.peek(0) << 24) | (in.peek(1) << 16) | (in.peek(2) << 8) | in.peek(3)
                            : (in.peek(1) << 24) | (in.peek(0) << 16) | (in.peek(3) << 8) | in.peek(2);
                    if (Integer.compareUnsigned(t, options.stopBeforeTag()) >= 0) {
                        return;
                    }
                }
                if (parseOne(ds, end, explicit, be, depth)) {
                    if (undefinedItem) {
                        return;
                    }
                    throw new DicomParseException("item delimiter outside an item", in.position() - 8, Tag.ItemDelimitationItem);
                }
            }
        }

        /** Parses one element; returns true if it was an item delimitation item. */
        boolean parseOne(DataSet ds, long end, boolean explicit, boolean be, int depth) throws IOException {
            long start = in.position();
            int tag = readTag(be);
            if (tag == Tag.ItemDelimitationItem) {
                in.i32(be, tag);
                return true;
            }
            if (Tag.group(tag) == 0xFFFE) {
                throw new DicomParseException("unexpected " + Tag.toString(tag) + " delimiter in a data set", start, tag);
            }
            VR vr;
            long len;
            if (explicit) {
                int code = (in.u8(tag) << 8) | in.u8(tag);
                vr = VR.ofCode(code);
                if (vr == null) {
                    throw new DicomParseException(String.format("unknown VR bytes 0x%04x", code), start, tag);
                }
                if (vr.hasLongLength()) {
                    in.u16(be, tag); // reserved
                    len = in.i32(be, tag) & UNDEFINED;
                } else {
                    len = in.u16(be, tag);
                }
            } else {
                len = in.i32(be, tag) & UNDEFINED;
                vr = implicitVr(tag, ds);
            }
            if (len == UNDEFINED) {
                if (vr == VR.SQ || vr == VR.UN) {
                    // UN with undefined length is a sequence in implicit VR little endian (CP-246)
                    boolean nestedExplicit = vr == VR.SQ && explicit;
                    boolean nestedBe = vr == VR.SQ && be;
                    parseSequence(ds, tag, -1, nestedExplicit, nestedBe, depth);
                } else if (vr == VR.OB || vr == VR.OW) {
                    parseFragments(ds, tag, vr, be, pixelsInFile(tag, depth));
                } else {
                    throw new DicomParseException("undefined length is not allowed for VR " + vr, start, tag);
                }
                return false;
            }
            if (end >= 0 && in.position() + len > end) {
                throw new DicomParseException("value length " + len + " runs past the end of its item or sequence ("
                        + (end - in.position()) + " bytes left)", start, tag);
            }
            if (vr == VR.SQ) {
                parseSequence(ds, tag, in.position() + checkRemaining(len, tag), explicit, be, depth);
                return false;
            }
            if ((file != null && options.bulkDataThreshold() >= 0 && len > options.bulkDataThreshold())
                    || pixelsInFile(tag, depth)) {
                long off = in.position();
                in.skip(len, tag);
                ds.put(new BulkDataElement(tag, vr, file, off, len, stamp));
                return false;
            }
            byte[] value = in.bytes(len, tag);
            if (be) {
                swap(value, vr.unitSize());
            }
            ds.put(new ValueElement(tag, vr, value));
            return false;
        }

        private long checkRemaining(long len, int tag) throws DicomParseException {
            if (len > in.remainingKnown()) {
                throw new DicomParseException("sequence length " + len + " exceeds the " + in.remainingKnown()
                        + " bytes left", in.position(), tag);
            }
            return len;
        }

        private int readTag(boolean be) throws IOException {
            int g = in.u16(be, -1);
            int e = in.u16(be, -1);
            return (g << 16) | e;
        }

        private void parseSequence(DataSet ds, int tag, long end, boolean explicit, boolean be, int depth)
                throws IOException {
            if (depth >= options.maxDepth()) {
                throw new DicomParseException("sequences nested deeper than " + options.maxDepth(), in.position(), tag);
            }
            SequenceElement seq = ds.newSequence(tag, end < 0);
            while (true) {
                if (end >= 0 && in.position() >= end) {
                    return;
                }
                long at = in.position();
                int itemTag = readTag(be);
                long len = in.i32(be, tag) & UNDEFINED;
                if (itemTag == Tag.SequenceDelimitationItem && end < 0) {
                    return;
                }
                if (itemTag != Tag.Item) {
                    throw new DicomParseException("expected an item in sequence but found " + Tag.toString(itemTag), at, tag);
                }
                DataSet item = seq.addItem();
                if (len == UNDEFINED) {
                    item.setUndefinedLengthItem(true);
                    parseItem(item, -1, true, explicit, be, depth + 1);
                } else {
                    if ((end >= 0 && in.position() + len > end) || len > in.remainingKnown()) {
                        throw new DicomParseException("item length " + len + " runs past its sequence", at, tag);
                    }
                    parseItem(item, in.position() + len, false, explicit, be, depth + 1);
                }
            }
        }

        private boolean pixelsInFile(int tag, int depth) {
            return file != null && options.pixelDataInFile() && depth == 0 && tag == Tag.PixelData;
        }

        void parseFragments(DataSet ds, int tag, VR vr, boolean be, boolean inFile) throws IOException {
            long firstItem = in.position();
            List<byte[]> items = new ArrayList<>();
            boolean bulk = inFile || (file != null && options.bulkDataThreshold() >= 0);
            while (true) {
                long at = in.position();
                int itemTag = readTag(be);
                long len = in.i32(be, tag) & UNDEFINED;
                if (itemTag == Tag.SequenceDelimitationItem) {
                    break;
                }
                if (itemTag != Tag.Item || len == UNDEFINED) {
                    throw new DicomParseException("expected a fragment item in encapsulated pixel data but found "
                            + Tag.toString(itemTag) + (len == UNDEFINED ? " with undefined length" : ""), at, tag);
                }
                if (bulk) {
                    in.skip(len, tag);
                } else {
                    items.add(in.bytes(len, tag));
                }
            }
            if (bulk) {
                ds.put(new BulkDataElement(tag, vr, file, firstItem, -1, stamp));
            } else {
                if (items.isEmpty()) {
                    throw new DicomParseException("encapsulated pixel data has no offset table item", firstItem, tag);
                }
                ds.put(new FragmentsElement(tag, vr, items));
            }
        }

        private VR implicitVr(int tag, DataSet ds) {
            DictEntry e = Tag.isPrivate(tag) || Tag.isGroupLength(tag) ? null : dict.lookup(tag);
            if (e == null || !e.ambiguous()) {
                return dict.vrOf(tag);
            }
            if (e.vrs().contains(VR.SS) && e.vrs().contains(VR.US)) {
                return pixelRepresentation(ds) == 1 ? VR.SS : VR.US;
            }
            return e.vrs().contains(VR.OW) ? VR.OW : e.vr();
        }

        private int pixelRepresentation(DataSet ds) {
            for (DataSet d = ds; d != null; d = d.parent()) {
                if (d.contains(Tag.PixelRepresentation)) {
                    return d.getInt(Tag.PixelRepresentation, 0);
                }
            }
            return 0;
        }
    }

    /** Converts big-endian units of {@code unit} bytes to little endian in place. */
    static void swap(byte[] b, int unit) {
        if (unit <= 1) {
            return;
        }
        int n = b.length - b.length % unit;
        for (int i = 0; i < n; i += unit) {
            for (int a = i, z = i + unit - 1; a < z; a++, z--) {
                byte t = b[a];
                b[a] = b[z];
                b[z] = t;
            }
        }
    }
}
