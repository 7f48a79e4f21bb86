package org.medveil.he.ring;

import java.math.BigInteger;

/**
 * Arithmetic modulo one word-sized prime q &lt; 2^61.
 *
 * <p>General products use a 128-bit Barrett reduction with the precomputed ratio
 * floor(2^128 / q); products by a fixed operand use Shoup's method (precomputed
 * floor(w·2^64 / q)), which needs two multiplications and no division. Nothing here uses {@code %}.
 */
public final class Modulus {

    /** Largest modulus we accept: keeps 4q below 2^63 so lazy NTT values fit a signed long. */
    public static final int MAX_BITS = 61;

    private final long q;
    private final int bits;
    private final long ratioHi; // floor(2^128 / q), high word
    private final long ratioLo; // floor(2^128 / q), low word

    public Modulus(long q) {
        if (q < 3 || 64 - Long.numberOfLeadingZeros(q) > MAX_BITS || (q & 1) == 0) {
            throw new IllegalArgumentException("modulus " + q + " must be an odd number of at most "
                    + MAX_BITS + " bits");
        }
        this.q = q;
        this.bits = 64 - Long.numberOfLeadingZeros(q);
        BigInteger ratio = BigInteger.ONE.shiftLeft(128).divide(BigInteger.valueOf(q));
        this.ratioLo = ratio.longValue();
        this.ratioHi = ratio.shiftRight(64).longValue();
    }

    public long value() {
        return q;
    }

    /** Bit length of q: the width of one packed coefficient on the wire. */
    public int bits() {
        return bits;
    }

    /** Unsigned high word of the 128-bit product a·b (Java 17 lacks Math.unsignedMultiplyHigh). */
    public static long mulHiUnsigned(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    /**
     * Reduces the unsigned 128-bit value hi·2^64 + lo modulo q. Requires hi &lt; q (so the
     * quotient fits one word); {@link #reduceWide} lifts that restriction.
     */
    public long reduce128(long hi, long lo) {
        long quotient = quotientEstimate(hi, lo);
        long r = lo - quotient * q;
        while (Long.compareUnsigned(r, q) >= 0) {
            r -= q;
        }
        return r;
    }

    /** floor((hi·2^64 + lo) / q) exactly, for hi &lt; q. */
    public long quotient128(long hi, long lo) {
        long quotient = quotientEstimate(hi, lo);
        long r = lo - quotient * q;
        while (Long.compareUnsigned(r, q) >= 0) {
            r -= q;
            quotient++;
        }
        return quotient;
    }

    /** floor(x · ratio / 2^128) without the lowest partial product: floor(x/q) minus at most 3. */
    private long quotientEstimate(long hi, long lo) {
        long carry = mulHiUnsigned(lo, ratioLo);
        long t2lo = lo * ratioHi;
        long t2hi = mulHiUnsigned(lo, ratioHi);
        long t1 = t2lo + carry;
        long t3 = t2hi + (Long.compareUnsigned(t1, t2lo) < 0 ? 1 : 0);
        long u2lo = hi * ratioLo;
        long u2hi = mulHiUnsigned(hi, ratioLo);
        long s = t1 + u2lo;
        carry = u2hi + t3 + (Long.compareUnsigned(s, t1) < 0 ? 1 : 0);
        return hi * ratioHi + carry;
    }

    /** Reduces any unsigned 128-bit value. */
    public long reduceWide(long hi, long lo) {
        return reduce128(Long.compareUnsigned(hi, q) < 0 ? hi : reduce128(0, hi), lo);
    }

    /** Reduces an unsigned 64-bit value. */
    public long reduce(long x) {
        return reduce128(0, x);
    }

    /** Lifts a signed value into [0, q). */
    public long fromSigned(long x) {
        if (x >= 0) {
            return x < q ? x : reduce(x);
        }
        long r = x > -q ? -x : reduce(-x); // -Long.MIN_VALUE wraps but reduce reads it unsigned
        return r == 0 ? 0 : q - r;
    }

    /** Centered representative in (-q/2, q/2] of x in [0, q). */
    public long center(long x) {
        return x > (q >>> 1) ? x - q : x;
    }

    public long mul(long a, long b) {
        return reduce128(Math.multiplyHigh(a, b), a * b);
    }

    public long add(long a, long b) {
        long s = a + b - q;
        return s + ((s >> 63) & q);
    }

    public long sub(long a, long b) {
        long d = a - b;
        return d + ((d >> 63) & q);
    }

    public long neg(long a) {
        return a == 0 ? 0 : q - a;
    }

    public long pow(long base, long exp) {
        long result = 1;
        long b = base;
        long e = exp;
        while (e > 0) {
            if ((e & 1) != 0) {
                result = mul(result, b);
            }
            b = mul(b, b);
            e >>>= 1;
        }
        return result;
    }

    /** Multiplicative inverse (q is prime). */
    public long inv(long a) {
        if (a == 0) {
            throw new ArithmeticException("0 has no inverse modulo " + q);
        }
        return pow(a, q - 2);
    }

    /** Shoup companion floor(w·2^64 / q) of a fixed operand w in [0, q). */
    public long shoup(long w) {
        return quotient128(w, 0);
    }

    /** x·w mod q in [0, 2q) for any x in [0, 2^63), given wShoup = shoup(w). */
    public long mulShoupLazy(long x, long w, long wShoup) {
        long hi = Math.multiplyHigh(x, wShoup) + ((wShoup >> 63) & x); // x >= 0
        return x * w - hi * q;
    }

    /** x·w mod q in [0, q), given wShoup = shoup(w). */
    public long mulShoup(long x, long w, long wShoup) {
        long r = mulShoupLazy(x, w, wShoup);
        return r >= q ? r - q : r;
    }

    @Override
    public String toString() {
        return "Modulus[" + q + "]";
    }
}
