package org.medveil.he.multiparty;

import org.medveil.he.ring.SecretRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medveil.he.Federation;
import org.medveil.he.RepeatedDecryptionException;
import org.medveil.he.TestSigners;
import org.medveil.he.UnverifiedAggregateException;
import org.medveil.he.UnverifiedAggregateException.Reason;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Prng;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Encoder;
import org.medveil.he.rlwe.Encryptor;
import org.medveil.he.rlwe.Evaluator;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.he.verify.AggregateVerifier;
import org.medveil.he.verify.Challenge;
import org.medveil.he.verify.ChallengeResponse;
import org.medveil.he.verify.CiphertextTree;
import org.medveil.he.verify.DecryptionRequest;
import org.medveil.he.verify.LinearSketch;
import org.medveil.he.verify.SiteContribution;

/**
 * The attack spot checks alone do not stop: one coefficient of the aggregate's c1 raised by
 * D = 2^130 (above the scaled message, Δ = 2^122, and far below Q ≈ 2^162) makes the combined shares equal m + D·X^p·s, which gives away the whole collective
 * secret s. The spot checks catch it with probability k/(N/8) only; the secret sketch always.
 */
@Tag("REQ-FL-1")
class KeyRecoveryAttackTest {

    private static final HeContext CTX = new HeContext(Params.defaults());
    private static final Federation FED = new Federation(CTX, 3);
    private static final List<String> SITES = FED.key.parties();
    private static final TestSigners SIGNERS = new TestSigners(SITES);
    private static final BigInteger SPIKE = BigInteger.ONE.shiftLeft(130);
    private static final int POSITION = 77 * CiphertextTree.BLOCK + 3;

    private static byte[] newKey() {
        byte[] k = new byte[LinearSketch.KEY_BYTES];
        new SecureRandom().nextBytes(k);
        return k;
    }

    private record Round(List<Ciphertext> cts, List<SiteContribution> signed, Map<String, CiphertextTree> trees,
                         Ciphertext sum) {
        DecryptionRequest request(Ciphertext aggregate) {
            return new DecryptionRequest("job-s", 1, 0, aggregate, signed);
        }
    }

    private static Round round(LinearSketch sketch) {
        List<Ciphertext> cts = new ArrayList<>();
        List<SiteContribution> signed = new ArrayList<>();
        Map<String, CiphertextTree> trees = new TreeMap<>();
        Ciphertext sum = null;
        for (String site : SITES) {
            Ciphertext ct = new Encryptor(CTX, FED.key, SecretRandom.create()).encrypt(
                    new Encoder(CTX).encode(new double[] {0.5, -0.25, 0.125}, 1.0), 0);
            cts.add(ct);
            signed.add(SiteContribution.sign(CTX, "job-s", 1, List.of(ct), sketch, SIGNERS.signer(site)));
            trees.put(site, CiphertextTree.of(CTX, ct));
            if (sum == null) {
                sum = ct.copy();
            } else {
                new Evaluator(CTX).addInPlace(sum, ct);
            }
        }
        return new Round(cts, signed, trees, sum);
    }

    private static Ciphertext spiked(Ciphertext ct) {
        Ciphertext t = ct.copy();
        for (int l = 0; l < CTX.ring().primes(); l++) {
            long q = CTX.ring().modulus(l).value();
            t.c1().at(l)[POSITION] = (t.c1().at(l)[POSITION] + SPIKE.mod(BigInteger.valueOf(q)).longValue()) % q;
        }
        return t;
    }

    @Test
    void spotChecksAloneLetTheSpikeThroughMostOfTheTimeAndTheSharesRevealTheSecret() {
        LinearSketch sketch = new LinearSketch(CTX, newKey());
        Round r = round(sketch);
        DecryptionRequest request = r.request(spiked(r.sum()));
        AggregateVerifier spotOnly = new AggregateVerifier(CTX, FED.key.keyId(), SIGNERS, SITES, 2, 64, new SecureRandom());
        Challenge ch;
        do { // 93.75% of challenges miss block 77 at N = 8192, k = 64
            ch = spotOnly.challenge(request);
        } while (Arrays.binarySearch(ch.blocks(), POSITION / CiphertextTree.BLOCK) >= 0);
        Ciphertext passed = spotOnly.verify(request, ch, ChallengeResponse.answer(ch, request, r.trees())).aggregate();

        // every holder answers the "verified" aggregate; the coordinator combines
        Poly m = passed.c0().copy();
        for (int i = 0; i < SITES.size(); i++) {
            KeyShareHolder h = FED.holder(i, new InMemoryDecryptionLedger());
            CTX.ring().addInPlace(m, h.decryptionShare(passed).h());
        }
        long[] s = new long[CTX.n()];
        FED.secrets.forEach(k -> {
            long[] c = k.coefficients();
            for (int j = 0; j < s.length; j++) {
                s[j] += c[j];
            }
        });
        long[] recovered = new long[CTX.n()];
        for (int j = 0; j < CTX.n(); j++) {
            long rotated = Math.round(centered(m, j).doubleValue() / SPIKE.doubleValue()); // = (X^p·s)_j
            int src = j - POSITION;
            recovered[src >= 0 ? src : src + CTX.n()] = src >= 0 ? rotated : -rotated; // negacyclic: undo X^p
        }
        assertArrayEquals(s, recovered, "the combined shares of a spiked aggregate reveal the collective secret");

        // with the secret sketch the same aggregate is refused before any position is revealed
        AggregateVerifier withSketch = new AggregateVerifier(CTX, FED.key.keyId(), SIGNERS, SITES, 2, 64,
                new SecureRandom(), sketch);
        UnverifiedAggregateException e = assertThrows(UnverifiedAggregateException.class,
                () -> withSketch.challenge(request));
        assertEquals(Reason.SKETCH_MISMATCH, e.reason());
    }

