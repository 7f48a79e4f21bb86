package org.medveil.dicom.pixel;

import org.medveil.dicom.DicomException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Sequential DCT JPEG with Huffman coding (ITU-T T.81 processes 1, 2 and 4; DICOM JPEG Baseline
 * 1.2.840.10008.1.2.4.50 and Extended 1.2.840.10008.1.2.4.51): 8- and 12-bit samples, 1 to 4
 * components, any integral sampling factors, restart intervals, interleaved and non-interleaved
 * scans. Progressive, lossless, hierarchical and arithmetic-coded streams, and DNL, are refused.
 *
 * <p>The output is what dcmdjpeg writes with its defaults: libjpeg's "islow" IDCT ({@link JpegIdct}),
 * its "fancy" (triangle) upsampling for 2:1 chroma and replication otherwise, and, when asked
 * (the data set says YBR_FULL*), its fixed-point YCbCr to RGB conversion. Samples are written
 * interleaved per pixel, little endian, {@code bytesPerSample} bytes each.
 *
 * <p>Nothing in the stream is trusted: every segment length, table index, Huffman code,
 * coefficient position and restart marker is checked; corrupt or truncated data is a
 * {@link DicomException} naming the byte offset. The work is bounded by the frame size, which must
 * match the data set's before anything is allocated.
 */
public final class JpegDctDecoder {
    private JpegDctDecoder() {}

    /** A decoded frame: samples interleaved per pixel, {@code bytesPerSample} little-endian bytes each. */
    public record Image(int width, int height, int components, int precision, byte[] samples) {}

    /** Natural (row-major) position of the k-th coefficient in zig-zag order (T.81 figure A.6). */
    private static final int[] ZIGZAG = new int[64];

    static {
        int k = 0;
        for (int s = 0; s < 15; s++) { // anti-diagonals, alternating direction
            for (int i = 0; i <= s; i++) {
                int row = (s & 1) == 0 ? s - i : i;
                int col = s - row;
                if (row < 8 && col < 8) {
                    ZIGZAG[k++] = row * 8 + col;
                }
            }
        }
    }

    /**
     * The sample precision of a sequential DCT Huffman frame (SOF0 or SOF1), or -1 when the stream
     * has another or no frame header before its first scan. Lets callers pick this decoder for
     * 12-bit data without decoding.
     */
    public static int sequentialPrecision(byte[] data) {
        int p = 2;
        if (data.length < 4 || (data[0] & 0xFF) != 0xFF || (data[1] & 0xFF) != 0xD8) {
            return -1;
        }
        while (p + 3 < data.length && (data[p] & 0xFF) == 0xFF) {
            int m = data[p + 1] & 0xFF;
            if (m == 0xFF) {
                p++;
                continue;
            }
            if (m == 0xC0 || m == 0xC1) {
                return p + 4 < data.length ? data[p + 4] & 0xFF : -1;
            }
            if (m >= 0xC2 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC || m == 0xDA || m == 0xD9) {
                return -1;
            }
            p += 2 + (((data[p + 2] & 0xFF) << 8) | (data[p + 3] & 0xFF));
        }
        return -1;
    }

    /**
     * Decodes one frame for {@link PixelDecoder}: the stream must describe the data set's image
     * (size, samples per pixel) and fit its Bits Allocated.
     */
    static byte[] decodeFrame(byte[] frame, PixelDescription d, boolean ycbcrToRgb) throws DicomException {
        return decode(frame, d.columns(), d.rows(), d.samplesPerPixel(), ycbcrToRgb, d.bytesPerSample()).samples();
    }

    /**
     * Decodes one JPEG frame. {@code width}, {@code height} and {@code components} are what the
     * caller expects (the data set's Columns, Rows and Samples per Pixel); a frame header that says
     * otherwise is refused before any pixel memory is allocated.
     *
     * @param ycbcrToRgb convert three components from YCbCr to RGB as libjpeg does
     * @param bytesPerSample bytes per output sample (Bits Allocated / 8); 12-bit data needs 2
     */
    public static Image decode(byte[] data, int width, int height, int components, boolean ycbcrToRgb,
                               int bytesPerSample) throws DicomException {
        return new Decoder(data, width, height, components, bytesPerSample).run(ycbcrToRgb);
    }

