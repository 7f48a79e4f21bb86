package org.medveil.he.rlwe;

import org.medveil.he.ring.Modulus;

/**
 * Fixed-width signed integers as little-endian arrays of 64-bit limbs in two's complement,
 * for decoding: the arithmetic is exact modulo 2^(64·W), which is exact for the decoder because
 * every centered value |x| ≤ Q/2 fits W = L limbs (each prime is below 2^61).
 */
final class Limbs {

    private Limbs() {
    }

    /** x ← x·q (mod 2^(64W)), q positive. */
    static void multiply(long[] x, long q) {
        long carry = 0;
        for (int k = 0; k < x.length; k++) {
            long lo = x[k] * q;
            long hi = Modulus.mulHiUnsigned(x[k], q);
            long sum = lo + carry;
            hi += Long.compareUnsigned(sum, lo) < 0 ? 1 : 0;
            x[k] = sum;
            carry = hi;
        }
    }

    /** x ← x + d for a signed word d (sign-extended). */
    static void addSigned(long[] x, long d) {
        long ext = d >> 63;
        long carry = 0;
        for (int k = 0; k < x.length; k++) {
            long addend = k == 0 ? d : ext;
            long t = x[k] + addend;
            long c1 = Long.compareUnsigned(t, x[k]) < 0 ? 1 : 0;
            long r = t + carry;
            long c2 = Long.compareUnsigned(r, t) < 0 ? 1 : 0;
            x[k] = r;
            carry = c1 | c2;
        }
    }

    /** x ← floor((x + 2^(s-1)) / 2^s): rounds to the nearest multiple of 2^s (ties up), s ≥ 1. */
    static void roundShift(long[] x, int s) {
        int limb = (s - 1) >>> 6;
        long carry = 1L << ((s - 1) & 63);
        for (int k = limb; k < x.length && carry != 0; k++) {
            long r = x[k] + carry;
            carry = Long.compareUnsigned(r, x[k]) < 0 ? 1 : 0;
            x[k] = r;
        }
        int words = s >>> 6;
        int bits = s & 63;
        int w = x.length;
        long sign = x[w - 1] >> 63;
        for (int k = 0; k < w; k++) {
            long a = k + words < w ? x[k + words] : sign;
            long b = k + words + 1 < w ? x[k + words + 1] : sign;
            x[k] = bits == 0 ? a : (a >>> bits) | (b << (64 - bits));
        }
    }

    /**
     * The fast path of decoding for up to three primes, in registers: x = d0 + q0·(d1 + q1·d2)
     * (pass zeros for missing digits), rounded to the nearest multiple of 2^shift (ties up),
     * divided by 2^shift and converted to the nearest double. Same result as the array path.
     */
    static double decode3(long d0, long d1, long d2, long q0, long q1, int shift) {
        // t = d1 + q1·d2, signed 128-bit
        long tLo = q1 * d2;
        long tHi = Math.multiplyHigh(q1, d2);
        long s = tLo + d1;
        tHi += (d1 >> 63) + (Long.compareUnsigned(s, tLo) < 0 ? 1 : 0);
        tLo = s;
        // x = q0·t + d0, signed 192-bit (x2:x1:x0)
        long x0 = tLo * q0;
        long c = Modulus.mulHiUnsigned(tLo, q0);
        long x1 = c + tHi * q0;
        long x2 = Math.multiplyHigh(tHi, q0) + (Long.compareUnsigned(x1, c) < 0 ? 1 : 0);
        long ext = d0 >> 63;
        long y0 = x0 + d0;
        long carry = Long.compareUnsigned(y0, x0) < 0 ? 1 : 0;
        long y1a = x1 + ext;
        long c1 = Long.compareUnsigned(y1a, x1) < 0 ? 1 : 0;
        x1 = y1a + carry;
        long c2 = Long.compareUnsigned(x1, y1a) < 0 ? 1 : 0;
        x2 = x2 + ext + c1 + c2;
        x0 = y0;
        if (shift > 0) {
            int b = shift - 1; // add 2^(shift-1), then shift right arithmetically
            if (b < 64) {
                long r = x0 + (1L << b);
                long cc = Long.compareUnsigned(r, x0) < 0 ? 1 : 0;
                x0 = r;
                r = x1 + cc;
                x2 += cc != 0 && r == 0 ? 1 : 0;
                x1 = r;
            } else if (b < 128) {
                long r = x1 + (1L << (b - 64));
                x2 += Long.compareUnsigned(r, x1) < 0 ? 1 : 0;
                x1 = r;
            } else {
                x2 += 1L << (b - 128);
            }
            if (shift < 64) {
                x0 = (x0 >>> shift) | (x1 << (64 - shift));
                x1 = (x1 >>> shift) | (x2 << (64 - shift));
                x2 >>= shift;
            } else if (shift < 128) {
                int r = shift - 64;
                x0 = r == 0 ? x1 : (x1 >>> r) | (x2 << (64 - r));
                x1 = x2 >> r;
                x2 >>= 63;
            } else {
                x0 = x2 >> (shift - 128);
                x1 = x2 >> 63;
                x2 = x1;
            }
        }
        if (x1 == x0 >> 63 && x2 == x1) {
            return (double) x0; // fits one signed word: the JVM rounds correctly
        }
        long[] big = {x0, x1, x2};
        return toDouble(big);
    }

    /** The nearest double (round half to even), exactly. Overwrites x with |x|. */
    static double toDouble(long[] x) {
        int w = x.length;
        boolean negative = x[w - 1] < 0;
        if (negative) {
            long carry = 1;
            for (int k = 0; k < w; k++) {
                long r = ~x[k] + carry;
                carry = carry != 0 && r == 0 ? 1 : 0;
                x[k] = r;
            }
        }
        int top = w - 1;
        while (top > 0 && x[top] == 0) {
            top--;
        }
        if (top == 0 && x[0] >= 0) {
            return negative ? -(double) x[0] : (double) x[0]; // below 2^63: the JVM rounds correctly
        }
        // the 64 leading bits as a window, the rest as a sticky bit
        int lz = Long.numberOfLeadingZeros(x[top]);
        long window = x[top];
        long below = top > 0 ? x[top - 1] : 0;
        if (lz > 0) {
            window = (window << lz) | (below >>> (64 - lz));
            below <<= lz;
        }
        boolean sticky = below != 0;
        for (int k = top - 2; k >= 0 && !sticky; k--) {
            sticky = x[k] != 0;
        }
        long mantissa = window >>> 11;
        long rest = window & 0x7FF;
        if (rest > 0x400 || (rest == 0x400 && (sticky || (mantissa & 1) != 0))) {
            mantissa++; // may reach 2^53, still exact as a double
        }
        double magnitude = Math.scalb((double) mantissa, 64 * top - lz + 11);
        return negative ? -magnitude : magnitude;
    }

}