    private static BigInteger centered(Poly m, int j) {
        BigInteger q = CTX.params().modulus();
        BigInteger x = BigInteger.ZERO;
        for (int l = 0; l < CTX.ring().primes(); l++) {
            BigInteger ql = BigInteger.valueOf(CTX.ring().modulus(l).value());
            BigInteger rest = q.divide(ql);
            x = x.add(BigInteger.valueOf(m.at(l)[j]).multiply(rest).multiply(rest.modInverse(ql)));
        }
        x = x.mod(q);
        return x.compareTo(q.shiftRight(1)) > 0 ? x.subtract(q) : x;
    }

    @Test
    void aSketchMismatchRefusesTheChunkForGood() {
        LinearSketch sketch = new LinearSketch(CTX, newKey());
        Round r = round(sketch);
        KeyShareHolder kh = FED.holder(0, InMemoryDecryptionLedger.verifiedOnlyLedger());
        VerifiedDecryption<DecryptionShare> h = VerifiedDecryption.of(kh,
                new AggregateVerifier(CTX, FED.key.keyId(), SIGNERS, SITES, 2, 64, new SecureRandom(), sketch));
        assertEquals(Reason.SKETCH_MISMATCH, assertThrows(UnverifiedAggregateException.class,
                () -> h.challenge(r.request(spiked(r.sum())))).reason());
        assertThrows(RepeatedDecryptionException.class, () -> h.challenge(r.request(r.sum())));
        // a fresh holder answers the honest aggregate
        VerifiedDecryption<DecryptionShare> h2 = VerifiedDecryption.of(FED.holder(1, InMemoryDecryptionLedger.verifiedOnlyLedger()),
                new AggregateVerifier(CTX, FED.key.keyId(), SIGNERS, SITES, 2, 64, new SecureRandom(), sketch));
        DecryptionRequest honest = r.request(r.sum());
        Challenge ch = h2.challenge(honest);
        assertEquals(1, h2.answer(List.of(honest), List.of(ChallengeResponse.answer(ch, honest, r.trees()))).size());
    }

    @Test
    void sketchesUnderAnotherKeyOrMissingAreRefused() {
        Round other = round(new LinearSketch(CTX, newKey()));
        AggregateVerifier v = new AggregateVerifier(CTX, FED.key.keyId(), SIGNERS, SITES, 2, 64, new SecureRandom(),
                new LinearSketch(CTX, newKey()));
        assertEquals(Reason.SKETCH_MISMATCH, assertThrows(UnverifiedAggregateException.class,
                () -> v.challenge(other.request(other.sum()))).reason());
        Round none = round(null);
        UnverifiedAggregateException e = assertThrows(UnverifiedAggregateException.class,
                () -> v.challenge(none.request(none.sum())));
        assertEquals(Reason.SKETCH_MISMATCH, e.reason());
        assertEquals(SITES.get(0), e.site());
    }

    /** Linearity: the sketch of a sum is the sum of the sketches; any single change breaks it. */
    @Property(tries = 25)
    void sketchIsLinearAndCatchesAnySingleChange(@ForAll @IntRange(min = 1, max = 5) int count,
                                                 @ForAll @IntRange(min = 0, max = 4095) int position,
                                                 @ForAll @IntRange(min = 0, max = 1) int poly,
                                                 @ForAll @IntRange(min = 0, max = 1) int prime,
                                                 @ForAll @LongRange(min = 1, max = (1L << 53)) long delta) {
        LinearSketch sketch = new LinearSketch(CTX, newKey());
        Encryptor enc = new Encryptor(CTX, FED.key, SecretRandom.create());
        List<long[]> parts = new ArrayList<>();
        Ciphertext sum = null;
        for (int i = 0; i < count; i++) {
            Ciphertext ct = enc.encrypt(new Encoder(CTX).encode(new double[] {0.1 * i}, 1.0), 0);
            parts.add(sketch.of("job-p", 3, 0, ct));
            if (sum == null) {
                sum = ct.copy();
            } else {
                new Evaluator(CTX).addInPlace(sum, ct);
            }
        }
        assertArrayEquals(LinearSketch.sum(CTX, parts), sketch.of("job-p", 3, 0, sum));
        long q = CTX.ring().modulus(prime).value();
        long[] r = (poly == 0 ? sum.c0() : sum.c1()).at(prime);
        r[position] = (r[position] + delta % q) % q;
        assertFalse(Arrays.equals(LinearSketch.sum(CTX, parts), sketch.of("job-p", 3, 0, sum)));
        // another round or chunk uses another vector
        assertNotEquals(sketch.of("job-p", 3, 0, sum)[2], sketch.of("job-p", 4, 0, sum)[2]);
    }
}