    /** One frame component (T.81 B.2.2) and its decoded sample plane. */
    private static final class Component {
        int id;
        int h;
        int v;
        int tq;
        /** Samples per line / lines of the component itself (T.81 A.1.1). */
        int width;
        int height;
        /** Plane size in blocks, covering both interleaved (MCU-padded) and non-interleaved layouts. */
        int blocksWide;
        int blocksHigh;
        short[] plane;
        int stride;
        boolean coded;
        int pred;
        Huffman dc;
        Huffman ac;
    }

    /** A Huffman table (T.81 Annex C) with a 9-bit look-ahead for the common short codes. */
    private static final class Huffman {
        static final int LOOK = 9;
        /** (code length << 8) | symbol for codes of at most LOOK bits, indexed by the next LOOK bits; 0 if longer. */
        final int[] look = new int[1 << LOOK];
        final int[] maxCode = new int[17];
        final int[] minCode = new int[17];
        final int[] valPtr = new int[17];
        final int[] values;
        static final int HAS_VALUE = 0x1000;
        /**
         * Code and value bits together, when both fit in the look-ahead: (value << 16) | HAS_VALUE
         * if the size is not 0 | (run << 8) | total bits, indexed like {@link #look}; 0 where not
         * (long code, or size 0 with a run: ZRL). For AC, the entry without HAS_VALUE is EOB.
         */
        final int[] fast = new int[1 << LOOK];

        Huffman(int[] counts, int[] values, int offset) throws DicomException {
            this.values = values;
            int code = 0;
            int k = 0;
            for (int len = 1; len <= 16; len++) {
                valPtr[len] = k;
                minCode[len] = code;
                for (int i = 0; i < counts[len]; i++, k++, code++) {
                    if (code >= (1 << len) - 1) { // all-ones codes are reserved (libjpeg refuses them too)
                        throw corrupt("a Huffman table has more codes of length " + len + " than fit", offset);
                    }
                    if (len <= LOOK) {
                        int first = code << (LOOK - len);
                        Arrays.fill(look, first, first + (1 << (LOOK - len)), (len << 8) | values[k]);
                    }
                }
                maxCode[len] = counts[len] == 0 ? -1 : code - 1;
                code <<= 1;
            }
            for (int peek = 0; peek < look.length; peek++) {
                int e = look[peek];
                int len = e >> 8;
                int size = e & 0x0F;
                if (e == 0 || len + size > LOOK || size == 0 && (e & 0xF0) != 0) {
                    continue; // also leaves out ZRL (run 15, size 0); EOB is excluded by the AC loop
                }
                int v = (peek >> (LOOK - len - size)) & ((1 << size) - 1);
                if (size > 0 && v < (1 << (size - 1))) {
                    v += 1 - (1 << size);
                }
                fast[peek] = (v << 16) | (size > 0 ? HAS_VALUE : 0) | ((e & 0xF0) << 4) | (len + size);
            }
        }
    }

    private static DicomException corrupt(String what, int offset) {
        return new DicomException("corrupt JPEG data: " + what + " (byte offset " + offset + " of the frame); "
                + "the compressed frame is damaged or truncated, decompress it with the sender's tools or resend it");
    }

