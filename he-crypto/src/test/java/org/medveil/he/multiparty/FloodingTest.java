package org.medveil.he.multiparty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.medveil.he.Federation;
import org.medveil.he.InsecureParametersException;
import org.medveil.he.ParameterMismatchException;
import org.medveil.he.Rns;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Ring;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Encoder;
import org.medveil.he.rlwe.Encryptor;
import org.medveil.he.rlwe.Evaluator;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;

/**
 * Flooding cannot be switched off, narrowed below the floor, or silently lost: the floor is
 * recomputed here from the README's formula, and the noise actually present in a share
 * (h_i − c1·s_i, recovered with the key share) is measured.
 */
@Tag("REQ-FL-1")
class FloodingTest {

    private static final HeContext CTX = new HeContext(Params.defaults());
    private static final HeContext FAST = new HeContext(Params.byName(Params.FAST_NAME));

    /** README "Flooding": k_min = λ + log2 N + ⌈log2 B⌉ − 1, B = C·(2·N·19·K + 19); independent of the production code. */
    private static int readmeFloor(int lambda, int logN, long keyHolders, long contributions) {
        BigInteger b = BigInteger.valueOf(contributions).multiply(
                BigInteger.valueOf(2L * (1L << logN) * 19 * keyHolders + 19));
        return lambda + logN + b.subtract(BigInteger.ONE).bitLength() - 1;
    }

    @ParameterizedTest(name = "{0}: K = C = {1} needs flooding of at least 2^{2}")
    @CsvSource({"n8192, 1, 71", "n8192, 3, 74", "n8192, 10, 77", "n8192, 100, 84",
            "n4096, 3, 42", "n4096, 10, 45", "n4096, 100, 52"})
    void floorMatchesTheReadmeFormulaAndTable(String set, int parties, int expectedBits) {
        HeContext ctx = set.equals("n8192") ? CTX : FAST;
        int floor = readmeFloor(ctx.params().statisticalBits(), ctx.params().logN(), parties, parties);
        assertEquals(expectedBits, floor, "README table");
        assertEquals(floor, FloodingNoise.floorBits(ctx, parties, parties));
        FloodingNoise f = FloodingNoise.forJob(ctx, parties, parties);
        assertEquals(floor, f.bits(), "the job default is the floor");
        assertTrue(f.distanceLog2(ctx, parties, parties) <= -ctx.params().statisticalBits(),
                "statistical distance bound 2^" + f.distanceLog2(ctx, parties, parties));
    }

    @Test
    void defaultSetGivesFortyBitsForAHundredSitesWithFloat32Precision() {
        assertEquals(40, CTX.params().statisticalBits());
        FloodingNoise f = FloodingNoise.forJob(CTX, 100, 100);
        assertTrue(f.distanceLog2(CTX, 100, 100) <= -40);
        assertTrue(NoiseBudget.maxAbsoluteError(CTX, 100, 100, f) <= 0x1p-31);
        assertTrue(NoiseBudget.maxDecodedError(CTX, 100, 100, 100, f) < 0x1p-30);
    }

