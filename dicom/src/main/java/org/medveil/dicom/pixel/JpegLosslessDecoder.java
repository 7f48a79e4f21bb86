package org.medveil.dicom.pixel;

import org.medveil.dicom.DicomException;

/**
 * Lossless JPEG decoder (ITU-T T.81 Annex H, process 14: SOF3 with Huffman coding): 2 to 16 bits,
 * 1 to 4 components with 1x1 sampling (all DICOM uses), one interleaved scan or one scan per
 * component, predictors 1 to 7, point transform and restart intervals.
 *
 * <p>Ours because TwelveMonkeys' lossless decoder returns wrong pixels with success: it gives up on
 * the last pixel when the entropy data ends within its 9-bit look-ahead of a marker (issue 9: the
 * last pixel's first two samples came out as 0), mis-decodes predictor 6 on RGB and lines after
 * restart markers, and leaves zeros for the rest of an image whose stream was cut short. This decoder
 * fails instead: a scan that needs any bit beyond its data, a reconstructed sample outside the
 * frame's precision, a bad Huffman code, a missing restart marker or component is a
 * {@link DicomException}.
 *
 * <p>Output: samples interleaved per pixel, already shifted left by the point transform.
 */
public final class JpegLosslessDecoder {
    /**
     * Bits a scan may read past its data. None: encoders pad the final byte with 1-bits, so a
     * stream that needs even one bit more was cut short, and its last samples would be guesses
     * (dropping the last byte of a dcmcjpeg stream needed just 2 bits and changed one sample).
     */
    static final int MAX_BITS_PAST_END = 0;

    private JpegLosslessDecoder() {}

    /** Decoded image: size, components, sample precision (bits), point transform, interleaved samples. */
    public record Image(int width, int height, int components, int precision, int pointTransform, int[] samples) {}

    /**
     * Decodes a frame that must be {@code width} x {@code height} x {@code components} (checked
     * before image memory is allocated).
     */
    public static Image decode(byte[] data, int width, int height, int components) throws DicomException {
        try {
            return new Parser(data, width, height, components).run();
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new DicomException("lossless JPEG stream ends early or is corrupt", e);
        }
    }

    /** One Huffman table (T.81 Annex C), decoded with a 9-bit look-up and the canonical-code fallback. */
    private static final class Huffman {
        private static final int LOOKUP_BITS = 9;
        final int[] lookup = new int[1 << LOOKUP_BITS]; // (length << 8) | value, 0 for longer codes
        final int[] maxCode = new int[17];
        final int[] minCode = new int[17];
        final int[] valPtr = new int[17];
        final int[] values;

        Huffman(int[] counts, int[] values) throws DicomException {
            this.values = values;
            int code = 0;
            int k = 0;
            for (int len = 1; len <= 16; len++) {
                valPtr[len] = k;
                minCode[len] = code;
                code += counts[len];
                k += counts[len];
                if (code > (1 << len)) {
                    throw new DicomException("lossless JPEG Huffman table has more codes than fit in " + len + " bits");
                }
                maxCode[len] = counts[len] > 0 ? code - 1 : -1;
                if (len <= LOOKUP_BITS) {
                    for (int c = minCode[len]; c < code; c++) {
                        int v = values[valPtr[len] + c - minCode[len]];
                        int base = c << (LOOKUP_BITS - len);
                        for (int s = 0; s < 1 << (LOOKUP_BITS - len); s++) {
                            lookup[base | s] = (len << 8) | v;
                        }
                    }
                }
                code <<= 1;
            }
        }
    }

    private static final class Parser {
        private final byte[] d;
        private final int expectW;
        private final int expectH;
        private final int expectC;
        private int pos;
        private final Huffman[][] tables = new Huffman[2][4];
        private int restartInterval;
        private int precision;
        private int width;
        private int height;
        private int components;
        private int[] componentIds;
        private boolean[] decoded;
        private int pointTransform = -1;
        private int[] out;

        Parser(byte[] d, int expectW, int expectH, int expectC) {
            this.d = d;
            this.expectW = expectW;
            this.expectH = expectH;
            this.expectC = expectC;
        }

        private int u8() throws DicomException {
            if (pos >= d.length) {
                throw new DicomException("lossless JPEG stream ends inside a marker segment");
            }
            return d[pos++] & 0xFF;
        }

        private int u16() throws DicomException { return (u8() << 8) | u8(); }

