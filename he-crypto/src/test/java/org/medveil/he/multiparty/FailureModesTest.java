package org.medveil.he.multiparty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.he.Federation;
import org.medveil.he.HeException;
import org.medveil.he.InvalidShareException;
import org.medveil.he.MissingShareException;
import org.medveil.he.ParameterMismatchException;
import org.medveil.he.RepeatedDecryptionException;
import org.medveil.he.SeedAgreementException;
import org.medveil.he.ValueOutOfRangeException;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Encoder;
import org.medveil.he.rlwe.Encryptor;
import org.medveil.he.rlwe.Evaluator;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;

/** Wrong key shares, wrong parameters, missing shares and repeated requests fail loudly. */
@Tag("REQ-FL-1")
class FailureModesTest {

    private static final HeContext CTX = new HeContext(Params.defaults());
    private static final Federation FED = new Federation(CTX, 3);

    private static Ciphertext encrypt(Federation fed, double... values) {
        return new Encryptor(fed.context, fed.key, SecretRandom.create()).encrypt(new Encoder(fed.context).encode(values, 1.0), 0);
    }

    private static List<DecryptionShare> shares(List<KeyShareHolder> holders, Ciphertext ct) {
        List<DecryptionShare> out = new ArrayList<>();
        for (KeyShareHolder h : holders) {
            out.add(h.decryptionShare(ct));
        }
        return out;
    }

    @Test
    void shareFromAWrongKeyShareIsDetectedAtDecoding() {
        Ciphertext ct = encrypt(FED, 0.5, -0.5);
        // party 1 answers with a secret that is not the one behind the public key
        KeyShare forged = KeyShare.generate(CTX, Federation.partyId(1), SecretRandom.create());
        KeyShareHolder wrong = new KeyShareHolder(CTX, forged, FED.key, new InMemoryDecryptionLedger(),
                FED.flooding, 1, SecretRandom.create());
        List<DecryptionShare> shares = List.of(FED.holder(0, new InMemoryDecryptionLedger()).decryptionShare(ct),
                wrong.decryptionShare(ct), FED.holder(2, new InMemoryDecryptionLedger()).decryptionShare(ct));
        InvalidShareException e = assertThrows(InvalidShareException.class,
                () -> FED.combiner().combine(ct, shares));
        assertTrue(e.getMessage().contains("wrong key share"), e.getMessage());
    }

    @Test
    void missingShareIsNamed() {
        Ciphertext ct = encrypt(FED, 0.25);
        List<DecryptionShare> two = shares(FED.holders().subList(0, 2), ct);
        MissingShareException e = assertThrows(MissingShareException.class,
                () -> FED.combiner().combine(ct, two));
        assertTrue(e.getMessage().contains(Federation.partyId(2)), e.getMessage());
    }

    @Test
    void duplicateOrForeignOrMismatchedSharesAreRejected() {
        Ciphertext ct = encrypt(FED, 0.25);
        Ciphertext other = encrypt(FED, 0.75);
        List<KeyShareHolder> hs = FED.holders();
        DecryptionCombiner combiner = FED.combiner();
        DecryptionShare s0 = hs.get(0).decryptionShare(ct);
        DecryptionShare s1 = hs.get(1).decryptionShare(ct);
        DecryptionShare s2other = hs.get(2).decryptionShare(other);
        assertThrows(InvalidShareException.class, () -> combiner.combine(ct, List.of(s0, s1, s0)));
        assertThrows(InvalidShareException.class, () -> combiner.combine(ct, List.of(s0, s1, s2other)));
        Federation stranger = new Federation(CTX, 1);
        Ciphertext strangerCt = encrypt(stranger, 0.1);
        DecryptionShare foreign = stranger.holders().get(0).decryptionShare(strangerCt);
        assertThrows(InvalidShareException.class, () -> combiner.combine(ct, List.of(s0, s1, foreign)));
        // a holder refuses ciphertexts under another key
        assertThrows(ParameterMismatchException.class, () -> hs.get(0).decryptionShare(strangerCt));
    }

    @Test
    void secondRequestForTheSameCiphertextIsRefusedEvenWithAlteredC0() {
        Ciphertext ct = encrypt(FED, 0.5);
        KeyShareHolder h = FED.holder(0, new InMemoryDecryptionLedger());
        h.decryptionShare(ct);
        assertThrows(RepeatedDecryptionException.class, () -> h.decryptionShare(ct));
        Ciphertext tweaked = ct.copy();
        tweaked.c0().at(0)[0] ^= 1; // same c1: the same share request
        assertThrows(RepeatedDecryptionException.class, () -> h.decryptionShare(tweaked));
    }

