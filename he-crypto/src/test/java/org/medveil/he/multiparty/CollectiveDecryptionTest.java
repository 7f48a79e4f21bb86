package org.medveil.he.multiparty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.medveil.he.Federation;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.he.rlwe.VectorEncryptor;

/** encrypt → add → collective decrypt recovers the exact sum within {@link NoiseBudget}. */
@Tag("REQ-FL-1")
class CollectiveDecryptionTest {

    private static final HeContext CTX = new HeContext(Params.defaults());

    /** Values on the 2^-31 grid, so the plaintext sum in double arithmetic is exact. */
    private static double[] update(Random rnd, int length) {
        double[] v = new double[length];
        for (int i = 0; i < length; i++) {
            v[i] = Math.scalb((double) rnd.nextInt(), -31); // in [-1, 1), on the 2^-31 grid
        }
        return v;
    }

    private static double maxError(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @ParameterizedTest(name = "FL-1: {0} parties, each key holder a contributor, sum decrypts within the bound")
    @ValueSource(ints = {1, 2, 10, 100})
    void sumOfAllPartiesDecryptsWithinDocumentedBound(int parties) {
        Federation fed = new Federation(CTX, parties);
        int length = CTX.n() + 100; // two chunks, the second partly filled
        Random rnd = new Random(parties);
        double[] expected = new double[length];
        VectorEncryptor enc = new VectorEncryptor(CTX, fed.key, SecretRandom::create);
        StreamingAccumulator acc = new StreamingAccumulator(CTX, fed.key.keyId(), enc.chunksFor(length));
        for (int p = 0; p < parties; p++) {
            double[] u = update(rnd, length);
            for (int i = 0; i < length; i++) {
                expected[i] += u[i];
            }
            enc.encrypt(u, 1.0).forEach(acc::add);
        }
        List<Ciphertext> aggregate = acc.result();
        List<KeyShareHolder> holders = fed.holders();
        DecryptionCombiner combiner = fed.combiner();
        double[] decrypted = new double[length];
        for (Ciphertext ct : aggregate) {
            assertEquals(parties, ct.contributions());
            List<DecryptionShare> shares = new ArrayList<>();
            for (KeyShareHolder h : holders) {
                shares.add(h.decryptionShare(ct));
            }
            double[] part = combiner.combine(ct, shares);
            System.arraycopy(part, 0, decrypted, ct.chunk() * CTX.n(), part.length);
        }
        double bound = NoiseBudget.maxDecodedError(CTX, parties, parties, parties, fed.flooding);
        double err = maxError(expected, decrypted);
        assertTrue(err <= bound, "max error " + err + " exceeds the documented bound " + bound);
        // README "Precision": before rounding below 2^-31, after rounding to the 2^-30 grid below 2^-30
        assertTrue(NoiseBudget.maxAbsoluteError(CTX, parties, parties, fed.flooding) <= 0x1p-31,
                "documented default-set bound for <= 100 parties must stay below 2^-31");
        assertTrue(bound < 0x1p-30, "documented default-set decoded bound must stay below 2^-30: " + bound);
        // float32 precision: for every |sum| >= 2^-6 the error is below half a float32 ulp
        assertTrue(err < Math.ulp(0x1p-6f) / 2, "error " + err + " is not within float32 precision");
    }

    @Test
    void defaultSetCarriesSumsFarBeyondTheFastSetRange() {
        HeContext large = CTX;
        Federation fed = new Federation(large, 2);
        VectorEncryptor enc = new VectorEncryptor(large, fed.key, SecretRandom::create);
        double[] a = {1e11, -3.5e10, 0.75, 123456789.125};
        double[] b = {2.5e10, 1e10, -0.25, 1.0};
        StreamingAccumulator acc = new StreamingAccumulator(large, fed.key.keyId(), 1);
        enc.encrypt(a, 1.2e11).forEach(acc::add);
        enc.encrypt(b, 1.2e11).forEach(acc::add);
        Ciphertext ct = acc.result().get(0);
        List<DecryptionShare> shares = new ArrayList<>();
        for (KeyShareHolder h : fed.holders()) {
            shares.add(h.decryptionShare(ct));
        }
        double[] sum = fed.combiner().combine(ct, shares);
        double bound = NoiseBudget.maxDecodedError(large, 2, 2, 2, fed.flooding);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i] + b[i], sum[i], bound, "slot " + i);
        }
    }

    /**
     * Inputs on a coarse grid (multiples of 2^-10, e.g. quantised updates) decrypt to their sum
     * exactly: the combiner rounds to the guaranteed precision, so the decryption noise
     * (residual + flooding) is not handed to whoever reads the result.
     */
    @Test
    void sumsOnACoarseGridDecryptExactlyWithNoNoiseExposed() {
        Federation fed = new Federation(CTX, 3);
        VectorEncryptor enc = new VectorEncryptor(CTX, fed.key, SecretRandom::create);
        Random rnd = new Random(11);
        double[] expected = new double[CTX.n()];
        StreamingAccumulator acc = new StreamingAccumulator(CTX, fed.key.keyId(), 1);
        for (int p = 0; p < 3; p++) {
            double[] u = new double[CTX.n()];
            for (int i = 0; i < u.length; i++) {
                u[i] = Math.scalb((double) (rnd.nextInt(2048) - 1024), -10);
                expected[i] += u[i];
            }
            enc.encrypt(u, 1.0).forEach(acc::add);
        }
        Ciphertext ct = acc.result().get(0);
        List<DecryptionShare> shares = new ArrayList<>();
        for (KeyShareHolder h : fed.holders()) {
            shares.add(h.decryptionShare(ct));
        }
        double[] sum = fed.combiner().combine(ct, shares);
        for (int i = 0; i < sum.length; i++) {
            assertEquals(expected[i], sum[i], 0.0, "slot " + i + " must be exact, not sum + noise");
        }
    }

    @Test
    void contributorsNeedNotHoldKeysAndWeightedAveragingCarriesBothSums() {
        Federation fed = new Federation(CTX, 3);
        VectorEncryptor enc = new VectorEncryptor(CTX, fed.key, SecretRandom::create);
        double[][] updates = {{0.5, -0.25, 0.125}, {1.0, 1.0, -1.0}, {-0.75, 0.5, 0.0}};
        double[] counts = {120, 30, 850};
        StreamingAccumulator acc = new StreamingAccumulator(CTX, fed.key.keyId(), 1);
        for (int s = 0; s < 3; s++) {
            enc.encrypt(WeightedSum.pack(updates[s], counts[s]), 1000.0).forEach(acc::add);
        }
        Ciphertext ct = acc.result().get(0);
        List<DecryptionShare> shares = new ArrayList<>();
        for (KeyShareHolder h : fed.holders()) {
            shares.add(h.decryptionShare(ct));
        }
        WeightedSum sum = WeightedSum.unpack(fed.combiner().combine(ct, shares));
        assertEquals(1000.0, sum.totalWeight(), 1e-9);
        double[] avg = sum.average();
        for (int i = 0; i < 3; i++) {
            double exp = (updates[0][i] * 120 + updates[1][i] * 30 + updates[2][i] * 850) / 1000;
            assertEquals(exp, avg[i], 1e-9, "weighted average slot " + i);
        }
    }

    @Test
    void parallelEncryptionGivesTheSameSumAsSequential() throws Exception {
        Federation fed = new Federation(CTX, 2);
        VectorEncryptor enc = new VectorEncryptor(CTX, fed.key, SecretRandom::create);
        double[] v = update(new Random(5), 5 * CTX.n() + 7);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<Ciphertext> cts;
        try {
            cts = enc.encrypt(v, 1.0, pool, 3);
        } finally {
            pool.shutdown();
        }
        assertEquals(6, cts.size());
        List<KeyShareHolder> holders = fed.holders();
        DecryptionCombiner combiner = fed.combiner();
        double err = 0;
        for (Ciphertext ct : cts) {
            assertEquals(List.of(ct.chunk()), List.of(cts.indexOf(ct)), "chunks come back in order");
            List<DecryptionShare> shares = List.of(holders.get(0).decryptionShare(ct), holders.get(1).decryptionShare(ct));
            double[] part = combiner.combine(ct, shares);
            for (int i = 0; i < part.length; i++) {
                err = Math.max(err, Math.abs(part[i] - v[ct.chunk() * CTX.n() + i]));
            }
        }
        assertTrue(err <= NoiseBudget.maxDecodedError(CTX, 2, 1, 2, fed.flooding), "error " + err);
    }
}