        Image run() throws DicomException {
            if (u8() != 0xFF || u8() != 0xD8) {
                throw new DicomException("not a JPEG stream (no SOI marker at the start of the frame)");
            }
            while (true) {
                int m = nextMarker();
                if (m < 0 || m == 0xD9) { // EOI, or the data ends after the last scan
                    return finish();
                }
                switch (m) {
                    case 0xC3 -> frame();
                    case 0xC4 -> huffmanTables();
                    case 0xDD -> {
                        segmentLength(4);
                        restartInterval = u16();
                    }
                    case 0xDA -> scan();
                    case 0xC0, 0xC1, 0xC2, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF ->
                            throw new DicomException(String.format("JPEG frame is SOF%d (marker 0xFF%02X), not lossless "
                                    + "process 14 (SOF3) as the transfer syntax says", m - 0xC0, m));
                    case 0x01, 0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7 -> { } // stand-alone markers
                    default -> { // APPn, COM, DQT, DNL...
                        int len = segmentLength(2);
                        pos += len - 2;
                    }
                }
            }
        }

        private Image finish() throws DicomException {
            if (out == null) {
                throw new DicomException("lossless JPEG stream has no frame header (SOF3)");
            }
            for (int c = 0; c < components; c++) {
                if (!decoded[c]) {
                    throw new DicomException("lossless JPEG stream ends before component " + (c + 1) + " of "
                            + components + " was decoded (missing scan)");
                }
            }
            if (pointTransform > 0) {
                for (int i = 0; i < out.length; i++) {
                    out[i] <<= pointTransform;
                }
            }
            return new Image(width, height, components, precision, Math.max(0, pointTransform), out);
        }

        /** Next marker code, skipping fill bytes; -1 at the end of the data. */
        private int nextMarker() throws DicomException {
            if (pos >= d.length) {
                return -1;
            }
            if (u8() != 0xFF) {
                throw new DicomException("lossless JPEG stream: expected a marker at byte " + (pos - 1));
            }
            int b = u8();
            while (b == 0xFF) {
                b = u8();
            }
            return b;
        }

        private int segmentLength(int min) throws DicomException {
            int len = u16();
            if (len < min || pos + len - 2 > d.length) {
                throw new DicomException("lossless JPEG marker segment length " + len + " is invalid at byte " + (pos - 2));
            }
            return len;
        }

        private void huffmanTables() throws DicomException {
            int len = segmentLength(2);
            int end = pos + len - 2;
            while (pos < end) {
                int tc = u8();
                int cls = tc >> 4;
                int id = tc & 0x0F;
                if (cls > 1 || id > 3) {
                    throw new DicomException("lossless JPEG Huffman table class " + cls + " id " + id + " is invalid");
                }
                int[] counts = new int[17];
                int total = 0;
                for (int i = 1; i <= 16; i++) {
                    counts[i] = u8();
                    total += counts[i];
                }
                if (total > 256 || pos + total > end) {
                    throw new DicomException("lossless JPEG Huffman table has " + total + " codes, more than its segment holds");
                }
                int[] values = new int[total];
                for (int i = 0; i < total; i++) {
                    values[i] = u8();
                }
                tables[cls][id] = new Huffman(counts, values);
            }
            if (pos != end) {
                throw new DicomException("lossless JPEG Huffman table segment length does not match its tables");
            }
        }

        private void frame() throws DicomException {
            if (out != null) {
                throw new DicomException("lossless JPEG stream has two frame headers (hierarchical JPEG is not supported)");
            }
            int len = segmentLength(8);
            precision = u8();
            height = u16();
            width = u16();
            components = u8();
            if (len != 8 + 3 * components) {
                throw new DicomException("lossless JPEG frame header length " + len + " does not match its "
                        + components + " components");
            }
            if (precision < 2 || precision > 16 || width == 0 || components < 1 || components > 4) {
                throw new DicomException("unsupported lossless JPEG frame: " + width + "x" + height + ", "
                        + components + " components, " + precision + " bits");
            }
            if (height == 0) {
                throw new DicomException("lossless JPEG frame defines its height later (DNL marker); not supported");
            }
            if (width != expectW || height != expectH || components != expectC) {
                throw new DicomException("JPEG frame is " + width + "x" + height + "x" + components
                        + " but the data set says " + expectW + "x" + expectH + "x" + expectC);
            }
            componentIds = new int[components];
            for (int i = 0; i < components; i++) {
                componentIds[i] = u8();
                int sampling = u8();
                u8(); // quantisation table: unused in lossless mode
                if (sampling != 0x11) {
                    throw new DicomException("lossless JPEG component " + (i + 1) + " has sampling factors "
                            + (sampling >> 4) + "x" + (sampling & 15) + "; only 1x1 (what DICOM allows) is supported");
                }
            }
            decoded = new boolean[components];
            out = new int[width * height * components];
        }