    @Test
    void ledgerPersistsAcrossRestarts(@TempDir Path dir) throws Exception {
        Path ledgerFile = dir.resolve("decryption-ledger.txt");
        Ciphertext ct = encrypt(FED, 0.5);
        try (FileDecryptionLedger first = new FileDecryptionLedger(ledgerFile, false)) {
            FED.holder(0, first).decryptionShare(ct);
        }
        // a new process, a new holder object, the same file
        try (FileDecryptionLedger again = new FileDecryptionLedger(ledgerFile, false)) {
            KeyShareHolder restarted = FED.holder(0, again);
            RepeatedDecryptionException e = assertThrows(RepeatedDecryptionException.class,
                    () -> restarted.decryptionShare(ct));
            assertTrue(e.getMessage().contains(ct.shareRequestDigest()), e.getMessage());
        }
        assertTrue(Files.readString(ledgerFile).strip().equals(ct.shareRequestDigest()));
        Files.writeString(ledgerFile, "not-a-digest\n", java.nio.file.StandardOpenOption.APPEND);
        assertThrows(HeException.class, () -> new FileDecryptionLedger(ledgerFile));
    }

    @Test
    void holderRefusesAggregatesBelowTheMinimumContributions() {
        Ciphertext lone = encrypt(FED, 0.5);
        KeyShareHolder strict = new KeyShareHolder(CTX, FED.secrets.get(0), FED.key, new InMemoryDecryptionLedger(),
                FED.flooding, 2, SecretRandom.create());
        assertThrows(InvalidShareException.class, () -> strict.decryptionShare(lone));
        Ciphertext sum = lone.copy();
        new Evaluator(CTX).addInPlace(sum, encrypt(FED, 0.25));
        strict.decryptionShare(sum); // two contributions: accepted
    }

    @Test
    void wrongParametersAreRefusedEverywhere() {
        HeContext large = new HeContext(Params.byName(Params.FAST_NAME));
        Federation other = new Federation(large, 1);
        Ciphertext foreign = encrypt(other, 0.5);
        Ciphertext ours = encrypt(FED, 0.5);
        assertThrows(ParameterMismatchException.class, () -> new Evaluator(CTX).addInPlace(ours.copy(), foreign));
        assertThrows(ParameterMismatchException.class,
                () -> FED.holder(0, new InMemoryDecryptionLedger()).decryptionShare(foreign));
        assertThrows(ParameterMismatchException.class, () -> new DecryptionCombiner(CTX, other.key, FED.flooding));
        assertThrows(ParameterMismatchException.class, () -> new DecryptionCombiner(CTX, FED.key, other.flooding));
        assertThrows(ParameterMismatchException.class, () -> new Encryptor(CTX, other.key, SecretRandom.create()));
        assertThrows(ParameterMismatchException.class,
                () -> new StreamingAccumulator(CTX, FED.key.keyId(), 1).add(foreign));
    }

    @Test
    void sumsBeyondTheRangeAreRefusedBeforeTheyWrap() {
        Encoder enc = new Encoder(CTX);
        Encryptor e = new Encryptor(CTX, FED.key, SecretRandom.create());
        double big = CTX.params().maxSum() * 0.75;
        Ciphertext a = e.encrypt(enc.encode(new double[] {big}, big), 0);
        Ciphertext b = e.encrypt(enc.encode(new double[] {big}, big), 0);
        assertThrows(ValueOutOfRangeException.class, () -> new Evaluator(CTX).addInPlace(a, b));
        assertThrows(ValueOutOfRangeException.class, () -> enc.encode(new double[] {1.5}, 1.0));
    }

    @Test
    void accumulatorRejectsChunksOutsideTheVectorAndIncompleteStreams() {
        StreamingAccumulator acc = new StreamingAccumulator(CTX, FED.key.keyId(), 2);
        Encryptor e = new Encryptor(CTX, FED.key, SecretRandom.create());
        Encoder enc = new Encoder(CTX);
        acc.add(e.encrypt(enc.encode(new double[] {0.5}, 1.0), 0));
        assertThrows(HeException.class, acc::result); // chunk 1 missing
        acc.add(e.encrypt(enc.encode(new double[] {0.5}, 1.0), 1));
        acc.add(e.encrypt(enc.encode(new double[] {0.5}, 1.0), 1));
        assertThrows(HeException.class, acc::result); // 1 vs 2 contributions
        assertThrows(ParameterMismatchException.class, () -> acc.add(e.encrypt(enc.encode(new double[] {0.5}, 1.0), 2)));
    }

