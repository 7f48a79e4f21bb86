package org.medveil.he.threshold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medveil.he.Federation;
import org.medveil.he.InvalidShareException;
import org.medveil.he.MissingShareException;
import org.medveil.he.RepeatedDecryptionException;
import org.medveil.he.Rns;
import org.medveil.he.multiparty.NoiseBudget;
import org.medveil.he.multiparty.StreamingAccumulator;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Ring;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Encoder;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.he.rlwe.VectorEncryptor;

/** t-of-N: any t holders decrypt within the bound, t − 1 never do, and the guards hold. */
@Tag("REQ-FL-1")
class ThresholdDecryptionTest {

    private static final HeContext CTX = new HeContext(Params.defaults());
    private static final ThresholdFederation FIVE = new ThresholdFederation(CTX, 5, 3);

    /** Every party contributes an update on the 2^-31 grid; returns the aggregate and the exact sum. */
    private record Round(Ciphertext aggregate, double[] expected) {
    }

    private static Round round(ThresholdFederation tf, Random rnd) {
        int n = tf.fed.secrets.size();
        int length = 300;
        double[] expected = new double[length];
        VectorEncryptor enc = new VectorEncryptor(CTX, tf.fed.key, SecretRandom::create);
        StreamingAccumulator acc = new StreamingAccumulator(CTX, tf.fed.key.keyId(), 1);
        for (int p = 0; p < n; p++) {
            double[] u = new double[length];
            for (int i = 0; i < length; i++) {
                u[i] = Math.scalb((double) rnd.nextInt(), -31);
                expected[i] += u[i];
            }
            enc.encrypt(u, 1.0).forEach(acc::add);
        }
        return new Round(acc.result().get(0), expected);
    }

    private static double[] decrypt(ThresholdFederation tf, Ciphertext ct, List<Integer> members) {
        List<String> names = members.stream().map(Federation::partyId).toList();
        ActiveSet set = tf.threshold.activeSet(names);
        List<ThresholdDecryptionShare> shares = new ArrayList<>();
        for (int i : members) {
            shares.add(tf.holder(i).decryptionShare(ct, set));
        }
        return tf.combiner().combine(ct, set, shares);
    }

    private static void assertWithinBound(ThresholdFederation tf, Round r, double[] got, int active) {
        int n = tf.fed.secrets.size();
        double bound = NoiseBudget.maxDecodedError(CTX, n, n, active, tf.fed.flooding);
        for (int i = 0; i < r.expected().length; i++) {
            assertEquals(r.expected()[i], got[i], bound, "slot " + i + " with " + active + " active holders");
        }
    }

