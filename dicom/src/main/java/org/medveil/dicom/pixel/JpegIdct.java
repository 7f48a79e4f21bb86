package org.medveil.dicom.pixel;

/**
 * 8x8 integer inverse DCT for {@link JpegDctDecoder}: the Loeffler–Ligtenberg–Moschytz factorisation
 * with 13-bit fixed-point constants, a column pass then a row pass, scaled and rounded the way IJG
 * libjpeg's "islow" method is (the one dcmtk's dcmdjpeg uses). Doing the same arithmetic, not just an
 * accurate one, is what makes our pixels equal dcmdjpeg's rather than within a tolerance of them.
 * Intermediates are 64-bit like libjpeg's INT32 on LP64, so 12-bit data cannot overflow. The odd
 * half (inputs 1, 3, 5, 7) is the same rotation network in both passes, written out in each for speed.
 */
final class JpegIdct {
    private static final int CONST_BITS = 13;
    private static final long C0_298 = fix(0.298631336);
    private static final long C0_390 = fix(0.390180644);
    private static final long C0_541 = fix(0.541196100);
    private static final long C0_765 = fix(0.765366865);
    private static final long C0_899 = fix(0.899976223);
    private static final long C1_175 = fix(1.175875602);
    private static final long C1_501 = fix(1.501321110);
    private static final long C1_847 = fix(1.847759065);
    private static final long C1_961 = fix(1.961570560);
    private static final long C2_053 = fix(2.053119869);
    private static final long C2_562 = fix(2.562915447);
    private static final long C3_072 = fix(3.072711336);

    /** Extra fraction bits kept between the passes: 2 for 8-bit samples, 1 for 12-bit (keeps 32-bit headroom in libjpeg). */
    private final int pass1Bits;
    /**
     * Level shift and clamp of an output value, indexed by the value masked to {@link #mask}: like
     * libjpeg's range-limit table, so a value far outside the range wraps the same way (only corrupt
     * data gets there).
     */
    private final short[] limit;
    private final int mask;
    private final int[] ws = new int[64];

    private static final short[] LIMIT_8 = limitTable(8);
    private static final short[] LIMIT_12 = limitTable(12);

    JpegIdct(int precision) {
        pass1Bits = precision == 8 ? 2 : 1;
        limit = precision == 8 ? LIMIT_8 : LIMIT_12;
        mask = limit.length - 1;
    }

    private static short[] limitTable(int precision) {
        int max = (1 << precision) - 1;
        int center = 1 << (precision - 1);
        int size = 4 * (max + 1);
        short[] t = new short[size];
        for (int i = 0; i < size; i++) {
            int signed = i < size / 2 ? i : i - size;
            t[i] = (short) Math.max(0, Math.min(max, signed + center));
        }
        return t;
    }

    private static long fix(double x) {
        return Math.round(x * (1 << CONST_BITS));
    }

    /** The sample every pixel of a block with only a DC coefficient gets (the shortcut both passes take). */
    short dcOnly(int dequantizedDc) {
        int col = dequantizedDc << pass1Bits;
        return limit[(int) descale(col, pass1Bits + 3) & mask];
    }

