package org.medveil.he.rlwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.medveil.he.ValueOutOfRangeException;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Ring;
import org.medveil.he.ring.SecretRandom;

class EncoderTest {

    private static final HeContext CTX = new HeContext(Params.defaults());
    private static final HeContext FAST = new HeContext(Params.byName(Params.FAST_NAME));
    /** Four primes take the general L-limb path of the decoder (up to three use registers). */
    private static final HeContext FOUR = new HeContext(new Params("four", 13,
            org.medveil.he.ring.Primes.nttPrimesBelow(54, 8192, 4), 122));

    /** Without noise, decode(encode(x)) is x rounded to the grid 2^-80: exact for these doubles. */
    @Property(tries = 200)
    void fastSetRoundTripsExactly(@ForAll @DoubleRange(min = -6.7e7, max = 6.7e7) double x) {
        Encoder enc = new Encoder(FAST);
        double[] v = {x, -x, x / 3, 0};
        Plaintext pt = enc.encode(v, 6.7e7);
        double[] back = enc.decode(pt.poly(), v.length, pt.bound());
        for (int i = 0; i < v.length; i++) {
            double expected = Math.scalb(Math.rint(Math.scalb(v[i], 80)), -80);
            assertEquals(expected, back[i], 0.0, "slot " + i);
        }
    }

    /** Δ = 2^122 and Q ≈ 2^162: the 3-limb path round-trips big and tiny values exactly. */
    @Property(tries = 200)
    void defaultSetRoundTripsExactlyBeyond128Bits(@ForAll @DoubleRange(min = -2.7e11, max = 2.7e11) double x) {
        Encoder enc = new Encoder(CTX);
        double[] v = {x, -x, x / 3, 0, 1e-30, -x * 0x1p-60};
        Plaintext pt = enc.encode(v, 2.7e11);
        double[] back = enc.decode(pt.poly(), v.length, pt.bound());
        for (int i = 0; i < v.length; i++) {
            double expected = Math.scalb(Math.rint(Math.scalb(v[i], 122)), -122);
            assertEquals(expected, back[i], 0.0, "slot " + i);
        }
    }

    /**
     * Decoding any integer X with |X| within range, against BigInteger: exact X/Δ, and X rounded
     * to the nearest multiple of 2^(logΔ+g) when a grid 2^g is asked for.
     */
    @Property(tries = 300)
    void decodingMatchesBigIntegerArithmetic(@ForAll long seed, @ForAll @IntRange(min = -60, max = 10) int grid) {
        for (HeContext ctx : new HeContext[] {CTX, FAST, FOUR}) {
            Ring ring = ctx.ring();
            int logScale = ctx.params().logScale();
            Random rnd = new Random(seed);
            int bits = 1 + rnd.nextInt(ctx.params().maxSumBits() + logScale - 1);
            BigInteger x = new BigInteger(bits, rnd);
            if (rnd.nextBoolean()) {
                x = x.negate();
            }
            Poly p = ring.newPoly();
            for (int i = 0; i < ring.primes(); i++) {
                p.at(i)[0] = x.mod(BigInteger.valueOf(ring.modulus(i).value())).longValue();
            }
            Encoder enc = new Encoder(ctx);
            double bound = ctx.params().maxSum();
            assertEquals(new BigDecimal(x).divide(new BigDecimal(BigInteger.ONE.shiftLeft(logScale))).doubleValue(),
                    enc.decode(p, 1, bound)[0], 0.0, "exact decode of " + x);
            int g = Math.max(grid, -logScale);
            int shift = logScale + g;
            BigInteger rounded = shift == 0 ? x : x.add(BigInteger.ONE.shiftLeft(shift - 1)).shiftRight(shift);
            BigDecimal r = new BigDecimal(rounded);
            BigDecimal step = new BigDecimal(BigInteger.ONE.shiftLeft(Math.abs(g)));
            double expected = (g >= 0 ? r.multiply(step) : r.divide(step)).doubleValue();
            assertEquals(expected, enc.decode(p, 1, bound, g)[0], 0.0, "decode of " + x + " on grid 2^" + g);
        }
    }

    /** Values on a 2^-20 grid plus noise below half the 2^-30 grid decode exactly: the noise is not exposed. */
    @Test
    void roundingToTheGuaranteedGridHidesTheNoise() {
        Encoder enc = new Encoder(CTX);
        Ring ring = CTX.ring();
        Random rnd = new Random(7);
        double[] v = new double[CTX.n()];
        for (int j = 0; j < v.length; j++) {
            v[j] = Math.scalb((double) rnd.nextInt(1 << 24) - (1 << 23), -20);
        }
        Plaintext pt = enc.encode(v, 16.0);
        // noise as large as a 100-party decryption's: uniform below 2^90 < 2^(122-30)/2
        SecretRandom.create().sampler().addFlooding(ring, pt.poly(), 90);
        double[] exact = enc.decode(pt.poly(), v.length, 16.0);
        double[] rounded = enc.decode(pt.poly(), v.length, 16.0, -30);
        int differ = 0;
        for (int j = 0; j < v.length; j++) {
            assertEquals(v[j], rounded[j], 0.0, "slot " + j);
            differ += exact[j] != v[j] ? 1 : 0;
        }
        // without rounding the noise shows (it is there to be hidden)
        assertEquals(true, differ > v.length / 2, "unrounded decoding should expose the noise in most slots");
    }

    @Test
    void outOfRangeValuesAreErrorsNotWraps() {
        Encoder enc = new Encoder(CTX);
        assertThrows(ValueOutOfRangeException.class, () -> enc.encode(new double[] {2.0}, 1.0));
        assertThrows(ValueOutOfRangeException.class, () -> enc.encode(new double[] {Double.NaN}, 1.0));
        assertThrows(ValueOutOfRangeException.class, () -> enc.encode(new double[] {1.0}, CTX.params().maxSum() * 2));
        assertThrows(IllegalArgumentException.class, () -> enc.encode(new double[CTX.n() + 1], 1.0));
        assertThrows(ValueOutOfRangeException.class,
                () -> new Encoder(FAST).encode(new double[] {1.0}, FAST.params().maxSum() * 2));
    }
}
