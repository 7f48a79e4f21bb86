package org.medveil.dicom.io;

import org.medveil.dicom.BulkDataElement;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.Element;
import org.medveil.dicom.FragmentsElement;
import org.medveil.dicom.SequenceElement;
import org.medveil.dicom.Tag;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.VR;
import org.medveil.dicom.ValueElement;
import org.medveil.dicom.dict.DataDictionary;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes data sets and Part 10 files in little-endian syntaxes (big endian is read only). Group
 * lengths are dropped (except the meta group's, which is recomputed); sequences and items keep
 * their defined/undefined length form, so data read and written in one syntax is unchanged.
 */
public final class DicomWriter {
    /** Our implementation class UID (a UUID-derived 2.25 UID, fixed for MedVeil). */
    public static final String IMPLEMENTATION_CLASS_UID = "2.25.116888830636240203981693560769437808374";
    public static final String IMPLEMENTATION_VERSION = "MEDVEIL_010";

    private static final long UNDEFINED = 0xFFFFFFFFL;

    /** Writes a Part 10 file atomically (temp file in the same folder, then move). */
    public void writeFile(DicomFile file, Path target, TransferSyntax ts) throws IOException {
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), ".medveil-", ".part");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writeFile(file, ch, ts);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Writes preamble, "DICM", File Meta Information and the data set in {@code ts} to a file
     * channel, at its position. Values left in their file ({@link BulkDataElement}, e.g. pixel
     * data read with {@link DicomReader.Options#PIXEL_DATA_IN_FILE}) are copied file to file by
     * the kernel ({@link FileChannel#transferTo}), never through our memory.
     */
    public void writeFile(DicomFile file, FileChannel out, TransferSyntax ts) throws IOException {
        Out o = new Out(out);
        writeFile(file, o, ts);
        o.flush();
    }

    /**
     * Writes preamble, "DICM", File Meta Information and the data set in {@code ts}. The output
     * is buffered here, in few large writes; a {@link FileOutputStream} is written through its
     * channel (see {@link #writeFile(DicomFile, FileChannel, TransferSyntax)}).
     */
    public void writeFile(DicomFile file, OutputStream out, TransferSyntax ts) throws IOException {
        Out o = out instanceof FileOutputStream f ? new Out(f.getChannel()) : new Out(out);
        writeFile(file, o, ts);
        o.flush();
    }

    private void writeFile(DicomFile file, Out o, TransferSyntax ts) throws IOException {
        checkWritable(file.dataSet(), file.transferSyntax(), ts);
        if (ts.bigEndian()) {
            throw new DicomException("writing " + ts.name() + " is not supported; write explicit VR little endian instead");
        }
        o.preamble();
        writeMeta(buildMeta(file.meta(), file.dataSet(), ts), o);
        writeDataSet(file.dataSet(), o, ts);
    }

    /** Writes preamble, "DICM" and the given meta elements (group length computed); the caller appends the data set. */
    public void writeMetaOnly(DataSet meta, OutputStream out) throws IOException {
        Out o = new Out(out);
        o.preamble();
        writeMeta(meta, o);
        o.flush();
    }

    /** Writes a bare data set (no meta) in {@code ts}; deflates when the syntax says so. */
    public void writeDataSet(DataSet ds, OutputStream out, TransferSyntax ts) throws IOException {
        if (ts.bigEndian()) {
            throw new DicomException("writing " + ts.name() + " is not supported; write explicit VR little endian instead");
        }
        Out o = new Out(out);
        writeDataSet(ds, o, ts);
        o.flush();
    }

    private void writeDataSet(DataSet ds, Out o, TransferSyntax ts) throws IOException {
        if (ts.deflated()) {
            o.flush();
            Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            try {
                DeflaterOutputStream d = new DeflaterOutputStream(o.asStream(), deflater, 65536);
                Out deflating = new Out(d);
                writeItemBody(ds, deflating, true);
                deflating.flush();
                d.finish();
                d.flush();
            } finally {
                deflater.end();
            }
            return;
        }
        writeItemBody(ds, o, ts.explicitVr());
    }

    /** Encapsulated data can only stay in an encapsulated syntax; native data can go anywhere. */
    private static void checkWritable(DataSet ds, TransferSyntax from, TransferSyntax to) throws DicomException {
        boolean fragments = ds.get(Tag.PixelData) instanceof FragmentsElement
                || (ds.get(Tag.PixelData) instanceof BulkDataElement b && b.length() < 0);
        if (fragments && !to.encapsulated()) {
            throw new DicomException("pixel data is compressed (" + from.name() + ") and cannot be written as "
                    + to.name() + " without decoding; decode the frames first (org.medveil.dicom.pixel) or keep the syntax");
        }
        if (!fragments && to.encapsulated() && ds.contains(Tag.PixelData)) {
            throw new DicomException("pixel data is native and cannot be labelled " + to.name()
                    + " without compressing it; write explicit VR little endian instead");
        }
    }

    private DataSet buildMeta(DataSet old, DataSet ds, TransferSyntax ts) {
        DataSet m = new DataSet();
        for (DataSet source : new DataSet[] {ds, old}) { // a meta element found in the data set moves to the header
            for (Element e : source.elements()) {
                if (e.tag() != Tag.FileMetaInformationGroupLength && Tag.group(e.tag()) == 0x0002
                        && e instanceof ValueElement) {
                    m.put(e);
                }
            }
        }
        m.putBytes(Tag.FileMetaInformationVersion, VR.OB, new byte[] {0, 1});
        if (!m.contains(Tag.MediaStorageSOPClassUID) && ds.getString(Tag.SOPClassUID) != null) {
            m.putString(Tag.MediaStorageSOPClassUID, VR.UI, ds.getString(Tag.SOPClassUID));
        }
        if (!m.contains(Tag.MediaStorageSOPInstanceUID) && ds.getString(Tag.SOPInstanceUID) != null) {
            m.putString(Tag.MediaStorageSOPInstanceUID, VR.UI, ds.getString(Tag.SOPInstanceUID));
        }
        m.putString(Tag.TransferSyntaxUID, VR.UI, ts.uid());
        m.putString(Tag.ImplementationClassUID, VR.UI, IMPLEMENTATION_CLASS_UID);
        m.putString(Tag.ImplementationVersionName, VR.SH, IMPLEMENTATION_VERSION);
        return m;
    }

    private void writeMeta(DataSet meta, Out o) throws IOException {
        long len = 0;
        for (Element e : meta.elements()) {
            len += elementSize(e, true);
        }
        o.header(Tag.FileMetaInformationGroupLength, VR.UL, 4, true);
        o.i32((int) len);
        writeItemBody(meta, o, true, true);
    }

    private void writeItemBody(DataSet ds, Out o, boolean explicit) throws IOException {
        writeItemBody(ds, o, explicit, false);
    }

    /** Group lengths are dropped; group 0002 belongs to the meta header only, never to a data set. */
    private void writeItemBody(DataSet ds, Out o, boolean explicit, boolean meta) throws IOException {
        for (Element e : ds.elements()) {
            if (Tag.isGroupLength(e.tag()) || (!meta && Tag.group(e.tag()) == 0x0002)) {
                continue;
            }
            writeElement(e, o, explicit);
        }
    }

    private void writeElement(Element e, Out o, boolean explicit) throws IOException {
        if (e instanceof ValueElement v) {
            o.header(v.tag(), writtenVr(v.vr(), v.length()), v.length(), explicit);
            o.write(v.value(), 0, v.length());
        } else if (e instanceof SequenceElement s) {
            boolean undefined = undefinedOnWrite(s, explicit);
            o.header(s.tag(), VR.SQ, undefined ? UNDEFINED : valueLength(s, explicit), explicit);
            for (DataSet item : s.items()) {
                o.tag(Tag.Item);
                o.i32(item.undefinedLengthItem() ? -1 : (int) itemLength(item, explicit));
                writeItemBody(item, o, explicit);
                if (item.undefinedLengthItem()) {
                    o.tag(Tag.ItemDelimitationItem);
                    o.i32(0);
                }
            }
            if (undefined) {
                o.tag(Tag.SequenceDelimitationItem);
                o.i32(0);
            }
        } else if (e instanceof FragmentsElement f) {
            o.header(f.tag(), f.vr(), UNDEFINED, explicit);
            for (byte[] item : f.items()) {
                o.tag(Tag.Item);
                o.i32(item.length);
                o.write(item, 0, item.length);
            }
            o.tag(Tag.SequenceDelimitationItem);
            o.i32(0);
        } else if (e instanceof BulkDataElement b) {
            o.header(b.tag(), b.length() < 0 ? b.vr() : writtenVr(b.vr(), b.length()),
                    b.length() < 0 ? UNDEFINED : b.length(), explicit);
            copyBulk(b, o);
        }
    }

    /**
     * In implicit VR a reader knows a sequence only from the dictionary; sequences the dictionary
     * does not call SQ (private ones) get undefined length so they read back as sequences (CP-246).
     */
    private static boolean undefinedOnWrite(SequenceElement s, boolean explicit) {
        return s.undefinedLength() || (!explicit && DataDictionary.standard().vrOf(s.tag()) != VR.SQ);
    }

    /** Short-length VRs cannot hold more than 65534 bytes in explicit VR; such values go out as UN. */
    private static VR writtenVr(VR vr, long length) {
        return !vr.hasLongLength() && length > 0xFFFF ? VR.UN : vr;
    }

    /** Copies a value left in its file; refuses when the file is no longer the one that was read. */
    private static void copyBulk(BulkDataElement b, Out o) throws IOException {
        try (FileChannel in = FileChannel.open(b.file(), StandardOpenOption.READ)) {
            b.checkUnchanged();
            if (b.length() >= 0) {
                o.transfer(in, b.offset(), b.length());
                return;
            }
            // encapsulated: copy items up to and including the sequence delimiter
            ByteBuffer h = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            long pos = b.offset();
            long size = in.size();
            while (true) {
                h.clear();
                while (h.hasRemaining()) {
                    if (in.read(h, pos + h.position()) < 0) {
                        throw new DicomException("bulk data file " + b.file() + " ended early; it changed since it was read");
                    }
                }
                int tag = (Short.toUnsignedInt(h.getShort(0)) << 16) | Short.toUnsignedInt(h.getShort(2));
                long len = h.getInt(4) & UNDEFINED;
                o.tag(tag);
                o.i32((int) len);
                pos += 8;
                if (tag == Tag.SequenceDelimitationItem) {
                    return;
                }
                if (tag != Tag.Item || len == UNDEFINED || pos + len > size) {
                    throw new DicomException("bulk data file " + b.file() + " no longer holds the fragments read from it "
                            + "at offset " + b.offset() + "; it changed since it was read");
                }
                o.transfer(in, pos, len);
                pos += len;
            }
        }
    }

    /** Encoded size of an element including its header. */
    static long elementSize(Element e, boolean explicit) {
        if (Tag.isGroupLength(e.tag()) && Tag.group(e.tag()) != 0x0002) {
            return 0;
        }
        long value;
        if (e instanceof ValueElement v) {
            value = v.length();
        } else if (e instanceof SequenceElement s) {
            value = valueLength(s, explicit) + (undefinedOnWrite(s, explicit) ? 8 : 0);
        } else if (e instanceof FragmentsElement f) {
            value = 8;
            for (byte[] b : f.items()) {
                value += 8 + b.length;
            }
        } else {
            BulkDataElement b = (BulkDataElement) e;
            if (b.length() < 0) {
                throw new IllegalStateException("encapsulated bulk data inside a defined-length sequence");
            }
            value = b.length();
        }
        boolean longHeader = explicit && writtenVr(e.vr(), value).hasLongLength();
        return (longHeader ? 12 : 8) + value;
    }

    private static long valueLength(SequenceElement s, boolean explicit) {
        long n = 0;
        for (DataSet item : s.items()) {
            n += 8 + itemLength(item, explicit) + (item.undefinedLengthItem() ? 8 : 0);
        }
        return n;
    }

    private static long itemLength(DataSet item, boolean explicit) {
        long n = 0;
        for (Element e : item.elements()) {
            if (Tag.group(e.tag()) != 0x0002) { // never written inside a data set, see writeItemBody
                n += elementSize(e, explicit);
            }
        }
        return n;
    }

    /**
     * Little-endian output with a small buffer, to a stream or a file channel. Large values go
     * out in one write from their own array; file-to-file copies use the kernel when both ends
     * are files.
     */
    private static final class Out {
        private final OutputStream out; // exactly one of out and ch
        private final FileChannel ch;
        private final byte[] buf = new byte[8192];
        private int n;

        Out(OutputStream out) {
            this.out = out;
            this.ch = null;
        }

        Out(FileChannel ch) {
            this.out = null;
            this.ch = ch;
        }

        void preamble() throws IOException {
            if (buf.length - n < 132) {
                flush();
            }
            Arrays.fill(buf, n, n + 128, (byte) 0);
            n += 128;
            buf[n++] = 'D';
            buf[n++] = 'I';
            buf[n++] = 'C';
            buf[n++] = 'M';
        }

        private void drain(byte[] b, int off, int len) throws IOException {
            if (ch == null) {
                out.write(b, off, len);
                return;
            }
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
        }

        /** Copies {@code len} bytes at {@code pos} of {@code src}; the kernel copies them when writing to a file. */
        void transfer(FileChannel src, long pos, long len) throws IOException {
            flush();
            if (pos + len > src.size()) {
                throw new DicomException("bulk data file ended early; it changed since it was read");
            }
            if (ch != null) {
                while (len > 0) {
                    long k = src.transferTo(pos, len, ch);
                    if (k <= 0) {
                        throw new DicomException("bulk data file ended early; it changed since it was read");
                    }
                    pos += k;
                    len -= k;
                }
                return;
            }
            ByteBuffer bb = ByteBuffer.wrap(buf);
            while (len > 0) {
                bb.clear().limit((int) Math.min(buf.length, len));
                int r = src.read(bb, pos);
                if (r < 0) {
                    throw new DicomException("bulk data file ended early; it changed since it was read");
                }
                out.write(buf, 0, r);
                pos += r;
                len -= r;
            }
        }

        /** This output as a stream (for deflating); closing it closes nothing. */
        OutputStream asStream() {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

                @Override
                public void write(byte[] b, int off, int len) throws IOException { Out.this.write(b, off, len); }

                @Override
                public void flush() throws IOException { Out.this.flush(); }
            };
        }

        void tag(int tag) throws IOException {
            u16(tag >>> 16);
            u16(tag & 0xFFFF);
        }

        void header(int tag, VR vr, long len, boolean explicit) throws IOException {
            tag(tag);
            if (!explicit) {
                i32((int) len);
            } else if (vr.hasLongLength()) {
                u16(vr.name().charAt(0) | (vr.name().charAt(1) << 8));
                u16(0);
                i32((int) len);
            } else {
                u16(vr.name().charAt(0) | (vr.name().charAt(1) << 8));
                u16((int) len);
            }
        }

        void u16(int v) throws IOException {
            if (n + 2 > buf.length) {
                flush();
            }
            buf[n++] = (byte) v;
            buf[n++] = (byte) (v >>> 8);
        }

        void i32(int v) throws IOException {
            u16(v & 0xFFFF);
            u16(v >>> 16);
        }

        void write(byte[] b, int off, int len) throws IOException {
            if (len > buf.length - n) {
                flush();
                drain(b, off, len);
            } else {
                System.arraycopy(b, off, buf, n, len);
                n += len;
            }
        }

        void flush() throws IOException {
            if (n > 0) {
                drain(buf, 0, n);
                n = 0;
            }
        }
    }
}