    private static final VarHandle LE16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private static final class Decoder {
        private final byte[] d;
        private final int expectWidth;
        private final int expectHeight;
        private final int expectComponents;
        private final int bytesPerSample;

        private final int[][] quant = new int[4][];
        private final Huffman[] dcTables = new Huffman[4];
        private final Huffman[] acTables = new Huffman[4];
        private int restartInterval;

        private int precision;
        private int width;
        private int height;
        private Component[] comps;
        private int hMax;
        private int vMax;
        private int mcusWide;
        private int mcusHigh;
        private JpegIdct idct;

        // entropy-coded segment reader
        private int pos;
        private long buf;
        private int bits;
        private int padBits;
        private int markerAt;
        private final int[] coef = new int[64];

        Decoder(byte[] data, int width, int height, int components, int bytesPerSample) {
            this.d = data;
            this.expectWidth = width;
            this.expectHeight = height;
            this.expectComponents = components;
            this.bytesPerSample = bytesPerSample;
        }

        Image run(boolean ycbcrToRgb) throws DicomException {
            if (d.length < 2 || (d[0] & 0xFF) != 0xFF || (d[1] & 0xFF) != 0xD8) {
                throw corrupt("the frame does not start with a JPEG start-of-image marker (FFD8)", 0);
            }
            int p = 2;
            while (true) {
                if (p >= d.length) {
                    if (comps != null && allCoded()) {
                        break; // complete image without EOI: libjpeg accepts it too
                    }
                    throw corrupt("the data ends before the image is complete", p);
                }
                if ((d[p] & 0xFF) != 0xFF) {
                    throw corrupt("expected a marker, found 0x" + Integer.toHexString(d[p] & 0xFF), p);
                }
                while (p + 1 < d.length && (d[p + 1] & 0xFF) == 0xFF) {
                    p++; // fill bytes before a marker
                }
                if (p + 1 >= d.length) {
                    throw corrupt("the data ends inside a marker", p);
                }
                int m = d[p + 1] & 0xFF;
                if (m == 0xD9) {
                    break;
                }
                if (m == 0x01 || m == 0xD8 || m >= 0xD0 && m <= 0xD7) {
                    throw corrupt("unexpected marker FF" + hex(m) + " outside entropy-coded data", p);
                }
                if (m == 0x00) {
                    throw corrupt("invalid marker FF00", p);
                }
                int len = segmentLength(p);
                int body = p + 4;
                int next = p + 2 + len;
                switch (m) {
                    case 0xC0, 0xC1 -> readFrameHeader(body, len - 2, p);
                    case 0xC2, 0xC6, 0xCA, 0xCE -> throw new DicomException("progressive JPEG (T.81 process 10/12, marker FF"
                            + hex(m) + ") is not supported; decompress the file with dcmdjpeg first");
                    case 0xC3, 0xC7, 0xCB, 0xCF -> throw new DicomException("lossless JPEG (marker FF" + hex(m)
                            + ") inside a DCT transfer syntax is not supported; the file's transfer syntax is wrong");
                    case 0xC5 -> throw new DicomException("hierarchical JPEG (marker FFC5) is not supported");
                    case 0xC9, 0xCC -> throw new DicomException("arithmetic-coded JPEG (marker FF" + hex(m)
                            + ") is not supported; decompress the file with dcmdjpeg first");
                    case 0xC4 -> readHuffmanTables(body, len - 2);
                    case 0xDB -> readQuantTables(body, len - 2);
                    case 0xDD -> {
                        if (len != 4) {
                            throw corrupt("restart interval segment has length " + len + ", not 4", p);
                        }
                        restartInterval = u16(body);
                    }
                    case 0xDC -> throw new DicomException("JPEG with a DNL marker (height defined after the first scan) is "
                            + "not supported");
                    case 0xDA -> {
                        next = readScan(body, len - 2, p);
                    }
                    default -> {
                        if (m == 0xDE || m == 0xDF || m >= 0xC8 && m <= 0xCF) {
                            throw new DicomException("JPEG marker FF" + hex(m) + " (hierarchical or extension) is not supported");
                        }
                        // APPn, COM and other informational segments: skipped
                    }
                }
                p = next;
            }
            if (comps == null) {
                throw corrupt("no frame header (SOF) before the end of the image", p);
            }
            if (!allCoded()) {
                throw corrupt("the image ends before every component was coded in a scan", p);
            }
            return new Image(width, height, comps.length, precision, assemble(ycbcrToRgb));
        }

        private boolean allCoded() {
            for (Component c : comps) {
                if (!c.coded) {
                    return false;
                }
            }
            return true;
        }

        private static String hex(int m) {
            return String.format("%02X", m);
        }

        private int u16(int at) {
            return ((d[at] & 0xFF) << 8) | (d[at + 1] & 0xFF);
        }

        private int segmentLength(int marker) throws DicomException {
            if (marker + 4 > d.length) {
                throw corrupt("the data ends inside the length of segment FF" + hex(d[marker + 1] & 0xFF), marker);
            }
            int len = u16(marker + 2);
            if (len < 2 || marker + 2 + len > d.length) {
                throw corrupt("segment FF" + hex(d[marker + 1] & 0xFF) + " has length " + len + " but "
                        + (d.length - marker - 2) + " bytes remain", marker);
            }
            return len;
        }

        private void readFrameHeader(int at, int len, int marker) throws DicomException {
            if (comps != null) {
                throw corrupt("a second frame header", marker);
            }
            if (len < 6) {
                throw corrupt("frame header too short", marker);
            }
            precision = d[at] & 0xFF;
            height = u16(at + 1);
            width = u16(at + 3);
            int n = d[at + 5] & 0xFF;
            if (precision != 8 && precision != 12) {
                throw new DicomException("JPEG sample precision " + precision + " is not valid for a DCT process (8 or 12)");
            }
            if (height == 0) {
                throw new DicomException("JPEG with a DNL marker (height 0 in the frame header) is not supported");
            }
            if (n < 1 || n > 4 || len != 6 + 3 * n) {
                throw corrupt("frame header declares " + n + " components in " + len + " bytes", marker);
            }
            if (width != expectWidth || height != expectHeight || n != expectComponents) {
                throw new DicomException("JPEG frame header says " + width + "x" + height + " with " + n
                        + " component(s) but the data set says " + expectWidth + "x" + expectHeight + " with "
                        + expectComponents + "; the header and pixel data disagree");
            }
            if (precision > 8 * bytesPerSample) {
                throw new DicomException(precision + "-bit JPEG samples do not fit Bits Allocated " + (8 * bytesPerSample));
            }
            comps = new Component[n];
            for (int i = 0; i < n; i++) {
                Component c = new Component();
                int o = at + 6 + 3 * i;
                c.id = d[o] & 0xFF;
                c.h = (d[o + 1] & 0xFF) >> 4;
                c.v = d[o + 1] & 0x0F;
                c.tq = d[o + 2] & 0xFF;
                if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3) {
                    throw corrupt("component " + c.id + " has sampling " + c.h + "x" + c.v + " and table " + c.tq, o);
                }
                for (int j = 0; j < i; j++) {
                    if (comps[j].id == c.id) {
                        throw corrupt("two components with identifier " + c.id, o);
                    }
                }
                comps[i] = c;
                hMax = Math.max(hMax, c.h);
                vMax = Math.max(vMax, c.v);
            }
            mcusWide = ceilDiv(width, 8 * hMax);
            mcusHigh = ceilDiv(height, 8 * vMax);
            long blocks = 0;
            for (Component c : comps) {
                if (hMax % c.h != 0 || vMax % c.v != 0) {
                    throw new DicomException("JPEG sampling factors " + c.h + "x" + c.v + " against " + hMax + "x" + vMax
                            + " are fractional; not supported (libjpeg refuses them too)");
                }
                c.width = ceilDiv(width * c.h, hMax);
                c.height = ceilDiv(height * c.v, vMax);
                c.blocksWide = comps.length == 1 ? ceilDiv(c.width, 8) : mcusWide * c.h;
                c.blocksHigh = comps.length == 1 ? ceilDiv(c.height, 8) : mcusHigh * c.v;
                blocks += (long) ceilDiv(c.width, 8) * ceilDiv(c.height, 8);
            }
            // Every coded block takes at least 2 bits (a DC code and an end-of-block code), so a frame
            // claiming more blocks than its bytes can carry is truncated: refuse before allocating.
            if (blocks > 4L * d.length) {
                throw corrupt("the frame needs " + blocks + " blocks but holds only " + d.length + " bytes", marker);
            }
            long samples = (long) width * height * n * bytesPerSample;
            if (samples > Integer.MAX_VALUE - 8) {
                throw new DicomException("JPEG frame of " + width + "x" + height + "x" + n + " is too large to decode in memory");
            }
            for (Component c : comps) {
                c.stride = c.blocksWide * 8;
                c.plane = new short[c.stride * c.blocksHigh * 8];
            }
            idct = new JpegIdct(precision);
        }