    /**
     * @param coef  coefficients in natural (row-major) order, not yet dequantized
     * @param q     quantization table in natural order
     * @param out   sample plane; the block goes to {@code out[off + row * stride + col]}
     */
    void transform(int[] coef, int[] q, short[] out, int off, int stride) {
        int shift1 = CONST_BITS - pass1Bits;
        for (int col = 0; col < 8; col++) {
            if ((coef[8 + col] | coef[16 + col] | coef[24 + col] | coef[32 + col] | coef[40 + col] | coef[48 + col]
                    | coef[56 + col]) == 0) {
                int dc = (coef[col] * q[col]) << pass1Bits;
                for (int r = 0; r < 64; r += 8) {
                    ws[r + col] = dc;
                }
                continue;
            }
            // even part: inputs 0, 2, 4, 6
            long a2 = (long) coef[16 + col] * q[16 + col];
            long a6 = (long) coef[48 + col] * q[48 + col];
            long rot = (a2 + a6) * C0_541;
            long e2 = rot - a6 * C1_847;
            long e3 = rot + a2 * C0_765;
            long a0 = (long) coef[col] * q[col];
            long a4 = (long) coef[32 + col] * q[32 + col];
            long e0 = (a0 + a4) << CONST_BITS;
            long e1 = (a0 - a4) << CONST_BITS;
            long s10 = e0 + e3;
            long s13 = e0 - e3;
            long s11 = e1 + e2;
            long s12 = e1 - e2;
            // odd part: inputs 7, 5, 3, 1
            long i7 = (long) coef[56 + col] * q[56 + col];
            long i5 = (long) coef[40 + col] * q[40 + col];
            long i3 = (long) coef[24 + col] * q[24 + col];
            long i1 = (long) coef[8 + col] * q[8 + col];
            long z1 = (i7 + i1) * -C0_899;
            long z2 = (i5 + i3) * -C2_562;
            long z5 = (i7 + i3 + i5 + i1) * C1_175;
            long z3 = (i7 + i3) * -C1_961 + z5;
            long z4 = (i5 + i1) * -C0_390 + z5;
            long t0 = i7 * C0_298 + z1 + z3;
            long t1 = i5 * C2_053 + z2 + z4;
            long t2 = i3 * C3_072 + z2 + z3;
            long t3 = i1 * C1_501 + z1 + z4;
            ws[col] = (int) descale(s10 + t3, shift1);
            ws[56 + col] = (int) descale(s10 - t3, shift1);
            ws[8 + col] = (int) descale(s11 + t2, shift1);
            ws[48 + col] = (int) descale(s11 - t2, shift1);
            ws[16 + col] = (int) descale(s12 + t1, shift1);
            ws[40 + col] = (int) descale(s12 - t1, shift1);
            ws[24 + col] = (int) descale(s13 + t0, shift1);
            ws[32 + col] = (int) descale(s13 - t0, shift1);
        }
        int shift2 = CONST_BITS + pass1Bits + 3;
        for (int r = 0; r < 64; r += 8) {
            int o = off + (r >> 3) * stride;
            if ((ws[r + 1] | ws[r + 2] | ws[r + 3] | ws[r + 4] | ws[r + 5] | ws[r + 6] | ws[r + 7]) == 0) {
                short v = limit[(int) descale(ws[r], pass1Bits + 3) & mask];
                for (int c = 0; c < 8; c++) {
                    out[o + c] = v;
                }
                continue;
            }
            long a2 = ws[r + 2];
            long a6 = ws[r + 6];
            long rot = (a2 + a6) * C0_541;
            long e2 = rot - a6 * C1_847;
            long e3 = rot + a2 * C0_765;
            long e0 = ((long) ws[r] + ws[r + 4]) << CONST_BITS;
            long e1 = ((long) ws[r] - ws[r + 4]) << CONST_BITS;
            long s10 = e0 + e3;
            long s13 = e0 - e3;
            long s11 = e1 + e2;
            long s12 = e1 - e2;
            long i7 = ws[r + 7];
            long i5 = ws[r + 5];
            long i3 = ws[r + 3];
            long i1 = ws[r + 1];
            long z1 = (i7 + i1) * -C0_899;
            long z2 = (i5 + i3) * -C2_562;
            long z5 = (i7 + i3 + i5 + i1) * C1_175;
            long z3 = (i7 + i3) * -C1_961 + z5;
            long z4 = (i5 + i1) * -C0_390 + z5;
            long t0 = i7 * C0_298 + z1 + z3;
            long t1 = i5 * C2_053 + z2 + z4;
            long t2 = i3 * C3_072 + z2 + z3;
            long t3 = i1 * C1_501 + z1 + z4;
            out[o] = limit[(int) descale(s10 + t3, shift2) & mask];
            out[o + 7] = limit[(int) descale(s10 - t3, shift2) & mask];
            out[o + 1] = limit[(int) descale(s11 + t2, shift2) & mask];
            out[o + 6] = limit[(int) descale(s11 - t2, shift2) & mask];
            out[o + 2] = limit[(int) descale(s12 + t1, shift2) & mask];
            out[o + 5] = limit[(int) descale(s12 - t1, shift2) & mask];
            out[o + 3] = limit[(int) descale(s13 + t0, shift2) & mask];
            out[o + 4] = limit[(int) descale(s13 - t0, shift2) & mask];
        }
    }

    private static long descale(long x, int n) {
        return (x + (1L << (n - 1))) >> n;
    }
}
