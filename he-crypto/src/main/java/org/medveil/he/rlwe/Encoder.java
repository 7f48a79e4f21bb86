package org.medveil.he.rlwe;

import org.medveil.he.ValueOutOfRangeException;
import org.medveil.he.ring.Modulus;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Ring;

/**
 * Coefficient encoding with fixed-point scale Δ = 2^logScale. Conversions are exact integer
 * arithmetic, never a lossy double-to-long cast, and every range violation is an error rather
 * than a silent wrap modulo Q.
 *
 * <p>Encoding: x·Δ is an integer m·2^e (a 53-bit mantissa m; Δ is a power of two), so its residue
 * is (m mod q)·(2^e mod q) — one Shoup product per prime, whatever the size of Δ or Q.
 * Decoding rebuilds each coefficient from its residues with a balanced mixed-radix (Garner)
 * conversion into a signed integer of L 64-bit limbs (L = number of primes, so any Q below
 * 2^(61L) fits), which yields the centered representative in (-Q/2, Q/2] directly. The decoder
 * can round that integer to a grid 2^g before it becomes a double, so the noise below the
 * guaranteed precision is not handed to whoever reads the result.
 */
public final class Encoder {

    /** Decoded coefficients may exceed their declared bound by this much noise (in units of Δ). */
    public static final int NOISE_TOLERANCE_BITS = -10;

    private final HeContext context;
    private final Ring ring;
    private final int logScale;
    private final long[][] garnerInverse; // [i][j] = q_j^{-1} mod q_i, j < i
    private final long[][] pow2;          // [i][e] = 2^e mod q_i
    private final long[][] pow2Shoup;

    public Encoder(HeContext context) {
        this.context = context;
        this.ring = context.ring();
        this.logScale = context.params().logScale();
        int l = ring.primes();
        garnerInverse = new long[l][l];
        int maxExponent = 64 * (l + 1);
        pow2 = new long[l][maxExponent];
        pow2Shoup = new long[l][maxExponent];
        for (int i = 0; i < l; i++) {
            Modulus mi = ring.modulus(i);
            for (int j = 0; j < i; j++) {
                garnerInverse[i][j] = mi.inv(mi.reduce(ring.modulus(j).value()));
            }
            long p = 1;
            for (int e = 0; e < maxExponent; e++) {
                pow2[i][e] = p;
                pow2Shoup[i][e] = mi.shoup(p);
                p = mi.add(p, p);
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
                    + "; clip the update" + (Params.DEFAULT_NAME.equals(context.params().name()) ? ""
                    : " or use parameter set " + Params.DEFAULT_NAME));
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
            if (a < 0x1p63) {
                long v = (long) a;
                for (int i = 0; i < l; i++) {
                    Modulus mi = ring.modulus(i);
                    long r = mi.reduce(v);
                    p.at(i)[j] = negative ? mi.neg(r) : r;
                }
            } else {
                // a = m·2^e with a 53-bit integer mantissa m and e ≥ 11
                int e = Math.getExponent(a) - 52;
                long m = (Double.doubleToRawLongBits(a) & ((1L << 52) - 1)) | (1L << 52);
                for (int i = 0; i < l; i++) {
                    Modulus mi = ring.modulus(i);
                    long r = mi.mulShoup(mi.reduce(m), pow2[i][e], pow2Shoup[i][e]);
                    p.at(i)[j] = negative ? mi.neg(r) : r;
                }
            }
        }
        return new Plaintext(p, count, bound);
    }

    /** Exact decoding: coefficient/Δ, rounded only by the final conversion to double. */
    public double[] decode(Poly p, int count, double bound) {
        return decode(p, count, bound, -logScale);
    }

    /**
     * Decodes the first {@code count} coefficients of a coefficient-domain polynomial that should
     * carry values bounded by {@code bound} (plus decryption noise), rounded to the nearest
     * multiple of 2^gridLog2 (pass -logScale for no rounding). Every one of the N coefficients is
     * range-checked, the unused ones against zero, so a wrong key or share — which yields values
     * spread over all of Z_Q — is detected rather than returned.
     */
    public double[] decode(Poly p, int count, double bound, int gridLog2) {
        int shift = logScale + gridLog2; // low bits of the integer dropped by rounding
        if (shift < 0) {
            throw new IllegalArgumentException("rounding grid 2^" + gridLog2 + " is finer than the scale 2^-" + logScale);
        }
        int n = ring.degree();
        int l = ring.primes();
        double tolerance = Math.scalb(1.0, NOISE_TOLERANCE_BITS);
        double[] out = new double[count];
        long[] digits = new long[l];
        long[] x = new long[l]; // two's complement, little-endian limbs (more than three primes)
        long q0 = ring.modulus(0).value();
        long q1 = l > 1 ? ring.modulus(1).value() : 0;
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
            double rounded;
            if (l <= 3) {
                rounded = Limbs.decode3(digits[0], l > 1 ? digits[1] : 0, l > 2 ? digits[2] : 0, q0, q1, shift);
            } else {
                long top = digits[l - 1];
                x[0] = top;
                for (int k = 1; k < l; k++) {
                    x[k] = top >> 63;
                }
                for (int i = l - 2; i >= 0; i--) {
                    Limbs.multiply(x, ring.modulus(i).value());
                    Limbs.addSigned(x, digits[i]);
                }
                if (shift > 0) {
                    Limbs.roundShift(x, shift);
                }
                rounded = Limbs.toDouble(x);
            }
            double value = Math.scalb(rounded, gridLog2);
            double limit = j < count ? bound + tolerance : tolerance;
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
}