        private static int ceilDiv(int a, int b) {
            return (a + b - 1) / b;
        }

        private void readQuantTables(int at, int len) throws DicomException {
            int end = at + len;
            while (at < end) {
                int pq = (d[at] & 0xFF) >> 4;
                int tq = d[at] & 0x0F;
                int size = pq == 0 ? 64 : 128;
                if (pq > 1 || tq > 3 || at + 1 + size > end) {
                    throw corrupt("quantization table with precision " + pq + ", id " + tq + " does not fit its segment", at);
                }
                int[] t = new int[64];
                for (int k = 0; k < 64; k++) {
                    t[ZIGZAG[k]] = pq == 0 ? d[at + 1 + k] & 0xFF : u16(at + 1 + 2 * k);
                }
                quant[tq] = t;
                at += 1 + size;
            }
        }

        private void readHuffmanTables(int at, int len) throws DicomException {
            int end = at + len;
            while (at < end) {
                if (at + 17 > end) {
                    throw corrupt("Huffman table header does not fit its segment", at);
                }
                int tc = (d[at] & 0xFF) >> 4;
                int th = d[at] & 0x0F;
                if (tc > 1 || th > 3) {
                    throw corrupt("Huffman table class " + tc + " id " + th, at);
                }
                int[] counts = new int[17];
                int total = 0;
                for (int i = 1; i <= 16; i++) {
                    counts[i] = d[at + i] & 0xFF;
                    total += counts[i];
                }
                if (total > 256 || at + 17 + total > end) {
                    throw corrupt("Huffman table with " + total + " codes does not fit its segment", at);
                }
                int[] values = new int[total];
                for (int i = 0; i < total; i++) {
                    values[i] = d[at + 17 + i] & 0xFF;
                }
                Huffman t = new Huffman(counts, values, at);
                (tc == 0 ? dcTables : acTables)[th] = t;
                at += 17 + total;
            }
        }

