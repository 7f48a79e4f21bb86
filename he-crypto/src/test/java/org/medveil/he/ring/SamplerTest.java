package org.medveil.he.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.medveil.he.Rns;

class SamplerTest {

    private static final int SAMPLES = 1 << 18;

    @Test
    void gaussianHasSigma32AndIsCutAt19() {
        Sampler s = SecretRandom.create().sampler();
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
        SecretRandom.create().sampler().ternary(t);
        long[] counts = new long[3];
        for (long v : t) {
            counts[(int) v + 1]++;
        }
        for (long c : counts) {
            assertEquals(SAMPLES / 3.0, c, SAMPLES * 0.01);
        }
    }

    /**
     * Flooding is uniform on [-2^k, 2^k): every sample in range, the range actually used (extremes
     * within 2^-6 of both ends), the standard deviation 2^k/√3, and 16 equal buckets equally
     * filled. Checked through the RNS residues (CRT), for one-word and two-word widths.
     */
    @ParameterizedTest(name = "flooding 2^{0} is uniform on [-2^{0}, 2^{0})")
    @ValueSource(ints = {20, 62, 63, 64, 84, 126})
    void floodingIsUniformOnItsFullRange(int bits) {
        Ring ring = new Ring(8192, Primes.nttPrimesBelow(54, 8192, 3));
        Sampler s = SecretRandom.create().sampler();
        int polys = 8;
        int[] buckets = new int[16];
        double sumSquares = 0;
        double min = 0;
        double max = 0;
        double width = Math.scalb(1.0, bits);
        for (int r = 0; r < polys; r++) {
            Poly p = ring.newPoly();
            s.addFlooding(ring, p, bits);
            for (int j = 0; j < ring.degree(); j++) {
                double f = Rns.centered(ring, p, j).doubleValue();
                assertTrue(f >= -width && f < width, "sample " + f + " outside [-2^" + bits + ", 2^" + bits + ")");
                sumSquares += f * f;
                min = Math.min(min, f);
                max = Math.max(max, f);
                buckets[(int) Math.min(15, Math.floor((f + width) / width * 8))]++;
            }
        }
        int n = polys * ring.degree();
        assertEquals(1.0, Math.sqrt(sumSquares / n) / (width / Math.sqrt(3)), 0.02, "standard deviation / (2^k/sqrt 3)");
        assertTrue(max > width * (1 - 0x1p-6) && min < -width * (1 - 0x1p-6), "range used: " + min + " .. " + max);
        // 10%: 6.6 binomial standard deviations per bucket (6% was 4 sd: about one false failure in 150
        // runs over 96 buckets, seen once); a wrong range or a missing bucket still moves a count by >50%
        for (int c : buckets) {
            assertEquals(n / 16.0, c, n / 16.0 * 0.10, "bucket counts " + Arrays.toString(buckets));
        }
    }

    @Test
    void uniformIsReducedAndSeedExpansionIsDeterministic() {
        Ring ring = new Ring(4096, Primes.nttPrimesBelow(54, 4096, 2));
        byte[] seed = new byte[32];
        seed[0] = 42;
        Poly a = ring.newPoly();
        Poly b = ring.newPoly();
        Poly c = ring.newPoly();
        Prng.fromSeed(seed, "crp").uniform(ring, a);
        Prng.fromSeed(seed, "crp").uniform(ring, b);
        Prng.fromSeed(seed, "other-use").uniform(ring, c);
        assertArrayEquals(a.at(0), b.at(0));
        assertFalse(Arrays.equals(a.at(0), c.at(0)), "a different domain label must give a different polynomial");
        for (int i = 0; i < 2; i++) {
            long q = ring.modulus(i).value();
            assertTrue(Arrays.stream(a.at(i)).allMatch(v -> v >= 0 && v < q));
        }
    }
}
