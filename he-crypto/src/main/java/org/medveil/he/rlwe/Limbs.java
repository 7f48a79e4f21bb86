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
