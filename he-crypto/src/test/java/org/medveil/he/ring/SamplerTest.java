package org.medveil.he.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final int SAMPLES = 1 << 18;

    @Test
    void gaussianHasSigma32AndIsCutAt19() {
        Sampler s = new Sampler(Prng.secure(), SAMPLES);
        long[] e = new long[SAMPLES];
        s.gaussian(e);
        double mean = Arrays.stream(e).average().orElseThrow();
        double var = Arrays.stream(e).mapToDouble(x -> (x - mean) * (x - mean)).sum() / SAMPLES;
        assertEquals(0.0, mean, 0.05, "mean");
        assertEquals(3.2, Math.sqrt(var), 0.05, "standard deviation");
        assertTrue(Arrays.stream(e).allMatch(x -> Math.abs(x) <= DiscreteGaussian.BOUND));
    }

    @Test
    void ternaryIsUniformOnMinusOneZeroOne() {
        long[] t = new long[SAMPLES];
        new Sampler(Prng.secure(), SAMPLES).ternary(t);
        long[] counts = new long[3];
        for (long v : t) {
            counts[(int) v + 1]++;
        }
        for (long c : counts) {
            assertEquals(SAMPLES / 3.0, c, SAMPLES * 0.01);
        }
    }

    @Test
    void floodingHasRequestedSigmaAndHardBound() {
        long a = new org.medveil.he.multiparty.FloodingNoise(0x1p40).halfWidth();
        long[] f = new long[SAMPLES];
        new Sampler(Prng.secure(), SAMPLES).flooding(f, a);
        double sd = Math.sqrt(Arrays.stream(f).mapToDouble(x -> (double) x * x).sum() / SAMPLES);
        assertEquals(1.0, sd / 0x1p40, 0.01);
        assertTrue(Arrays.stream(f).allMatch(x -> Math.abs(x) <= 4 * a));
    }

    @Test
    void uniformIsReducedAndSeedExpansionIsDeterministic() {
        Ring ring = new Ring(4096, Primes.nttPrimesBelow(54, 4096, 2));
        byte[] seed = new byte[32];
        seed[0] = 42;
        Poly a = ring.newPoly();
        Poly b = ring.newPoly();
        Poly c = ring.newPoly();
        new Sampler(Prng.fromSeed(seed, "crp"), 4096).uniform(ring, a);
        new Sampler(Prng.fromSeed(seed, "crp"), 4096).uniform(ring, b);
        new Sampler(Prng.fromSeed(seed, "other-use"), 4096).uniform(ring, c);
        assertArrayEquals(a.at(0), b.at(0));
        assertFalse(Arrays.equals(a.at(0), c.at(0)), "a different domain label must give a different polynomial");
        for (int i = 0; i < 2; i++) {
            long q = ring.modulus(i).value();
            assertTrue(Arrays.stream(a.at(i)).allMatch(v -> v >= 0 && v < q));
        }
    }
}
