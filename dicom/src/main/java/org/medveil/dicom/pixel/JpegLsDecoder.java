package org.medveil.dicom.pixel;

import org.medveil.dicom.DicomException;

/**
 * JPEG-LS decoder (ITU-T T.87 / ISO 14495-1): lossless and near-lossless, 2 to 16 bits, one or
 * more components without, line- or sample-interleaved, default or LSE-signalled coding
 * parameters. Written here because no JPEG-LS decoder for Java is on Maven Central. Mapping
 * tables and point transforms (rare in DICOM) are refused.
 *
 * <p>Output: samples interleaved per pixel, little endian, 1 byte per sample up to 8 bits, else 2.
 */
public final class JpegLsDecoder {
    private static final int[] J = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9,
        10, 11, 12, 13, 14, 15};

    private JpegLsDecoder() {}

    /** Decoded image: width, height, components, bits per sample, and the interleaved samples. */
    public record Image(int width, int height, int components, int bits, int[] samples) {}

    /** Decodes a stream whose size is not known in advance (bounded to 2^26 samples). */
    public static Image decode(byte[] data) throws DicomException {
        return decode(data, -1, -1, -1);
    }

    /**
     * Decodes a frame that must be {@code width} x {@code height} x {@code components} (checked
     * before any image memory is allocated; -1 accepts any).
     */
    public static Image decode(byte[] data, int width, int height, int components) throws DicomException {
        try {
            return new Parser(data, width, height, components).run();
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new DicomException("JPEG-LS stream ends early or is corrupt", e);
        }
    }

    /** Coding parameters of the current scan. */
    private static final class Params {
        int maxVal;
        int t1;
        int t2;
        int t3;
        int reset = 64;
        int near;
        int range;
        int qbpp;
        int limit;
        boolean explicitThresholds;
    }

    private static final class Parser {
        private final byte[] d;
        private int pos;
        private int width;
        private int height;
        private int components;
        private int bits;
        private int[] out;
        private final Params p = new Params();
        private int scanCount;
        private int[] componentIds;

        private final int expectW;
        private final int expectH;
        private final int expectC;

        Parser(byte[] d, int expectW, int expectH, int expectC) {
            this.d = d;
            this.expectW = expectW;
            this.expectH = expectH;
            this.expectC = expectC;
        }

        private int u8() throws DicomException {
            if (pos >= d.length) {
                throw new DicomException("JPEG-LS stream ends inside a marker segment");
            }
            return d[pos++] & 0xFF;
        }

        private int u16() throws DicomException { return (u8() << 8) | u8(); }

        Image run() throws DicomException {
            if (u8() != 0xFF || u8() != 0xD8) {
                throw new DicomException("not a JPEG-LS stream (no SOI marker)");
            }
            while (true) {
                int m = nextMarker();
                switch (m) {
                    case 0xF7 -> frameHeader();
                    case 0xF8 -> presetParameters();
                    case 0xDA -> scan();
                    case 0xD9 -> {
                        if (out == null || scanCount == 0) {
                            throw new DicomException("JPEG-LS stream has no image data");
                        }
                        return new Image(width, height, components, bits, out);
                    }
                    case 0xC0, 0xC1, 0xC2, 0xC3 -> throw new DicomException("stream is JPEG, not JPEG-LS");
                    default -> { // APPn, COM, DNL...: skip
                        int len = u16();
                        if (len < 2) {
                            throw new DicomException("malformed JPEG-LS marker segment length " + len);
                        }
                        pos += len - 2;
                    }
                }
            }
        }

        private int nextMarker() throws DicomException {
            int b = u8();
            while (b != 0xFF) {
                b = u8();
            }
            while (b == 0xFF) { // fill bytes
                b = u8();
            }
            return b;
        }

        private void frameHeader() throws DicomException {
            int len = u16();
            bits = u8();
            height = u16();
            width = u16();
            components = u8();
            if (bits < 2 || bits > 16 || width == 0 || height == 0 || components < 1 || components > 4
                    || len != 8 + 3 * components) {
                throw new DicomException("unsupported JPEG-LS frame: " + width + "x" + height + ", " + components
                        + " components, " + bits + " bits");
            }
            if ((expectW >= 0 && width != expectW) || (expectH >= 0 && height != expectH)
                    || (expectC >= 0 && components != expectC)) {
                throw new DicomException("JPEG-LS frame is " + width + "x" + height + "x" + components
                        + " but the data set says " + expectW + "x" + expectH + "x" + expectC);
            }
            if (out != null) {
                throw new DicomException("JPEG-LS stream has two frame headers");
            }
            if ((long) width * height * components > (expectW >= 0 ? 1L << 30 : 1L << 26)) {
                throw new DicomException("JPEG-LS frame of " + width + "x" + height + " is too large");
            }
            componentIds = new int[components];
            for (int i = 0; i < components; i++) {
                componentIds[i] = u8();
                u8(); // sampling factors: DICOM uses 1x1
                u8();
            }
            out = new int[width * height * components];
            p.maxVal = (1 << bits) - 1;
        }

        private void presetParameters() throws DicomException {
            int len = u16();
            int id = u8();
            if (id != 1) {
                throw new DicomException("JPEG-LS mapping tables / extended parameters (LSE id " + id + ") are not supported");
            }
            if (len != 13) {
                throw new DicomException("malformed JPEG-LS LSE segment");
            }
            int maxVal = u16();
            int t1 = u16();
            int t2 = u16();
            int t3 = u16();
            int reset = u16();
            if (maxVal != 0) {
                p.maxVal = maxVal;
            }
            if (t1 != 0 || t2 != 0 || t3 != 0) {
                p.explicitThresholds = true;
                p.t1 = t1;
                p.t2 = t2;
                p.t3 = t3;
            }
            if (reset != 0) {
                p.reset = reset;
            }
        }

        private void scan() throws DicomException {
            if (out == null) {
                throw new DicomException("JPEG-LS scan before the frame header");
            }
            int len = u16();
            int ns = u8();
            if (ns < 1 || ns > components || len != 6 + 2 * ns) {
                throw new DicomException("malformed JPEG-LS scan header");
            }
            int[] comps = new int[ns];
            for (int i = 0; i < ns; i++) {
                int id = u8();
                int tm = u8();
                if (tm != 0) {
                    throw new DicomException("JPEG-LS mapping tables are not supported");
                }
                comps[i] = indexOf(id);
            }
            p.near = u8();
            int ilv = u8();
            int pt = u8();
            if ((pt & 0x0F) != 0) {
                throw new DicomException("JPEG-LS point transform is not supported");
            }
            if (ilv > 2 || (ilv == 0 && ns != 1) || (ilv != 0 && ns == 1 && components > 1 && ilv == 2)) {
                throw new DicomException("unsupported JPEG-LS interleave mode " + ilv + " with " + ns + " components");
            }
            setup();
            BitReader in = new BitReader(d, pos);
            new ScanDecoder(this, in, comps, ilv).decode();
            pos = in.endOfScan();
            scanCount++;
        }

        private int indexOf(int id) throws DicomException {
            for (int i = 0; i < components; i++) {
                if (componentIds[i] == id) {
                    return i;
                }
            }
            throw new DicomException("JPEG-LS scan names unknown component " + id);
        }

        private void setup() throws DicomException {
            int maxVal = p.maxVal;
            int near = p.near;
            if (near > Math.min(255, maxVal / 2)) {
                throw new DicomException("JPEG-LS NEAR " + near + " is out of range");
            }
            if (!p.explicitThresholds) {
                if (maxVal >= 128) {
                    int factor = (Math.min(maxVal, 4095) + 128) / 256;
                    p.t1 = clamp(factor * (3 - 2) + 2 + 3 * near, near + 1, maxVal);
                    p.t2 = clamp(factor * (7 - 3) + 3 + 5 * near, p.t1, maxVal);
                    p.t3 = clamp(factor * (21 - 4) + 4 + 7 * near, p.t2, maxVal);
                } else {
                    int factor = 256 / (maxVal + 1);
                    p.t1 = clamp(Math.max(2, 3 / factor + 3 * near), near + 1, maxVal);
                    p.t2 = clamp(Math.max(3, 7 / factor + 5 * near), p.t1, maxVal);
                    p.t3 = clamp(Math.max(4, 21 / factor + 7 * near), p.t2, maxVal);
                }
            }
            p.range = (maxVal + 2 * near) / (2 * near + 1) + 1;
            p.qbpp = ceilLog2(p.range);
            int bpp = Math.max(2, ceilLog2(maxVal + 1));
            p.limit = 2 * (bpp + Math.max(8, bpp));
        }

        private static int clamp(int v, int lo, int hi) { return v > hi || v < lo ? lo : v; }

        private static int ceilLog2(int v) {
            int n = 0;
            while ((1 << n) < v) {
                n++;
            }
            return n;
        }
    }

    /** Reads bits MSB first, skipping the stuffed zero bit after each 0xFF; stops at a marker. */
    private static final class BitReader {
        private final byte[] d;
        private final int start;
        private int pos;
        private long buf;
        private int count;
        private boolean afterFF;

        BitReader(byte[] d, int pos) {
            this.d = d;
            this.start = pos;
            this.pos = pos;
        }

        /** Buffers as many bits as possible (up to 57+), without reading past a marker. */
        private void fill(int need) throws DicomException {
            while (count <= 56 && pos < d.length) {
                int b = d[pos] & 0xFF;
                if (afterFF) {
                    if (b >= 0x80) {
                        break; // a marker: the scan's data ends here
                    }
                    buf |= (long) b << (57 - count);
                    count += 7;
                    afterFF = false;
                } else {
                    buf |= (long) b << (56 - count);
                    count += 8;
                    afterFF = b == 0xFF;
                }
                pos++;
            }
            if (count < need) {
                throw new DicomException("JPEG-LS scan data ends early");
            }
        }

        int bit() throws DicomException {
            if (count == 0) {
                fill(1);
            }
            int b = (int) (buf >>> 63);
            buf <<= 1;
            count--;
            return b;
        }

        int bits(int n) throws DicomException {
            if (n == 0) {
                return 0;
            }
            if (count < n) {
                fill(n);
            }
            int v = (int) (buf >>> (64 - n));
            buf <<= n;
            count -= n;
            return v;
        }

        /** Position of the marker that ends the scan (never before the scan's own data). */
        int endOfScan() {
            int i = Math.max(start, pos - 10);
            while (i + 1 < d.length && !((d[i] & 0xFF) == 0xFF && (d[i + 1] & 0xFF) >= 0x80)) {
                i++;
            }
            return i;
        }
    }

    /** Decodes one scan: context modelling, Golomb decoding, run mode. */
    private static final class ScanDecoder {
        private final Parser f;
        private final Params p;
        private final BitReader in;
        private final int[] comps;
        private final int ilv;
        private final int[] a = new int[365 + 2];
        private final int[] b = new int[365];
        private final int[] c = new int[365];
        private final int[] n = new int[365 + 2];
        private final int[] nn = new int[2];
        private final int[] runIndex;

        ScanDecoder(Parser f, BitReader in, int[] comps, int ilv) {
            this.f = f;
            this.p = f.p;
            this.in = in;
            this.comps = comps;
            this.ilv = ilv;
            int aInit = Math.max(2, (p.range + 32) / 64);
            java.util.Arrays.fill(a, aInit);
            java.util.Arrays.fill(n, 1);
            runIndex = new int[comps.length];
        }

        void decode() throws DicomException {
            int w = f.width;
            int ns = comps.length;
            if (ilv == 2) {
                decodeSampleInterleaved();
                return;
            }
            // per component: previous and current line with one sample of padding on each side
            int[][] prev = new int[ns][w + 2];
            int[][] cur = new int[ns][w + 2];
            for (int y = 0; y < f.height; y++) {
                for (int s = 0; s < ns; s++) {
                    int[] pl = prev[s];
                    int[] cl = cur[s];
                    cl[0] = pl[1];
                    pl[w + 1] = pl[w];
                    decodeLine(pl, cl, s);
                    int comp = comps[s];
                    for (int x = 0; x < w; x++) {
                        f.out[(y * w + x) * f.components + comp] = cl[x + 1];
                    }
                    prev[s] = cl;
                    cur[s] = pl;
                }
            }
        }

        private void decodeLine(int[] pl, int[] cl, int s) throws DicomException {
            int w = f.width;
            int x = 1;
            while (x <= w) {
                int ra = cl[x - 1];
                int rb = pl[x];
                int rc = pl[x - 1];
                int rd = pl[x + 1];
                int d1 = rd - rb;
                int d2 = rb - rc;
                int d3 = rc - ra;
                if (Math.abs(d1) <= p.near && Math.abs(d2) <= p.near && Math.abs(d3) <= p.near) {
                    x = runMode(pl, cl, x, s);
                } else {
                    cl[x] = regular(d1, d2, d3, ra, rb, rc);
                    x++;
                }
            }
        }

        private int quantize(int di) {
            if (di <= -p.t3) {
                return -4;
            }
            if (di <= -p.t2) {
                return -3;
            }
            if (di <= -p.t1) {
                return -2;
            }
            if (di < -p.near) {
                return -1;
            }
            if (di <= p.near) {
                return 0;
            }
            if (di < p.t1) {
                return 1;
            }
            if (di < p.t2) {
                return 2;
            }
            if (di < p.t3) {
                return 3;
            }
            return 4;
        }

        private int regular(int d1, int d2, int d3, int ra, int rb, int rc) throws DicomException {
            int q1 = quantize(d1);
            int q2 = quantize(d2);
            int q3 = quantize(d3);
            int sign = 1;
            if (q1 < 0 || (q1 == 0 && q2 < 0) || (q1 == 0 && q2 == 0 && q3 < 0)) {
                sign = -1;
                q1 = -q1;
                q2 = -q2;
                q3 = -q3;
            }
            int q = (q1 * 9 + q2) * 9 + q3; // 0..364 after the sign flip (q1 >= 0)
            int px;
            if (rc >= Math.max(ra, rb)) {
                px = Math.min(ra, rb);
            } else if (rc <= Math.min(ra, rb)) {
                px = Math.max(ra, rb);
            } else {
                px = ra + rb - rc;
            }
            px += sign * c[q];
            px = Math.max(0, Math.min(p.maxVal, px));
            int k = 0;
            while ((n[q] << k) < a[q] && k < 24) {
                k++;
            }
            int m = golomb(k, p.limit);
            int errval;
            if (p.near == 0 && k == 0 && 2 * b[q] <= -n[q]) {
                errval = (m & 1) == 1 ? (m - 1) >> 1 : -(m >> 1) - 1;
            } else {
                errval = (m & 1) == 0 ? m >> 1 : -((m + 1) >> 1);
            }
            // context update (T.87 A.6)
            b[q] += errval * (2 * p.near + 1);
            a[q] += Math.abs(errval);
            if (n[q] == p.reset) {
                a[q] >>= 1;
                b[q] = b[q] >= 0 ? b[q] >> 1 : -((1 - b[q]) >> 1);
                n[q] >>= 1;
            }
            n[q]++;
            if (b[q] <= -n[q]) {
                b[q] += n[q];
                if (c[q] > -128) {
                    c[q]--;
                }
                if (b[q] <= -n[q]) {
                    b[q] = -n[q] + 1;
                }
            } else if (b[q] > 0) {
                b[q] -= n[q];
                if (c[q] < 127) {
                    c[q]++;
                }
                if (b[q] > 0) {
                    b[q] = 0;
                }
            }
            return reconstruct(px, sign * errval);
        }

        private int reconstruct(int px, int errval) {
            int rx = px + errval * (2 * p.near + 1);
            int span = p.range * (2 * p.near + 1);
            if (rx < -p.near) {
                rx += span;
            } else if (rx > p.maxVal + p.near) {
                rx -= span;
            }
            return Math.max(0, Math.min(p.maxVal, rx));
        }

        /** Limited-length Golomb code (T.87 A.5.3). */
        private int golomb(int k, int limit) throws DicomException {
            int zeros = 0;
            while (in.bit() == 0) {
                zeros++;
                if (zeros > limit) {
                    throw new DicomException("corrupt JPEG-LS data (unary code longer than its limit)");
                }
            }
            if (zeros < limit - p.qbpp - 1) {
                return (zeros << k) | in.bits(k);
            }
            return in.bits(p.qbpp) + 1;
        }

        /** Run mode (T.87 A.7); returns the next column to decode. */
        private int runMode(int[] pl, int[] cl, int x, int s) throws DicomException {
            int w = f.width;
            int ra = cl[x - 1];
            while (in.bit() == 1) {
                int count = Math.min(1 << J[runIndex[s]], w - x + 1);
                for (int i = 0; i < count; i++) {
                    cl[x++] = ra;
                }
                if (count == 1 << J[runIndex[s]] && runIndex[s] < 31) {
                    runIndex[s]++;
                }
                if (x > w) {
                    return x;
                }
            }
            int rest = in.bits(J[runIndex[s]]);
            if (x + rest > w + 1) {
                throw new DicomException("corrupt JPEG-LS data (run past the end of the line)");
            }
            for (int i = 0; i < rest; i++) {
                cl[x++] = ra;
            }
            if (x > w) {
                return x;
            }
            int rb = pl[x];
            ra = cl[x - 1];
            cl[x] = interruption(ra, rb, s);
            if (runIndex[s] > 0) {
                runIndex[s]--;
            }
            return x + 1;
        }

        private int interruption(int ra, int rb, int s) throws DicomException {
            int riType = Math.abs(ra - rb) <= p.near ? 1 : 0;
            int px = riType == 1 ? ra : rb;
            int errval = interruptionError(riType, s);
            if (riType == 0 && ra > rb) {
                errval = -errval;
            }
            return reconstruct(px, errval);
        }

        private int interruptionError(int riType, int s) throws DicomException {
            int ctx = 365 + riType;
            int temp = riType == 0 ? a[ctx] : a[ctx] + (n[ctx] >> 1);
            int k = 0;
            while ((n[ctx] << k) < temp && k < 24) {
                k++;
            }
            int em = golomb(k, p.limit - J[runIndex[s]] - 1);
            int tmp = em + riType;
            int map = tmp & 1;
            int abs = (tmp + map) >> 1;
            boolean cond = k != 0 || 2 * nn[riType] >= n[ctx];
            boolean negative = cond == (map == 1);
            int errval = negative ? -abs : abs;
            if (errval < 0) {
                nn[riType]++;
            }
            a[ctx] += (em + 1 - riType) >> 1;
            if (n[ctx] == p.reset) {
                a[ctx] >>= 1;
                n[ctx] >>= 1;
                nn[riType] >>= 1;
            }
            n[ctx]++;
            return errval;
        }

        /** ILV=2: all components of a pixel in turn; run mode when every component is flat. */
        private void decodeSampleInterleaved() throws DicomException {
            int w = f.width;
            int ns = comps.length;
            int[][] prev = new int[ns][w + 2];
            int[][] cur = new int[ns][w + 2];
            for (int y = 0; y < f.height; y++) {
                for (int s = 0; s < ns; s++) {
                    cur[s][0] = prev[s][1];
                    prev[s][w + 1] = prev[s][w];
                }
                int x = 1;
                while (x <= w) {
                    boolean flat = true;
                    for (int s = 0; s < ns && flat; s++) {
                        int[] pl = prev[s];
                        int ra = cur[s][x - 1];
                        flat = Math.abs(pl[x + 1] - pl[x]) <= p.near && Math.abs(pl[x] - pl[x - 1]) <= p.near
                                && Math.abs(pl[x - 1] - ra) <= p.near;
                    }
                    if (flat) {
                        x = runModeInterleaved(prev, cur, x);
                    } else {
                        for (int s = 0; s < ns; s++) {
                            int[] pl = prev[s];
                            int ra = cur[s][x - 1];
                            cur[s][x] = regular(pl[x + 1] - pl[x], pl[x] - pl[x - 1], pl[x - 1] - ra, ra, pl[x], pl[x - 1]);
                        }
                        x++;
                    }
                }
                for (int s = 0; s < ns; s++) {
                    for (int xx = 0; xx < w; xx++) {
                        f.out[(y * w + xx) * f.components + comps[s]] = cur[s][xx + 1];
                    }
                    int[] t = prev[s];
                    prev[s] = cur[s];
                    cur[s] = t;
                }
            }
        }

        private int runModeInterleaved(int[][] prev, int[][] cur, int x) throws DicomException {
            int w = f.width;
            int ns = comps.length;
            int[] ra = new int[ns];
            for (int s = 0; s < ns; s++) {
                ra[s] = cur[s][x - 1];
            }
            while (in.bit() == 1) {
                int count = Math.min(1 << J[runIndex[0]], w - x + 1);
                for (int i = 0; i < count; i++, x++) {
                    for (int s = 0; s < ns; s++) {
                        cur[s][x] = ra[s];
                    }
                }
                if (count == 1 << J[runIndex[0]] && runIndex[0] < 31) {
                    runIndex[0]++;
                }
                if (x > w) {
                    return x;
                }
            }
            int rest = in.bits(J[runIndex[0]]);
            if (x + rest > w + 1) {
                throw new DicomException("corrupt JPEG-LS data (run past the end of the line)");
            }
            for (int i = 0; i < rest; i++, x++) {
                for (int s = 0; s < ns; s++) {
                    cur[s][x] = ra[s];
                }
            }
            if (x > w) {
                return x;
            }
            // interruption pixel: each component predicted from above, run-interruption context 0
            for (int s = 0; s < ns; s++) {
                int a0 = cur[s][x - 1];
                int b0 = prev[s][x];
                int errval = interruptionError(0, 0);
                if (a0 > b0) {
                    errval = -errval;
                }
                cur[s][x] = reconstruct(b0, errval);
            }
            if (runIndex[0] > 0) {
                runIndex[0]--;
            }
            return x + 1;
        }
    }
}