        /** Reads a scan header and decodes its entropy-coded data; returns the offset of the marker after it. */
        private int readScan(int at, int len, int marker) throws DicomException {
            if (comps == null) {
                throw corrupt("a scan before the frame header", marker);
            }
            int n = len >= 1 ? d[at] & 0xFF : 0;
            if (n < 1 || n > 4 || len != 4 + 2 * n) {
                throw corrupt("scan header declares " + n + " components in " + len + " bytes", marker);
            }
            Component[] sc = new Component[n];
            int blocksPerMcu = 0;
            for (int i = 0; i < n; i++) {
                int o = at + 1 + 2 * i;
                int id = d[o] & 0xFF;
                Component c = null;
                for (Component f : comps) {
                    if (f.id == id) {
                        c = f;
                    }
                }
                if (c == null) {
                    throw corrupt("scan refers to component " + id + ", which the frame does not have", o);
                }
                if (c.coded) {
                    throw corrupt("component " + id + " is coded in more than one scan", o);
                }
                for (int j = 0; j < i; j++) {
                    if (sc[j] == c) {
                        throw corrupt("component " + id + " appears twice in a scan", o);
                    }
                }
                int td = (d[o + 1] & 0xFF) >> 4;
                int ta = d[o + 1] & 0x0F;
                if (td > 3 || ta > 3 || dcTables[td] == null || acTables[ta] == null) {
                    throw corrupt("component " + id + " uses Huffman tables DC " + td + " / AC " + ta
                            + ", which are not defined", o);
                }
                if (quant[c.tq] == null) {
                    throw corrupt("component " + id + " uses quantization table " + c.tq + ", which is not defined", o);
                }
                c.dc = dcTables[td];
                c.ac = acTables[ta];
                c.pred = 0;
                sc[i] = c;
                blocksPerMcu += c.h * c.v;
            }
            // Ss, Se, Ah, Al must be 0, 63, 0, 0 in a sequential scan, but some encoders write other
            // values (pydicom's JPEG-lossy.dcm has Se = 0); like libjpeg, decode the scan as sequential.
            if (n > 1 && blocksPerMcu > 10) {
                throw corrupt("an interleaved MCU of " + blocksPerMcu + " blocks (at most 10 allowed)", marker);
            }
            pos = at + len;
            buf = 0;
            bits = 0;
            padBits = 0;
            markerAt = -1;
            int restarts = 0;
            int mcu = 0;
            if (n == 1) {
                Component c = sc[0];
                int bw = ceilDiv(c.width, 8);
                int bh = ceilDiv(c.height, 8);
                int[] q = quant[c.tq];
                for (int by = 0; by < bh; by++) {
                    for (int bx = 0; bx < bw; bx++, mcu++) {
                        if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0) {
                            restart(restarts++ & 7, sc);
                        }
                        decodeBlock(c, q, (by * 8) * c.stride + bx * 8);
                        checkOverrun();
                    }
                }
            } else {
                for (int my = 0; my < mcusHigh; my++) {
                    for (int mx = 0; mx < mcusWide; mx++, mcu++) {
                        if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0) {
                            restart(restarts++ & 7, sc);
                        }
                        for (Component c : sc) {
                            int[] q = quant[c.tq];
                            for (int v = 0; v < c.v; v++) {
                                int row = ((my * c.v + v) * 8) * c.stride;
                                for (int h = 0; h < c.h; h++) {
                                    decodeBlock(c, q, row + (mx * c.h + h) * 8);
                                }
                            }
                        }
                        checkOverrun();
                    }
                }
            }
            for (Component c : sc) {
                c.coded = true;
            }
            return endOfSegment("after the last block of the scan");
        }

        /** Offset of the marker that must follow the entropy-coded data just decoded. */
        private int endOfSegment(String where) throws DicomException {
            int unread = bits - padBits;
            int m = markerAt >= 0 ? markerAt : pos;
            boolean moreData = markerAt < 0 && m < d.length
                    && ((d[m] & 0xFF) != 0xFF || m + 1 < d.length && d[m + 1] == 0);
            if (unread >= 8 || moreData) {
                throw corrupt("unused entropy-coded data " + where, m);
            }
            return m;
        }

        private void restart(int expected, Component[] sc) throws DicomException {
            int m = endOfSegment("before a restart marker");
            while (m + 1 < d.length && (d[m] & 0xFF) == 0xFF && (d[m + 1] & 0xFF) == 0xFF) {
                m++;
            }
            if (m + 1 >= d.length || (d[m] & 0xFF) != 0xFF || (d[m + 1] & 0xFF) != 0xD0 + expected) {
                throw corrupt("expected restart marker RST" + expected, m);
            }
            pos = m + 2;
            buf = 0;
            bits = 0;
            padBits = 0;
            markerAt = -1;
            for (Component c : sc) {
                c.pred = 0;
            }
        }

        /** An error in entropy-coded data; reading past its end is reported as such (the likely cause). */
        private DicomException entropyError(String what) {
            if (bits < padBits) {
                return corrupt("the entropy-coded data ends early", markerAt >= 0 ? markerAt : pos);
            }
            return corrupt(what, Math.max(0, pos - (bits - padBits + 7) / 8));
        }

        /** Refuses data that ran out: decoding went on into the zero bits appended after a marker or the end. */
        private void checkOverrun() throws DicomException {
            if (bits < padBits) {
                throw corrupt("the entropy-coded data ends early", markerAt >= 0 ? markerAt : pos);
            }
        }

        /** Loads bytes until more than 56 bits are buffered; past a marker or the end, zero bits are counted as padding. */
        private void fill() {
            while (bits <= 56) {
                int b = 0;
                if (markerAt < 0 && pos < d.length) {
                    b = d[pos] & 0xFF;
                    if (b != 0xFF) {
                        pos++;
                    } else if (pos + 1 < d.length && d[pos + 1] == 0) {
                        pos += 2; // stuffed zero byte
                    } else {
                        markerAt = pos;
                        b = 0;
                        padBits += 8;
                    }
                } else {
                    if (markerAt < 0) {
                        markerAt = d.length;
                    }
                    padBits += 8;
                }
                buf = (buf << 8) | b;
                bits += 8;
            }
        }

        private int decodeSymbol(Huffman t) throws DicomException {
            int e = t.look[(int) (buf >>> (bits - Huffman.LOOK)) & ((1 << Huffman.LOOK) - 1)];
            if (e != 0) {
                bits -= e >> 8;
                return e & 0xFF;
            }
            int code = (int) (buf >>> (bits - 16)) & 0xFFFF;
            for (int len = Huffman.LOOK + 1; len <= 16; len++) {
                int c = code >>> (16 - len);
                if (c <= t.maxCode[len]) {
                    bits -= len;
                    return t.values[t.valPtr[len] + c - t.minCode[len]];
                }
            }
            throw entropyError("invalid Huffman code");
        }

        /** The next {@code s} bits as a signed coefficient value (T.81 F.2.2.1 RECEIVE and EXTEND). */
        private int receiveExtend(int s) {
            if (s == 0) {
                return 0;
            }
            int v = (int) (buf >>> (bits - s)) & ((1 << s) - 1);
            bits -= s;
            return v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
        }

        private void decodeBlock(Component c, int[] q, int off) throws DicomException {
            if (bits < 32) {
                fill();
            }
            int peek = (int) (buf >>> (bits - Huffman.LOOK)) & ((1 << Huffman.LOOK) - 1);
            int f = c.dc.fast[peek];
            if (f != 0) {
                bits -= f & 0xFF;
                c.pred += f >> 16;
            } else {
                int s = decodeSymbol(c.dc);
                if (s > 15) {
                    throw entropyError("DC difference category " + s);
                }
                c.pred += receiveExtend(s);
            }
            int[] z = coef;
            z[0] = (short) c.pred; // libjpeg keeps coefficients as 16-bit values
            boolean acs = false;
            int[] fastAc = c.ac.fast;
            for (int k = 1; k < 64; ) {
                if (bits < 32) {
                    fill();
                }
                peek = (int) (buf >>> (bits - Huffman.LOOK)) & ((1 << Huffman.LOOK) - 1);
                f = fastAc[peek];
                if ((f & Huffman.HAS_VALUE) != 0) { // run and coefficient in one look-up
                    bits -= f & 0xFF;
                    k += (f >> 8) & 0x0F;
                    if (k > 63) {
                        throw entropyError("a coefficient past position 63");
                    }
                    z[ZIGZAG[k++]] = f >> 16;
                    acs = true;
                    continue;
                }
                if (f != 0) { // end of block
                    bits -= f & 0xFF;
                    break;
                }
                int rs = decodeSymbol(c.ac);
                int r = rs >> 4;
                int s = rs & 15;
                if (s == 0) {
                    if (r != 15) {
                        break; // end of block
                    }
                    k += 16;
                    if (k > 64) {
                        throw entropyError("a zero run past coefficient 63");
                    }
                    continue;
                }
                k += r;
                if (k > 63) {
                    throw entropyError("a coefficient past position 63");
                }
                z[ZIGZAG[k]] = receiveExtend(s);
                acs = true;
                k++;
            }
            if (acs) {
                idct.transform(z, q, c.plane, off, c.stride);
                Arrays.fill(z, 0);
            } else {
                short v = idct.dcOnly(z[0] * q[0]);
                short[] p = c.plane;
                for (int r = 0, o = off; r < 8; r++, o += c.stride) {
                    Arrays.fill(p, o, o + 8, v);
                }
                z[0] = 0;
            }
        }

        /** Upsamples each component to the image size, converts colour if asked, and interleaves. */
        private byte[] assemble(boolean ycbcrToRgb) {
            int n = comps.length;
            int rowLen = mcusWide * 8 * hMax + 16;
            // row y of component k is src[k][off[k] .. off[k] + width): the plane itself when the
            // component is at full resolution, else an upsampled copy in rowBuf[k]
            short[][] rowBuf = new short[n][rowLen];
            short[][] src = new short[n][];
            int[] off = new int[n];
            byte[] out = new byte[width * height * n * bytesPerSample];
            boolean convert = ycbcrToRgb && n == 3;
            ColourTables ct = convert ? ColourTables.of(precision) : null;
            int i = 0;
            for (int y = 0; y < height; y++) {
                for (int k = 0; k < n; k++) {
                    Component c = comps[k];
                    if (c.h == hMax && c.v == vMax) {
                        src[k] = c.plane;
                        off[k] = y * c.stride;
                    } else {
                        upsampleRow(c, y, rowBuf[k]);
                        src[k] = rowBuf[k];
                        off[k] = 0;
                    }
                }
                if (n == 1) {
                    short[] s0 = src[0];
                    int o0 = off[0];
                    if (bytesPerSample == 1) {
                        for (int x = 0; x < width; x++) {
                            out[i++] = (byte) s0[o0 + x];
                        }
                    } else {
                        for (int x = 0; x < width; x++, i += bytesPerSample) {
                            LE16.set(out, i, s0[o0 + x]);
                        }
                    }
                } else if (convert) {
                    short[] s0 = src[0];
                    short[] s1 = src[1];
                    short[] s2 = src[2];
                    int o0 = off[0];
                    int o1 = off[1];
                    int o2 = off[2];
                    for (int x = 0; x < width; x++) {
                        int yy = s0[o0 + x];
                        int cb = s1[o1 + x];
                        int cr = s2[o2 + x];
                        i = put(out, i, ct.clamp(yy + ct.crR[cr]));
                        i = put(out, i, ct.clamp(yy + ((ct.cbG[cb] + ct.crG[cr]) >> 16)));
                        i = put(out, i, ct.clamp(yy + ct.cbB[cb]));
                    }
                } else {
                    for (int x = 0; x < width; x++) {
                        for (int k = 0; k < n; k++) {
                            i = put(out, i, src[k][off[k] + x]);
                        }
                    }
                }
            }
            return out;
        }

        private int put(byte[] out, int i, int v) {
            if (bytesPerSample == 1) {
                out[i] = (byte) v;
            } else {
                LE16.set(out, i, (short) v);
            }
            return i + bytesPerSample;
        }

        /**
         * Output row {@code y} of a component at full resolution, as libjpeg's upsampler gives it:
         * triangle ("fancy") filter for 2:1 horizontal and 2:1 both ways when the component is more
         * than 2 samples wide, replication for every other integral ratio; edges repeat the last
         * real row / column.
         */
        private void upsampleRow(Component c, int y, short[] dst) {
            int hx = hMax / c.h;
            int vx = vMax / c.v;
            short[] p = c.plane;
            if (hx == 2 && vx == 1 && c.width > 2) {
                int o = y * c.stride;
                int w = c.width;
                int cur = p[o];
                dst[0] = (short) cur;
                dst[1] = (short) ((cur * 3 + p[o + 1] + 2) >> 2);
                for (int x = 1; x < w - 1; x++) {
                    cur = p[o + x] * 3;
                    dst[2 * x] = (short) ((cur + p[o + x - 1] + 1) >> 2);
                    dst[2 * x + 1] = (short) ((cur + p[o + x + 1] + 2) >> 2);
                }
                cur = p[o + w - 1];
                dst[2 * w - 2] = (short) ((cur * 3 + p[o + w - 2] + 1) >> 2);
                dst[2 * w - 1] = (short) cur;
            } else if (hx == 2 && vx == 2 && c.width > 2) {
                int r = y >> 1;
                int nb = (y & 1) == 0 ? Math.max(r - 1, 0) : Math.min(r + 1, c.height - 1);
                int o = r * c.stride;
                int on = nb * c.stride;
                int w = c.width;
                // column sums: 3/4 of the nearer row plus 1/4 of the other, then the same across columns
                int prev;
                int cur = p[o] * 3 + p[on];
                int next = p[o + 1] * 3 + p[on + 1];
                dst[0] = (short) ((cur * 4 + 8) >> 4);
                dst[1] = (short) ((cur * 3 + next + 7) >> 4);
                for (int x = 1; x < w - 1; x++) {
                    prev = cur;
                    cur = next;
                    next = p[o + x + 1] * 3 + p[on + x + 1];
                    dst[2 * x] = (short) ((cur * 3 + prev + 8) >> 4);
                    dst[2 * x + 1] = (short) ((cur * 3 + next + 7) >> 4);
                }
                prev = cur;
                cur = next;
                dst[2 * w - 2] = (short) ((cur * 3 + prev + 8) >> 4);
                dst[2 * w - 1] = (short) ((cur * 4 + 7) >> 4);
            } else {
                int o = (y / vx) * c.stride;
                for (int x = 0; x < width; x++) {
                    dst[x] = p[o + x / hx];
                }
            }
        }
    }

    /** libjpeg's fixed-point YCbCr to RGB tables (16 fraction bits, T.871 / JFIF equations). */
    private static final class ColourTables {
        private static final ColourTables[] CACHE = new ColourTables[2];
        final int[] crR;
        final int[] cbB;
        final int[] crG;
        final int[] cbG;
        final int max;

        private ColourTables(int precision) {
            int size = 1 << precision;
            int center = size / 2;
            max = size - 1;
            crR = new int[size];
            cbB = new int[size];
            crG = new int[size];
            cbG = new int[size];
            int half = 1 << 15;
            for (int i = 0; i < size; i++) {
                int x = i - center;
                crR[i] = (fix(1.40200) * x + half) >> 16;
                cbB[i] = (fix(1.77200) * x + half) >> 16;
                crG[i] = -fix(0.71414) * x;
                cbG[i] = -fix(0.34414) * x + half;
            }
        }

        private static int fix(double v) {
            return (int) (v * 65536 + 0.5);
        }

        static synchronized ColourTables of(int precision) {
            int k = precision == 8 ? 0 : 1;
            if (CACHE[k] == null) {
                CACHE[k] = new ColourTables(precision);
            }
            return CACHE[k];
        }

        int clamp(int v) {
            return v < 0 ? 0 : Math.min(v, max);
        }
    }
}
