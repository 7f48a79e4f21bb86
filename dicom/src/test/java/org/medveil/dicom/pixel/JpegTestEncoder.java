package org.medveil.dicom.pixel;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A small sequential DCT JPEG encoder for tests: makes the streams dcmcjpeg cannot (restart
 * intervals, one scan per component or any grouping, unusual sampling factors, 4 components,
 * 12-bit colour with 16-bit quantization tables, fill bytes before markers, tables redefined
 * between scans). Written from T.81 directly and independent of {@link JpegDctDecoder}; the tests
 * check the decoder against dcmdjpeg decoding these streams, so the encoder need only be valid,
 * not good (float DCT, box-filter downsampling, fixed Huffman tables).
 */
final class JpegTestEncoder {
    /** Encoding choices; {@code scans} groups component indexes, e.g. {{0}, {1, 2}}. */
    static final class Options {
        int precision = 8;
        int[] h = {1};
        int[] v = {1};
        int quality = 75;
        int restartInterval;
        int[][] scans;
        boolean sixteenBitTables;
        boolean fillBytes;
        boolean tablesBetweenScans;

        Options precision(int p) { precision = p; return this; }
        Options sampling(int[] hs, int[] vs) { h = hs; v = vs; return this; }
        Options quality(int q) { quality = q; return this; }
        Options restart(int ri) { restartInterval = ri; return this; }
        Options scans(int[]... s) { scans = s; return this; }
        Options sixteenBitTables() { sixteenBitTables = true; return this; }
        Options fillBytes() { fillBytes = true; return this; }
        Options tablesBetweenScans() { tablesBetweenScans = true; return this; }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(precision + "-bit q" + quality + " sampling");
            for (int i = 0; i < h.length; i++) {
                b.append(' ').append(h[i]).append('x').append(v[i]);
            }
            if (restartInterval > 0) {
                b.append(" restart ").append(restartInterval);
            }
            if (scans != null) {
                b.append(" scans");
                for (int[] s : scans) {
                    b.append(' ').append(java.util.Arrays.toString(s).replace(" ", ""));
                }
            }
            if (sixteenBitTables) {
                b.append(" 16-bit-DQT");
            }
            if (fillBytes) {
                b.append(" fill-bytes");
            }
            if (tablesBetweenScans) {
                b.append(" tables-between-scans");
            }
            return b.toString();
        }
    }

    // T.81 Annex K.1 luminance and chrominance tables (natural order)
    private static final int[] LUMA = {
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
        14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
    private static final int[] CHROMA = {
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
        47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};

    /** DC table 0: categories 0..15 with 3- to 6-bit codes. */
    private static final int[] DC_COUNTS = {0, 0, 0, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    /** AC table 0: EOB at 2 bits, then every run/size pair (sizes up to 14 for 12-bit) at 3..16 bits. */
    private static final int[] AC0_COUNTS = {0, 0, 1, 2, 3, 4, 6, 0, 10, 0, 20, 0, 40, 0, 0, 0, 140};
    /** AC table 1: the same symbols, all 8-bit codes (checks table selection per component). */
    private static final int[] AC1_COUNTS = {0, 0, 0, 0, 0, 0, 0, 0, 226, 0, 0, 0, 0, 0, 0, 0, 0};

    private static final int[] ZIGZAG = new int[64];

    static {
        int k = 0;
        for (int s = 0; s < 15; s++) {
            for (int i = 0; i <= s; i++) {
                int row = (s & 1) == 0 ? s - i : i;
                if (row < 8 && s - row < 8) {
                    ZIGZAG[k++] = row * 8 + s - row;
                }
            }
        }
    }

    private final Options o;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final int[][] codes = new int[3][256];
    private final int[][] lengths = new int[3][256];
    private int[][] qt;
    private long bitBuf;
    private int bitCount;

    private JpegTestEncoder(Options o) {
        this.o = o;
    }

    /**
     * @param planes one full-resolution plane per component, row-major, values 0..2^precision-1
     */
    static byte[] encode(int[][] planes, int width, int height, Options o) {
        return new JpegTestEncoder(o).run(planes, width, height);
    }

    private byte[] run(int[][] planes, int width, int height) {
        int n = planes.length;
        int hMax = 0;
        int vMax = 0;
        for (int i = 0; i < n; i++) {
            hMax = Math.max(hMax, o.h[i]);
            vMax = Math.max(vMax, o.v[i]);
        }
        int mcusX = (width + 8 * hMax - 1) / (8 * hMax);
        int mcusY = (height + 8 * vMax - 1) / (8 * vMax);
        // quantized coefficients per component, blocks in the MCU-padded layout
        int[][][] blocks = new int[n][][];
        int[] bw = new int[n];
        int[] cw = new int[n];
        int[] ch = new int[n];
        qt = new int[][] {scaled(LUMA), scaled(CHROMA)};
        for (int c = 0; c < n; c++) {
            int hx = hMax / o.h[c];
            int vx = vMax / o.v[c];
            cw[c] = (width * o.h[c] + hMax - 1) / hMax;
            ch[c] = (height * o.v[c] + vMax - 1) / vMax;
            bw[c] = n == 1 ? (cw[c] + 7) / 8 : mcusX * o.h[c];
            int bh = n == 1 ? (ch[c] + 7) / 8 : mcusY * o.v[c];
            blocks[c] = new int[bw[c] * bh][];
            int[] q = qt[c == 0 ? 0 : 1];
            for (int by = 0; by < bh; by++) {
                for (int bx = 0; bx < bw[c]; bx++) {
                    double[] f = new double[64];
                    for (int y = 0; y < 8; y++) {
                        for (int x = 0; x < 8; x++) {
                            // component sample (edge-replicated), a box average of the full-resolution pixels
                            int sx = Math.min(bx * 8 + x, cw[c] - 1);
                            int sy = Math.min(by * 8 + y, ch[c] - 1);
                            double sum = 0;
                            int cnt = 0;
                            for (int yy = sy * vx; yy < Math.min(sy * vx + vx, height); yy++) {
                                for (int xx = sx * hx; xx < Math.min(sx * hx + hx, width); xx++) {
                                    sum += planes[c][yy * width + xx];
                                    cnt++;
                                }
                            }
                            f[y * 8 + x] = sum / cnt - (1 << (o.precision - 1));
                        }
                    }
                    blocks[c][by * bw[c] + bx] = quantize(fdct(f), q);
                }
            }
        }
        marker(0xD8);
        writeQuant();
        // SOF1 for 12-bit or 16-bit tables, SOF0 otherwise
        boolean extended = o.precision == 12 || o.sixteenBitTables;
        ByteArrayOutputStream sof = new ByteArrayOutputStream();
        sof.write(o.precision);
        u16(sof, height);
        u16(sof, width);
        sof.write(n);
        for (int c = 0; c < n; c++) {
            sof.write(c + 1);
            sof.write(o.h[c] << 4 | o.v[c]);
            sof.write(c == 0 ? 0 : 1);
        }
        segment(extended ? 0xC1 : 0xC0, sof.toByteArray());
        writeHuffman(0, 0, DC_COUNTS);
        writeHuffman(1, 0, AC0_COUNTS);
        writeHuffman(1, 1, AC1_COUNTS);
        if (o.restartInterval > 0) {
            segment(0xDD, new byte[] {(byte) (o.restartInterval >> 8), (byte) o.restartInterval});
        }
        int[][] scans = o.scans;
        if (scans == null) {
            scans = new int[][] {range(n)};
        }
        for (int s = 0; s < scans.length; s++) {
            if (s > 0 && o.tablesBetweenScans) { // same content, written again: a decoder must accept it
                writeQuant();
                writeHuffman(1, 1, AC1_COUNTS);
            }
            int[] sc = scans[s];
            ByteArrayOutputStream sos = new ByteArrayOutputStream();
            sos.write(sc.length);
            for (int c : sc) {
                sos.write(c + 1);
                sos.write(0 << 4 | (c == 0 ? 0 : 1));
            }
            sos.write(0);
            sos.write(63);
            sos.write(0);
            segment(0xDA, sos.toByteArray());
            int[] pred = new int[n];
            int mcu = 0;
            int restarts = 0;
            List<int[]> order = new ArrayList<>(); // {component, block index} per MCU, MCU by MCU
            int mcuCount;
            if (sc.length == 1) {
                int c = sc[0];
                int w = (cw[c] + 7) / 8;
                int hb = (ch[c] + 7) / 8;
                for (int by = 0; by < hb; by++) {
                    for (int bx = 0; bx < w; bx++) {
                        order.add(new int[] {c, by * bw[c] + bx, 1});
                    }
                }
                mcuCount = w * hb;
            } else {
                for (int my = 0; my < mcusY; my++) {
                    for (int mx = 0; mx < mcusX; mx++) {
                        int first = order.size();
                        for (int c : sc) {
                            for (int yy = 0; yy < o.v[c]; yy++) {
                                for (int xx = 0; xx < o.h[c]; xx++) {
                                    order.add(new int[] {c, (my * o.v[c] + yy) * bw[c] + mx * o.h[c] + xx, 0});
                                }
                            }
                        }
                        order.get(first)[2] = 1; // first block of an MCU
                    }
                }
                mcuCount = mcusX * mcusY;
            }
            for (int[] e : order) {
                if (e[2] == 1) {
                    if (o.restartInterval > 0 && mcu > 0 && mcu % o.restartInterval == 0) {
                        flushBits();
                        if (o.fillBytes) {
                            out.write(0xFF);
                        }
                        marker(0xD0 + (restarts++ & 7));
                        java.util.Arrays.fill(pred, 0);
                    }
                    mcu++;
                }
                int c = e[0];
                int[] b = blocks[c][e[1]];
                int diff = b[0] - pred[c];
                pred[c] = b[0];
                int dcSize = size(diff);
                putCode(0, dcSize);
                putValue(diff, dcSize);
                int acTable = c == 0 ? 1 : 2;
                int run = 0;
                for (int k = 1; k < 64; k++) {
                    int val = b[ZIGZAG[k]];
                    if (val == 0) {
                        run++;
                        continue;
                    }
                    while (run > 15) {
                        putCode(acTable, 0xF0);
                        run -= 16;
                    }
                    int sz = size(val);
                    putCode(acTable, run << 4 | sz);
                    putValue(val, sz);
                    run = 0;
                }
                if (run > 0) {
                    putCode(acTable, 0x00);
                }
            }
            if (mcu != mcuCount) {
                throw new IllegalStateException("MCU count");
            }
            flushBits();
            if (o.fillBytes) {
                out.write(0xFF);
            }
        }
        marker(0xD9);
        return out.toByteArray();
    }

    private int[] scaled(int[] base) {
        int scale = o.quality < 50 ? 5000 / o.quality : 200 - 2 * o.quality;
        int max = o.sixteenBitTables ? 32767 : 255;
        int[] q = new int[64];
        for (int i = 0; i < 64; i++) {
            q[i] = Math.max(1, Math.min(max, (base[i] * scale + 50) / 100));
            if (o.sixteenBitTables) {
                q[i] = Math.min(max, q[i] * 37); // values above 255 need the 16-bit table form
            }
        }
        return q;
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    /** Straight T.81 A.3.3 forward DCT (slow and exact enough for tests). */
    private static double[] fdct(double[] f) {
        double[] out = new double[64];
        for (int v = 0; v < 8; v++) {
            for (int u = 0; u < 8; u++) {
                double s = 0;
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        s += f[y * 8 + x] * Math.cos((2 * x + 1) * u * Math.PI / 16) * Math.cos((2 * y + 1) * v * Math.PI / 16);
                    }
                }
                double cu = u == 0 ? Math.sqrt(0.5) : 1;
                double cv = v == 0 ? Math.sqrt(0.5) : 1;
                out[v * 8 + u] = 0.25 * cu * cv * s;
            }
        }
        return out;
    }

    private static int[] quantize(double[] f, int[] q) {
        int[] r = new int[64];
        for (int i = 0; i < 64; i++) {
            r[i] = (int) Math.round(f[i] / q[i]);
        }
        return r;
    }

    private static int size(int v) {
        return 32 - Integer.numberOfLeadingZeros(Math.abs(v));
    }

    private void writeQuant() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int t = 0; t < 2; t++) {
            b.write((o.sixteenBitTables ? 1 : 0) << 4 | t);
            for (int k = 0; k < 64; k++) {
                int v = qt[t][ZIGZAG[k]];
                if (o.sixteenBitTables) {
                    u16(b, v);
                } else {
                    b.write(v);
                }
            }
        }
        segment(0xDB, b.toByteArray());
    }

    /** DC symbols 0..15; AC symbols EOB, then sizes 1..14 for each run 0..15, then ZRL. */
    private void writeHuffman(int tc, int th, int[] counts) {
        List<Integer> symbols = new ArrayList<>();
        if (tc == 0) {
            for (int s = 0; s < 16; s++) {
                symbols.add(s);
            }
        } else {
            symbols.add(0x00);
            for (int s = 1; s <= 14; s++) {
                for (int r = 0; r < 16; r++) {
                    symbols.add(r << 4 | s);
                }
            }
            symbols.add(0xF0);
        }
        int slot = tc == 0 ? 0 : 1 + th;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(tc << 4 | th);
        int total = 0;
        for (int l = 1; l <= 16; l++) {
            b.write(counts[l]);
            total += counts[l];
        }
        if (total != symbols.size()) {
            throw new IllegalStateException("table size " + total + " vs " + symbols.size());
        }
        int code = 0;
        int k = 0;
        for (int l = 1; l <= 16; l++) {
            for (int i = 0; i < counts[l]; i++, k++) {
                int sym = symbols.get(k);
                codes[slot][sym] = code++;
                lengths[slot][sym] = l;
            }
            code <<= 1;
        }
        for (int s : symbols) {
            b.write(s);
        }
        segment(0xC4, b.toByteArray());
    }

    private void putCode(int slot, int symbol) {
        int len = lengths[slot][symbol];
        if (len == 0) {
            throw new IllegalStateException("no code for symbol " + symbol);
        }
        putBits(codes[slot][symbol], len);
    }

    private void putValue(int v, int size) {
        if (size > 0) {
            putBits(v < 0 ? v + (1 << size) - 1 : v, size);
        }
    }

    private void putBits(int value, int n) {
        bitBuf = (bitBuf << n) | (value & ((1L << n) - 1));
        bitCount += n;
        while (bitCount >= 8) {
            int byt = (int) (bitBuf >>> (bitCount - 8)) & 0xFF;
            out.write(byt);
            if (byt == 0xFF) {
                out.write(0); // byte stuffing
            }
            bitCount -= 8;
        }
    }

    /** Pads the last byte with 1 bits (T.81 F.1.2.3). */
    private void flushBits() {
        if (bitCount > 0) {
            putBits(0x7F, 8 - bitCount);
        }
        bitBuf = 0;
        bitCount = 0;
    }

    private void marker(int m) {
        out.write(0xFF);
        out.write(m);
    }

    private void segment(int m, byte[] body) {
        marker(m);
        u16(out, body.length + 2);
        out.writeBytes(body);
    }

    private static void u16(ByteArrayOutputStream b, int v) {
        b.write(v >> 8);
        b.write(v);
    }
}