        private void scan() throws DicomException {
            if (out == null) {
                throw new DicomException("lossless JPEG scan before the frame header");
            }
            int len = segmentLength(6);
            int ns = u8();
            if (ns < 1 || ns > components || len != 6 + 2 * ns) {
                throw new DicomException("malformed lossless JPEG scan header");
            }
            int[] comps = new int[ns];
            Huffman[] tabs = new Huffman[ns];
            for (int i = 0; i < ns; i++) {
                int id = u8();
                int sel = u8() >> 4;
                comps[i] = indexOf(id);
                if (decoded[comps[i]]) {
                    throw new DicomException("lossless JPEG component " + id + " is coded in two scans");
                }
                // lossless uses the DC tables; some encoders file them as AC tables
                tabs[i] = tables[0][sel & 3] != null ? tables[0][sel & 3] : tables[1][sel & 3];
                if (tabs[i] == null) {
                    throw new DicomException("lossless JPEG scan uses Huffman table " + sel + ", which is not defined");
                }
            }
            int predictor = u8();
            u8(); // Se: unused
            int pt = u8() & 0x0F;
            if (predictor < 1 || predictor > 7) {
                throw new DicomException("lossless JPEG predictor " + predictor + " is not supported (1..7)");
            }
            if (pt >= precision || (pointTransform >= 0 && pt != pointTransform)) {
                throw new DicomException("lossless JPEG point transform " + pt + " is invalid for " + precision + "-bit samples");
            }
            pointTransform = pt;
            if (restartInterval > 0 && restartInterval % width != 0) {
                throw new DicomException("lossless JPEG restart interval " + restartInterval
                        + " is not a whole number of lines of " + width + " pixels");
            }
            BitReader in = new BitReader(d, pos);
            new ScanDecoder(this, in, comps, tabs, predictor, pt).decode();
            for (int c : comps) {
                decoded[c] = true;
            }
            pos = in.endOfScan();
        }

        private int indexOf(int id) throws DicomException {
            for (int i = 0; i < components; i++) {
                if (componentIds[i] == id) {
                    return i;
                }
            }
            throw new DicomException("lossless JPEG scan names unknown component " + id);
        }
    }

    /** Decodes one scan's difference values and undoes the prediction (T.81 H.1.2). */
    private static final class ScanDecoder {
        private final Parser f;
        private final BitReader in;
        private final int[] comps;
        private final Huffman[] tabs;
        private final int predictor;
        private final int reducedBits;

        ScanDecoder(Parser f, BitReader in, int[] comps, Huffman[] tabs, int predictor, int pt) {
            this.f = f;
            this.in = in;
            this.comps = comps;
            this.tabs = tabs;
            this.predictor = predictor;
            this.reducedBits = f.precision - pt;
        }

        void decode() throws DicomException {
            int w = f.width;
            int nc = f.components;
            int[] out = f.out;
            int rowsPerInterval = f.restartInterval == 0 ? Integer.MAX_VALUE : f.restartInterval / w;
            int limit = 1 << reducedBits;
            int initial = 1 << (reducedBits - 1);
            int restarts = 0;
            boolean firstLine = true;
            for (int y = 0; y < f.height; y++) {
                if (y > 0 && y % rowsPerInterval == 0) {
                    in.restart(restarts++ & 7);
                    firstLine = true;
                }
                int row = y * w;
                for (int x = 0; x < w; x++) {
                    int i = (row + x) * nc;
                    for (int k = 0; k < comps.length; k++) {
                        int at = i + comps[k];
                        int p;
                        if (firstLine) {
                            p = x == 0 ? initial : out[at - nc];
                        } else if (x == 0) {
                            p = out[at - w * nc];
                        } else {
                            p = predict(out[at - nc], out[at - w * nc], out[at - w * nc - nc]);
                        }
                        int v = (p + difference(tabs[k])) & 0xFFFF;
                        if (v >= limit) {
                            throw new DicomException("lossless JPEG sample at line " + y + ", column " + x
                                    + " decodes to " + v + ", outside the frame's " + reducedBits + "-bit range (corrupt data)");
                        }
                        out[at] = v;
                    }
                }
                firstLine = false;
            }
            if (in.bitsPastEnd() > MAX_BITS_PAST_END) {
                throw new DicomException("lossless JPEG scan data ends " + in.bitsPastEnd()
                        + " bits before its last sample (truncated or corrupt frame)");
            }
        }