    private static List<List<Integer>> subsets(int n, int k) {
        List<List<Integer>> out = new ArrayList<>();
        for (int mask = 0; mask < 1 << n; mask++) {
            if (Integer.bitCount(mask) == k) {
                List<Integer> s = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if ((mask >> i & 1) != 0) {
                        s.add(i);
                    }
                }
                out.add(s);
            }
        }
        return out;
    }

    @Test
    void threeOfFiveDecryptsWithEverySubsetOfThreeOrMore() {
        Random rnd = new Random(35);
        int checked = 0;
        for (int k = 3; k <= 5; k++) {
            for (List<Integer> members : subsets(5, k)) {
                Round r = round(FIVE, rnd); // a fresh aggregate: each holder answers a ciphertext once
                assertWithinBound(FIVE, r, decrypt(FIVE, r.aggregate(), members), k);
                checked++;
            }
        }
        assertEquals(10 + 5 + 1, checked);
    }

    @Test
    void sevenOfTenDecryptsWithRandomSubsets() {
        ThresholdFederation ten = new ThresholdFederation(CTX, 10, 7);
        Random rnd = new Random(710);
        List<Integer> all = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        for (int trial = 0; trial < 6; trial++) {
            Collections.shuffle(all, rnd);
            List<Integer> members = new ArrayList<>(all.subList(0, 7));
            Round r = round(ten, rnd);
            assertWithinBound(ten, r, decrypt(ten, r.aggregate(), members), 7);
        }
        // six holders: refused, naming the four that did not answer
        List<String> six = all.subList(0, 6).stream().map(Federation::partyId).toList();
        MissingShareException e = assertThrows(MissingShareException.class, () -> ten.threshold.choose(six));
        for (int i : all.subList(6, 10)) {
            assertTrue(e.getMessage().contains(Federation.partyId(i)), e.getMessage());
        }
    }

    @Test
    void fewerThanTHoldersAreRefusedNamingWhoIsMissing() {
        Round r = round(FIVE, new Random(2));
        List<String> two = List.of(Federation.partyId(0), Federation.partyId(3));
        // the coordinator cannot form a set of t - 1
        MissingShareException choose = assertThrows(MissingShareException.class, () -> FIVE.threshold.choose(two));
        assertTrue(choose.getMessage().contains("needs 3 of the 5") && choose.getMessage().contains(Federation.partyId(1))
                && choose.getMessage().contains(Federation.partyId(4)), choose.getMessage());
        assertThrows(MissingShareException.class, () -> FIVE.threshold.activeSet(two));
        // a forged set of t - 1 (digest and all) is refused by the holder before it answers
        ActiveSet forged = new ActiveSet(FIVE.fed.key.keyId(), 3, two, "00".repeat(32));
        assertThrows(MissingShareException.class, () -> FIVE.holder(0).decryptionShare(r.aggregate(), forged));
        ActiveSet lowered = new ActiveSet(FIVE.fed.key.keyId(), 2, two, "00".repeat(32));
        assertThrows(InvalidShareException.class, () -> FIVE.holder(0).decryptionShare(r.aggregate(), lowered));
        // a set of three where only two answer: the combiner names the third
        ActiveSet set = FIVE.threshold.activeSet(List.of(Federation.partyId(0), Federation.partyId(2), Federation.partyId(3)));
        List<ThresholdDecryptionShare> partial = List.of(FIVE.holder(0).decryptionShare(r.aggregate(), set),
                FIVE.holder(3).decryptionShare(r.aggregate(), set));
        MissingShareException missing = assertThrows(MissingShareException.class,
                () -> FIVE.combiner().combine(r.aggregate(), set, partial));
        assertTrue(missing.getMessage().contains(Federation.partyId(2)), missing.getMessage());
    }

    /**
     * Without the guards, t − 1 shares still do not give the key: interpolating t − 1 of the σ_j
     * at 0 (a degree t − 2 fit) yields something other than s, which does not decrypt.
     */
    @Test
    void tMinusOneSharesDoNotInterpolateTheSecret() {
        Ring ring = CTX.ring();
        Round r = round(FIVE, new Random(3));
        Threshold lower = new Threshold(FIVE.fed.key.keyId(), 2, FIVE.threshold.parties());
        ActiveSet two = lower.activeSet(List.of(Federation.partyId(1), Federation.partyId(4)));
        Poly s = ring.newPoly();
        for (int i : new int[] {1, 4}) {
            Poly part = FIVE.shares.get(i).value();
            ring.mulScalarInPlace(part, lower.lagrange(two, Federation.partyId(i), ring));
            ring.addInPlace(s, part);
        }
        Poly m = r.aggregate().c0().copy();
        ring.addInPlace(m, Rns.times(ring, r.aggregate().c1(), s));
        assertThrows(org.medveil.he.ValueOutOfRangeException.class,
                () -> new Encoder(CTX).decode(m, r.expected().length, r.aggregate().bound()));
    }

    /** Inputs on a 2^-10 grid: the threshold combiner also rounds the noise away. */
    @Test
    void sumsOnACoarseGridDecryptExactly() {
        Random rnd = new Random(9);
        VectorEncryptor enc = new VectorEncryptor(CTX, FIVE.fed.key, SecretRandom::create);
        StreamingAccumulator acc = new StreamingAccumulator(CTX, FIVE.fed.key.keyId(), 1);
        double[] expected = new double[500];
        for (int p = 0; p < 5; p++) {
            double[] u = new double[500];
            for (int i = 0; i < u.length; i++) {
                u[i] = Math.scalb((double) (rnd.nextInt(2048) - 1024), -10);
                expected[i] += u[i];
            }
            enc.encrypt(u, 1.0).forEach(acc::add);
        }
        double[] got = decrypt(FIVE, acc.result().get(0), List.of(0, 2, 4));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], 0.0, "slot " + i);
        }
    }

    @Test
    void thresholdSharesAreFloodedAtTheFloor() {
        Ring ring = CTX.ring();
        Round r = round(FIVE, new Random(4));
        ActiveSet set = FIVE.threshold.activeSet(List.of(Federation.partyId(0), Federation.partyId(1), Federation.partyId(2)));
        ThresholdDecryptionShare h = FIVE.holder(1).decryptionShare(r.aggregate(), set);
        Poly exact = Rns.times(ring, r.aggregate().c1(), FIVE.shares.get(1).value());
        ring.mulScalarInPlace(exact, FIVE.threshold.lagrange(set, Federation.partyId(1), ring));
        Poly f = h.h().copy();
        ring.subInPlace(f, exact);
        double width = Math.scalb(1.0, FIVE.fed.flooding.bits());
        double max = 0;
        for (int j = 0; j < CTX.n(); j++) {
            double v = Rns.centered(ring, f, j).doubleValue();
            assertTrue(Math.abs(v) <= width, "flooding exceeds its bound at " + j);
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max > width * (1 - 0x1p-6), "threshold share flooding does not reach 2^" + FIVE.fed.flooding.bits());
    }

    @Test
    void aHolderAnswersACiphertextOnceWhateverTheActiveSet() {
        Round r = round(FIVE, new Random(5));
        ThresholdShareHolder h0 = FIVE.holder(0);
        ActiveSet a = FIVE.threshold.activeSet(List.of(Federation.partyId(0), Federation.partyId(1), Federation.partyId(2)));
        ActiveSet b = FIVE.threshold.activeSet(List.of(Federation.partyId(0), Federation.partyId(3), Federation.partyId(4)));
        h0.decryptionShare(r.aggregate(), a);
        assertThrows(RepeatedDecryptionException.class, () -> h0.decryptionShare(r.aggregate(), b));
        // a holder outside the set does not answer
        assertThrows(InvalidShareException.class, () -> FIVE.holder(4).decryptionShare(r.aggregate(), a));
    }

    @Test
    void sharesOfAnotherActiveSetOrACorruptDealingAreRefused() {
        Round r = round(FIVE, new Random(6));
        ActiveSet a = FIVE.threshold.activeSet(List.of(Federation.partyId(0), Federation.partyId(1), Federation.partyId(2)));
        ActiveSet b = FIVE.threshold.activeSet(List.of(Federation.partyId(0), Federation.partyId(2), Federation.partyId(4)));
        List<ThresholdDecryptionShare> mixed = List.of(FIVE.holder(0).decryptionShare(r.aggregate(), a),
                FIVE.holder(1).decryptionShare(r.aggregate(), a), FIVE.holder(2).decryptionShare(r.aggregate(), b));
        assertThrows(InvalidShareException.class, () -> FIVE.combiner().combine(r.aggregate(), a, mixed));
        // a holder whose threshold share is off by one coefficient: detected at decoding
        Poly bad = FIVE.shares.get(2).value();
        bad.at(0)[7] = (bad.at(0)[7] + 1) % CTX.ring().modulus(0).value();
        ThresholdKeyShare corrupt = new ThresholdKeyShare(CTX, Federation.partyId(2), FIVE.threshold, bad);
        ThresholdShareHolder wrong = new ThresholdShareHolder(CTX, corrupt, FIVE.fed.key,
                new org.medveil.he.multiparty.InMemoryDecryptionLedger(), FIVE.fed.flooding, 1, SecretRandom.create());
        Round r2 = round(FIVE, new Random(7));
        List<ThresholdDecryptionShare> shares = List.of(FIVE.holder(0).decryptionShare(r2.aggregate(), a),
                FIVE.holder(1).decryptionShare(r2.aggregate(), a), wrong.decryptionShare(r2.aggregate(), a));
        InvalidShareException e = assertThrows(InvalidShareException.class,
                () -> FIVE.combiner().combine(r2.aggregate(), a, shares));
        assertTrue(e.getMessage().contains("Shamir share"), e.getMessage());
    }

    @Test
    void setupRefusesMissingDuplicateAndMisroutedShares() {
        Thresholdizer th = new Thresholdizer(CTX, FIVE.threshold);
        Thresholdizer.Dealing d0 = th.deal(FIVE.fed.secrets.get(0), SecretRandom.create());
        Thresholdizer.Dealing d1 = th.deal(FIVE.fed.secrets.get(1), SecretRandom.create());
        Thresholdizer.Collector c = th.collector(Federation.partyId(2));
        c.add(d0.shareFor(Federation.partyId(2)));
        assertThrows(InvalidShareException.class, () -> c.add(d0.shareFor(Federation.partyId(2))));
        assertThrows(InvalidShareException.class, () -> c.add(d1.shareFor(Federation.partyId(3))));
        c.add(d1.shareFor(Federation.partyId(2)));
        MissingShareException e = assertThrows(MissingShareException.class, c::finish);
        for (int i : new int[] {2, 3, 4}) {
            assertTrue(e.getMessage().contains(Federation.partyId(i)), e.getMessage());
        }
        d0.destroy();
        assertThrows(IllegalStateException.class, () -> d0.shareFor(Federation.partyId(1)));
    }

    @Test
    void defaultThresholdIsTwoThirdsRoundedUp() {
        assertEquals(67, Threshold.defaultT(100));
        assertEquals(7, Threshold.defaultT(10));
        assertEquals(4, Threshold.defaultT(5));
        assertEquals(2, Threshold.defaultT(3));
        assertEquals(1, Threshold.defaultT(1));
        assertEquals(4, Threshold.defaultFor(FIVE.fed.key).t());
        assertThrows(IllegalArgumentException.class, () -> Threshold.of(FIVE.fed.key, 6));
        assertThrows(IllegalArgumentException.class, () -> Threshold.of(FIVE.fed.key, 0));
    }
}