    @Test
    void zeroNarrowOrMissizedFloodingIsRefused() {
        for (double sigma : new double[] {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(InsecureParametersException.class, () -> FloodingNoise.ofSigma(CTX, 3, 3, sigma), "sigma " + sigma);
        }
        int floor = FloodingNoise.floorBits(CTX, 3, 3);
        InsecureParametersException e = assertThrows(InsecureParametersException.class,
                () -> FloodingNoise.withBits(CTX, 3, 3, floor - 1));
        assertTrue(e.getMessage().contains("below the floor"), e.getMessage());
        // the old default (sigma 2^40) is far below the floor of the default set
        assertThrows(InsecureParametersException.class, () -> FloodingNoise.ofSigma(CTX, 3, 3, 0x1p40));
        // sigma just wide enough: 2^floor / sqrt 3
        assertEquals(floor, FloodingNoise.ofSigma(CTX, 3, 3, Math.scalb(1.0, floor) / Math.sqrt(3)).bits());
        // so wide that it drowns the values
        assertThrows(IllegalArgumentException.class, () -> FloodingNoise.withBits(CTX, 3, 3, 120));
    }

    @Test
    void holdersRefuseFloodingSizedForFewerHoldersOrContributions() {
        Federation fed = new Federation(CTX, 3);
        FloodingNoise forTwo = FloodingNoise.forJob(CTX, 2, 2);
        assertThrows(InsecureParametersException.class, () -> new KeyShareHolder(CTX, fed.secrets.get(0), fed.key,
                new InMemoryDecryptionLedger(), forTwo, 1, SecretRandom.create()));
        FloodingNoise forOneContribution = FloodingNoise.forJob(CTX, 3, 1);
        KeyShareHolder h = new KeyShareHolder(CTX, fed.secrets.get(0), fed.key, new InMemoryDecryptionLedger(),
                forOneContribution, 1, SecretRandom.create());
        Ciphertext sum = encrypt(fed, 0.5);
        new Evaluator(CTX).addInPlace(sum, encrypt(fed, 0.25));
        InsecureParametersException e = assertThrows(InsecureParametersException.class, () -> h.decryptionShare(sum));
        assertTrue(e.getMessage().contains("2 contributions") || e.getMessage().contains("and 2"), e.getMessage());
        FloodingNoise foreign = FloodingNoise.forJob(FAST, 3, 3);
        assertThrows(ParameterMismatchException.class, () -> new KeyShareHolder(CTX, fed.secrets.get(0), fed.key,
                new InMemoryDecryptionLedger(), foreign, 1, SecretRandom.create()));
    }

    /**
     * The noise in a real share, f = h_i − c1·s_i: never zero or small, bounded by 2^k, spread over
     * the whole width 2^k of the floor (so a lower default or a weaker sampler fails here), with
     * standard deviation 2^k/√3.
     */
    @Test
    void aShareCarriesFullWidthFloodingAtTheFloor() {
        Federation fed = new Federation(CTX, 3);
        int k = readmeFloor(40, 13, 3, 3);
        assertEquals(k, fed.flooding.bits());
        Ring ring = CTX.ring();
        Ciphertext ct = encrypt(fed, 0.5, -0.25);
        DecryptionShare share = fed.holder(0, new InMemoryDecryptionLedger()).decryptionShare(ct);
        Poly s0 = ring.newPoly();
        ring.setSmall(s0, fed.secrets.get(0).coefficients());
        ring.ntt(s0);
        Poly f = share.h().copy();
        ring.subInPlace(f, Rns.times(ring, ct.c1(), s0));
        double width = Math.scalb(1.0, k);
        double max = 0;
        double sumSquares = 0;
        int small = 0;
        for (int j = 0; j < CTX.n(); j++) {
            double v = Rns.centered(ring, f, j).doubleValue();
            assertTrue(v >= -width && v < width, "coefficient " + j + " = " + v + " exceeds 2^" + k);
            max = Math.max(max, Math.abs(v));
            sumSquares += v * v;
            small += Math.abs(v) < 0x1p60 ? 1 : 0;
        }
        assertTrue(max > width * (1 - 0x1p-6), "flooding does not reach its width 2^" + k + ": max " + max);
        assertEquals(1.0, Math.sqrt(sumSquares / CTX.n()) / (width / Math.sqrt(3)), 0.05, "standard deviation");
        assertTrue(small < CTX.n() / 1000, small + " coefficients of h - c1*s are below 2^60: flooding is missing");
    }

    private static Ciphertext encrypt(Federation fed, double... values) {
        return new Encryptor(CTX, fed.key, SecretRandom.create()).encrypt(new Encoder(CTX).encode(values, 1.0), 0);
    }
}