        private int predict(int a, int b, int c) {
            return switch (predictor) {
                case 1 -> a;
                case 2 -> b;
                case 3 -> c;
                case 4 -> a + b - c;
                case 5 -> a + ((b - c) >> 1);
                case 6 -> b + ((a - c) >> 1);
                default -> (a + b) >> 1;
            };
        }

        /** One Huffman-coded difference: category SSSS, then SSSS extra bits (T.81 H.1.2.2, F.1.2.1.1). */
        private int difference(Huffman h) throws DicomException {
            int ssss = in.decode(h);
            if (ssss == 0) {
                return 0;
            }
            if (ssss == 16) {
                return 32768;
            }
            if (ssss > 16) {
                throw new DicomException("lossless JPEG difference category " + ssss + " is invalid (corrupt data)");
            }
            int v = in.bits(ssss);
            return v < (1 << (ssss - 1)) ? v - (1 << ssss) + 1 : v;
        }
    }

    /**
     * Entropy-coded data, MSB first, with 0xFF00 unstuffed. At a marker (or the end of the data)
     * zero bits are supplied and counted, so the caller can tell padding from truncation.
     */
    private static final class BitReader {
        private final byte[] d;
        private int pos;
        private long buf;
        private int count;
        private int pad; // zero bits at the tail of buf that are not data
        private long pastEnd;
        private int markerAt = -1;

        BitReader(byte[] d, int pos) {
            this.d = d;
            this.pos = pos;
        }

        private void fill() {
            while (count <= 56) {
                if (markerAt < 0) {
                    int b = nextByte();
                    if (b >= 0) {
                        buf = (buf << 8) | b;
                        count += 8;
                        continue;
                    }
                }
                buf <<= 8;
                count += 8;
                pad += 8;
            }
        }

        /** The next data byte, or -1 (and markerAt set) at a marker or the end of the data. */
        private int nextByte() {
            while (pos < d.length) {
                int b = d[pos] & 0xFF;
                if (b != 0xFF) {
                    pos++;
                    return b;
                }
                if (pos + 1 >= d.length) {
                    break;
                }
                int n = d[pos + 1] & 0xFF;
                if (n == 0x00) {
                    pos += 2;
                    return 0xFF;
                }
                if (n == 0xFF) { // fill byte before a marker
                    pos++;
                    continue;
                }
                markerAt = pos;
                return -1;
            }
            markerAt = d.length;
            return -1;
        }

        private void consume(int n) {
            count -= n;
            if (count < pad) {
                pastEnd += pad - count;
                pad = count;
            }
        }

        int bits(int n) {
            if (count < n) {
                fill();
            }
            int v = (int) (buf >>> (count - n)) & ((1 << n) - 1);
            consume(n);
            return v;
        }

        int decode(Huffman h) throws DicomException {
            if (count < 16) {
                fill();
            }
            int e = h.lookup[(int) (buf >>> (count - Huffman.LOOKUP_BITS)) & ((1 << Huffman.LOOKUP_BITS) - 1)];
            if (e != 0) {
                consume(e >> 8);
                return e & 0xFF;
            }
            for (int len = Huffman.LOOKUP_BITS + 1; len <= 16; len++) {
                int code = (int) (buf >>> (count - len)) & ((1 << len) - 1);
                if (h.maxCode[len] >= 0 && code <= h.maxCode[len]) {
                    consume(len);
                    return h.values[h.valPtr[len] + code - h.minCode[len]];
                }
            }
            throw new DicomException("lossless JPEG data holds an invalid Huffman code (corrupt frame)");
        }

        long bitsPastEnd() { return pastEnd; }

        /** Skips the rest of the interval's last byte and the RSTn marker that must follow. */
        void restart(int expected) throws DicomException {
            if (pastEnd > MAX_BITS_PAST_END) {
                throw new DicomException("lossless JPEG restart interval ends " + pastEnd
                        + " bits before its last sample (corrupt frame)");
            }
            int p = markerPosition();
            if (p + 1 >= d.length || (d[p + 1] & 0xFF) != 0xD0 + expected) {
                throw new DicomException("lossless JPEG restart marker RST" + expected + " is missing (corrupt frame)");
            }
            pos = p + 2;
            markerAt = -1;
            buf = 0;
            count = 0;
            pad = 0;
        }

        /** Position of the marker that ends the scan or interval (extra data before it is skipped). */
        int endOfScan() {
            return markerPosition();
        }

        private int markerPosition() {
            if (markerAt < 0) {
                while (nextByte() >= 0) {
                    // skip data the decoder did not need
                }
            }
            return markerAt;
        }
    }
}