    @Test
    void aChunkTakenBackLeavesTheAccumulatorExactlyAsWithoutIt() {
        Encryptor e = new Encryptor(CTX, FED.key, SecretRandom.create());
        Encoder enc = new Encoder(CTX);
        Ciphertext a = e.encrypt(enc.encode(new double[] {0.5, -0.25}, 1.0), 0);
        Ciphertext b = e.encrypt(enc.encode(new double[] {0.125, 0.75}, 1.0), 0);
        Ciphertext c = e.encrypt(enc.encode(new double[] {-0.875, 0.0625}, 1.0), 0);
        StreamingAccumulator without = new StreamingAccumulator(CTX, FED.key.keyId(), 1);
        without.add(a);
        without.add(c);
        StreamingAccumulator taken = new StreamingAccumulator(CTX, FED.key.keyId(), 1);
        taken.add(a);
        taken.add(b); // a contribution refused later: added, then taken back
        taken.add(c);
        taken.subtract(b);
        Ciphertext x = without.result().get(0);
        Ciphertext y = taken.result().get(0);
        for (int l = 0; l < CTX.ring().primes(); l++) {
            assertArrayEquals(x.c0().at(l), y.c0().at(l));
            assertArrayEquals(x.c1().at(l), y.c1().at(l));
        }
        assertEquals(2, y.contributions());
        assertEquals(x.bound(), y.bound(), 0.0);
        DecryptionCombiner combiner = new DecryptionCombiner(CTX, FED.key, FED.flooding);
        assertArrayEquals(combiner.combine(x, shares(FED.holders(), x)), combiner.combine(y, shares(FED.holders(), y)));
        // a first contribution taken back leaves the position empty again; nothing else can be taken
        StreamingAccumulator first = new StreamingAccumulator(CTX, FED.key.keyId(), 1);
        first.add(b);
        first.subtract(b);
        assertThrows(HeException.class, first::result);
        assertThrows(HeException.class, () -> first.subtract(b));
    }

    @Test
    void seedAgreementRejectsForgedAndMissingReveals() {
        java.security.SecureRandom r = new java.security.SecureRandom();
        SeedAgreement.Contribution a = SeedAgreement.contribute("a", r);
        SeedAgreement.Contribution b = SeedAgreement.contribute("b", r);
        List<SeedAgreement.Commitment> commits = List.of(a.commitment(), b.commitment());
        byte[] seed = SeedAgreement.combine(commits, List.of(b.reveal(), a.reveal()));
        assertTrue(seed.length == 32);
        // b changes its nonce after seeing a's reveal
        SeedAgreement.Reveal changed = new SeedAgreement.Reveal("b", SeedAgreement.contribute("b", r).reveal().nonceHex());
        assertThrows(SeedAgreementException.class, () -> SeedAgreement.combine(commits, List.of(a.reveal(), changed)));
        assertThrows(SeedAgreementException.class, () -> SeedAgreement.combine(commits, List.of(a.reveal())));
        // different nonces give different seeds; the same reveals give the same seed
        byte[] again = SeedAgreement.combine(commits, List.of(a.reveal(), b.reveal()));
        assertTrue(java.util.Arrays.equals(seed, again));
    }

    @Test
    void keySharesFromAnotherSeedAreRejected() {
        byte[] seed1 = new byte[32];
        byte[] seed2 = new byte[32];
        seed2[0] = 1;
        CollectiveKeyGenerator g1 = new CollectiveKeyGenerator(CTX, seed1);
        CollectiveKeyGenerator g2 = new CollectiveKeyGenerator(CTX, seed2);
        KeyShare a = KeyShare.generate(CTX, "a", SecretRandom.create());
        KeyShare b = KeyShare.generate(CTX, "b", SecretRandom.create());
        assertThrows(InvalidShareException.class,
                () -> g1.combine(List.of(g1.share(a, SecretRandom.create()), g2.share(b, SecretRandom.create()))));
    }
}
