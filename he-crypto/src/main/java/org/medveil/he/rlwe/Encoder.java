package org.medveil.he.rlwe;

import org.medveil.he.ValueOutOfRangeException;
import org.medveil.he.ring.Modulus;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Ring;

/**
 * Coefficient encoding with fixed-point scale Δ = 2^logScale. Conversions go through exact
 * signed 128-bit integers (two longs), never through a lossy double-to-long cast, and every
 * range violation is an error rather than a silent wrap modulo Q.
 *
 * <p>Decoding rebuilds each coefficient from its residues with a balanced mixed-radix (Garner)
 * conversion, which yields the centered representative in (-Q/2, Q/2] directly.
 */
public final class Encoder {

    /** Decoded coefficients may exceed their declared bound by this much noise (in units of Δ). */
    public static final int NOISE_TOLERANCE_BITS = -10;

    private final HeContext context;
    private final Ring ring;
    private final int logScale;
    private final long[][] garnerInverse; // [i][j] = q_j^{-1} mod q_i, j < i

    public Encoder(HeContext context) {
        this.context = context;
        this.ring = context.ring();
        this.logScale = context.params().logScale();
        int l = ring.primes();
        garnerInverse = new long[l][l];
        for (int i = 0; i < l; i++) {
            Modulus mi = ring.modulus(i);
            for (int j = 0; j < i; j++) {
                garnerInverse[i][j] = mi.inv(mi.reduce(ring.modulus(j).value()));
            }
        }
    }

    /** Encodes all of {@code values} (at most N). */
    public Plaintext encode(double[] values, double bound) {
        return encode(values, 0, values.length, bound);
    }

    /**
     * Encodes values[from, from+count) with declared bound B: every |x| must be ≤ B, and B must
     * not exceed the parameter set's largest representable sum.
     */
    public Plaintext encode(double[] values, int from, int count, double bound) {
        if (count < 0 || count > ring.degree()) {
            throw new IllegalArgumentException("cannot encode " + count + " values into one plaintext of N="
                    + ring.degree() + "; split the vector into chunks of at most N");
        }
        double max = context.params().maxSum();
        if (!(bound > 0) || bound > max) {
            throw new ValueOutOfRangeException("declared value bound " + bound + " is outside (0, " + max
                    + "] for parameter set " + context.params().name()
                    + "; clip the update or use parameter set " + Params.LARGE_NAME);
        }
        Poly p = ring.newPoly();
        int l = ring.primes();
        for (int j = 0; j < count; j++) {
            double x = values[from + j];
            if (!(Math.abs(x) <= bound)) { // also rejects NaN
                throw new ValueOutOfRangeException("value at index " + (from + j) + " is "
                        + (Double.isFinite(x) ? "outside the declared bound ±" + bound : "not finite")
                        + "; clip or sanitize the update before encryption");
            }
            double y = Math.rint(Math.scalb(x, logScale)); // exact: Δ is a power of two
            boolean negative = y < 0;
            double a = Math.abs(y);
            long hi;
            long lo;
            if (a < 0x1p63) {
                hi = 0;
                lo = (long) a;
            } else {
                // a = m·2^e with a 53-bit integer mantissa m and e ≥ 11: shift m into 128 bits
                int e = Math.getExponent(a) - 52;
                long m = (Double.doubleToRawLongBits(a) & ((1L << 52) - 1)) | (1L << 52);
                hi = e >= 64 ? m << (e - 64) : m >>> (64 - e);
                lo = e >= 64 ? 0 : m << e;
            }
            for (int i = 0; i < l; i++) {
                Modulus mi = ring.modulus(i);
                long r = mi.reduceWide(hi, lo);
                p.at(i)[j] = negative ? mi.neg(r) : r;
            }
        }
        return new Plaintext(p, count, bound);
    }

    /**
     * Decodes the first {@code count} coefficients of a coefficient-domain polynomial that should
     * carry values bounded by {@code bound} (plus decryption noise). Every one of the N
     * coefficients is range-checked, the unused ones against zero, so a wrong key or share —
     * which yields values spread over all of Z_Q — is detected rather than returned.
     */
    public double[] decode(Poly p, int count, double bound) {
        int n = ring.degree();
        int l = ring.primes();
        double tolerance = Math.scalb(1.0, NOISE_TOLERANCE_BITS);
        double[] out = new double[count];
        long[] digits = new long[l];
        for (int j = 0; j < n; j++) {
            // balanced mixed radix: x = d0 + q0·(d1 + q1·(d2 + …)), each |d_i| ≤ q_i/2
            for (int i = 0; i < l; i++) {
                Modulus mi = ring.modulus(i);
                long t = p.at(i)[j];
                for (int k = 0; k < i; k++) {
                    t = mi.mul(mi.sub(t, mi.fromSigned(digits[k])), garnerInverse[i][k]);
                }
                digits[i] = mi.center(t);
            }
            long hi = digits[l - 1] >> 63;
            long lo = digits[l - 1];
            boolean overflow = false;
            for (int i = l - 2; i >= 0 && !overflow; i--) {
                long q = ring.modulus(i).value();
                try {
                    long newHi = Math.addExact(Math.multiplyExact(hi, q), Modulus.mulHiUnsigned(lo, q));
                    long newLo = lo * q;
                    long d = digits[i];
                    long sumLo = newLo + d;
                    // carry/borrow of adding the sign-extended digit
                    long carry = Long.compareUnsigned(sumLo, newLo) < 0 ? 1 : 0;
                    long dHi = d >> 63;
                    hi = Math.addExact(Math.addExact(newHi, dHi), carry);
                    lo = sumLo;
                } catch (ArithmeticException e) {
                    overflow = true;
                }
            }
            double limit = j < count ? bound + tolerance : tolerance;
            double value = overflow ? Double.POSITIVE_INFINITY : Math.scalb(toDouble(hi, lo), -logScale);
            if (!(Math.abs(value) <= limit)) {
                throw new ValueOutOfRangeException("decoded coefficient " + j + " lies outside ±" + limit
                        + " (declared bound plus noise tolerance): the decryption used a wrong or missing key"
                        + " share, or the sum exceeded the parameter set's range");
            }
            if (j < count) {
                out[j] = value;
            }
        }
        return out;
    }

    /** Signed 128-bit to double, correctly rounded up to a final rounding of the two halves. */
    static double toDouble(long hi, long lo) {
        boolean negative = hi < 0;
        if (negative) { // two's complement negate
            lo = -lo;
            hi = ~hi + (lo == 0 ? 1 : 0);
        }
        double magnitude = hi == 0 ? unsignedToDouble(lo) : Math.scalb((double) hi, 64) + unsignedToDouble(lo);
        return negative ? -magnitude : magnitude;
    }

    private static double unsignedToDouble(long x) {
        return x >= 0 ? (double) x : ((double) (x >>> 1)) * 2.0 + (x & 1);
    }
}
