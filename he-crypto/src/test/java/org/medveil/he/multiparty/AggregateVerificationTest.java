package org.medveil.he.multiparty;

import org.medveil.he.ring.SecretRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medveil.he.Federation;
import org.medveil.he.RepeatedDecryptionException;
import org.medveil.he.TestSigners;
import org.medveil.he.UnverifiedAggregateException;
import org.medveil.he.UnverifiedAggregateException.Reason;
import org.medveil.he.ring.Prng;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Encoder;
import org.medveil.he.rlwe.Encryptor;
import org.medveil.he.rlwe.Evaluator;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.he.verify.AggregateVerifier;
import org.medveil.he.verify.BlockOpening;
import org.medveil.he.verify.Challenge;
import org.medveil.he.verify.ChallengeResponse;
import org.medveil.he.verify.CiphertextTree;
import org.medveil.he.verify.ContributionOpening;
import org.medveil.he.verify.ContributionRecord;
import org.medveil.he.verify.DecryptionRequest;
import org.medveil.he.verify.ContributionStatement;
import org.medveil.he.verify.SignedStatement;
import org.medveil.he.verify.SiteContribution;

/**
 * Issue 10 part 1: a key holder does not trust the coordinator's word. Each way a coordinator
 * could get something other than the sum of the listed signed contributions decrypted is refused
 * with its typed reason, and no share leaves the holder.
 */
@Tag("REQ-FL-1")
class AggregateVerificationTest {

    private static final HeContext CTX = new HeContext(Params.defaults());
    private static final int SITES = 4;
    private static final Federation FED = new Federation(CTX, SITES);
    private static final List<String> NAMES = FED.key.parties();
    private static final TestSigners SIGNERS = new TestSigners(NAMES);
    private static final String JOB = "job-7";
    private static final int MIN = 2;

    /**
     * The coordinator's view of one round of {@code chunks} chunks: every site's ciphertexts and
     * trees per chunk, and its signed contribution (one statement covering its records).
     */
    private static final class Coordinator {
        final long round;
        final List<Map<String, Ciphertext>> ctsByChunk = new ArrayList<>();
        final List<Map<String, CiphertextTree>> treesByChunk = new ArrayList<>();
        final Map<String, SiteContribution> signed = new LinkedHashMap<>();
        final Map<String, double[]> plain = new LinkedHashMap<>(); // chunk 0
        final Map<String, Ciphertext> cts;
        final Map<String, CiphertextTree> trees;

        Coordinator(long round) {
            this(round, 1);
        }

        Coordinator(long round, int chunks) {
            this.round = round;
            for (int chunk = 0; chunk < chunks; chunk++) {
                ctsByChunk.add(new LinkedHashMap<>());
                treesByChunk.add(new LinkedHashMap<>());
            }
            for (String site : NAMES) {
                List<Ciphertext> mine = new ArrayList<>();
                for (int chunk = 0; chunk < chunks; chunk++) {
                    SplittableRandom rnd = new SplittableRandom(round * 31 + chunk + 7L * site.hashCode());
                    double[] v = new double[300];
                    for (int j = 0; j < v.length; j++) {
                        v[j] = rnd.nextDouble(-1, 1);
                    }
                    Ciphertext ct = new Encryptor(CTX, FED.key, SecretRandom.create()).encrypt(new Encoder(CTX).encode(v, 1.0), chunk);
                    if (chunk == 0) {
                        plain.put(site, v);
                    }
                    mine.add(ct);
                    ctsByChunk.get(chunk).put(site, ct);
                    treesByChunk.get(chunk).put(site, CiphertextTree.of(CTX, ct));
                }
                signed.put(site, SiteContribution.sign(CTX, JOB, round, mine, null, SIGNERS.signer(site)));
            }
            cts = ctsByChunk.get(0);
            trees = treesByChunk.get(0);
        }

        Ciphertext sum(List<String> sites) {
            return sum(0, sites);
        }

        Ciphertext sum(int chunk, List<String> sites) {
            Ciphertext acc = ctsByChunk.get(chunk).get(sites.get(0)).copy();
            for (String s : sites.subList(1, sites.size())) {
                new Evaluator(CTX).addInPlace(acc, ctsByChunk.get(chunk).get(s));
            }
            return acc;
        }

        DecryptionRequest request(Ciphertext aggregate, List<String> listed) {
            return request(0, aggregate, listed);
        }

        DecryptionRequest request(int chunk, Ciphertext aggregate, List<String> listed) {
            List<SiteContribution> list = new ArrayList<>();
            listed.forEach(s -> list.add(signed.get(s)));
            return new DecryptionRequest(JOB, round, chunk, aggregate, list);
        }

        ChallengeResponse respond(Challenge ch, DecryptionRequest request) {
            return ChallengeResponse.answer(ch, request, treesByChunk.get(request.chunk()));
        }
    }

    private static SecureRandom seeded(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed); // before first use: a deterministic stream, so the statistics below are reproducible
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AggregateVerifier verifier(int k, SecureRandom random) {
        return new AggregateVerifier(CTX, FED.key.keyId(), SIGNERS, NAMES, MIN, k, random);
    }

    private static VerifiedDecryption<DecryptionShare> holder(int i) {
        KeyShareHolder h = new KeyShareHolder(CTX, FED.secrets.get(i), FED.key, InMemoryDecryptionLedger.verifiedOnlyLedger(),
                FED.flooding, 1, SecretRandom.create());
        return VerifiedDecryption.of(h, verifier(AggregateVerifier.DEFAULT_SPOT_CHECKS, new SecureRandom()));
    }

    private static DecryptionShare ask(VerifiedDecryption<DecryptionShare> h, Coordinator c, DecryptionRequest r) {
        Challenge ch = h.challenge(r);
        return h.answer(List.of(r), List.of(c.respond(ch, r))).get(0);
    }

    private static UnverifiedAggregateException refused(VerifiedDecryption<DecryptionShare> h, Coordinator c, DecryptionRequest r, Reason reason) {
        UnverifiedAggregateException e = assertThrows(UnverifiedAggregateException.class, () -> ask(h, c, r));
        assertEquals(reason, e.reason(), e.getMessage());
        return e;
    }

    @Test
    void honestAggregateIsVerifiedAndDecryptsToTheSum() {
        Coordinator c = new Coordinator(1);
        DecryptionRequest r = c.request(c.sum(NAMES), NAMES);
        List<DecryptionShare> shares = new ArrayList<>();
        for (int i = 0; i < SITES; i++) {
            shares.add(ask(holder(i), c, r));
        }
        double[] sum = new DecryptionCombiner(CTX, FED.key, FED.flooding).combine(r.aggregate(), shares);
        double bound = NoiseBudget.maxDecodedError(CTX, SITES, SITES, SITES, FED.flooding); // after rounding to the grid
        for (int j = 0; j < 300; j++) {
            double expected = 0;
            for (double[] v : c.plain.values()) {
                expected += v[j];
            }
            assertEquals(expected, sum[j], bound);
        }
    }

    @Test
    void forgedHeaderCountNoLongerMatters() {
        Coordinator c = new Coordinator(2);
        String lone = NAMES.get(0);
        // a single site's ciphertext whose header claims 50 contributions, listed alone: too few signed
        Ciphertext real = c.cts.get(lone);
        Ciphertext forged = new Ciphertext(real.paramsFingerprint(), real.keyId(), real.chunk(), real.valueCount(),
                real.bound(), 50, real.c0(), real.c1());
        refused(holder(0), c, c.request(forged, List.of(lone)), Reason.TOO_FEW);
        // the honest sum with its header count forged down to 1 is still the sum of its signed list
        Ciphertext sum = c.sum(NAMES);
        Ciphertext understated = new Ciphertext(sum.paramsFingerprint(), sum.keyId(), sum.chunk(), sum.valueCount(),
                sum.bound(), 1, sum.c0(), sum.c1());
        DecryptionShare share = ask(holder(1), c, c.request(understated, NAMES));
        assertEquals(sum.shareRequestDigest(), share.requestDigest());
    }

    @Test
    void singleSiteCiphertextPresentedAsAggregateIsRefused() {
        Coordinator c = new Coordinator(3);
        Ciphertext lone = c.cts.get(NAMES.get(2));
        // with the full signed list: its header does not add up
        refused(holder(3), c, c.request(lone, NAMES), Reason.HEADER_MISMATCH);
        // with a header forged to add up: the sum does not match at the first checked position
        Ciphertext disguised = new Ciphertext(lone.paramsFingerprint(), lone.keyId(), lone.chunk(), lone.valueCount(),
                SITES * lone.bound(), SITES, lone.c0(), lone.c1());
        UnverifiedAggregateException e = refused(holder(0), c, c.request(disguised, NAMES), Reason.SUM_MISMATCH);
        assertTrue(e.position() >= 0, e.getMessage());
        // with only its own record: too few; with its record repeated: duplicate site
        refused(holder(1), c, c.request(lone, List.of(NAMES.get(2))), Reason.TOO_FEW);
        refused(holder(2), c, c.request(lone, List.of(NAMES.get(2), NAMES.get(2), NAMES.get(2))), Reason.DUPLICATE_SITE);
    }

    @Test
    void allThenAllButOneForTheSameRoundIsRefused() {
        Coordinator c = new Coordinator(4);
        VerifiedDecryption<DecryptionShare> h = holder(0);
        ask(h, c, c.request(c.sum(NAMES), NAMES)); // "all": answered
        List<String> allButOne = NAMES.subList(0, SITES - 1);
        DecryptionRequest second = c.request(c.sum(allButOne), allButOne); // honest, signed, verifiable on its own
        assertThrows(RepeatedDecryptionException.class, () -> h.challenge(second));
        // the same order reversed on a fresh holder: "all but one" first, then "all" refused
        VerifiedDecryption<DecryptionShare> h2 = holder(1);
        ask(h2, c, second);
        assertThrows(RepeatedDecryptionException.class, () -> h2.challenge(c.request(c.sum(NAMES), NAMES)));
    }

    @Test
    void reRandomisedAggregateIsRefused() {
        Coordinator c = new Coordinator(5);
        Ciphertext sum = c.sum(NAMES);
        Ciphertext rerandomised = sum.copy(); // c + Enc(0): another c1, the same plaintext
        Ciphertext zero = new Encryptor(CTX, FED.key, SecretRandom.create()).encrypt(new Encoder(CTX).encode(new double[] {0}, 1e-9), 0);
        CTX.ring().addInPlace(rerandomised.c0(), zero.c0());
        CTX.ring().addInPlace(rerandomised.c1(), zero.c1());
        assertFalse(rerandomised.shareRequestDigest().equals(sum.shareRequestDigest()));
        // as a first request: not the sum of the signed list
        refused(holder(0), c, c.request(rerandomised, NAMES), Reason.SUM_MISMATCH);
        // after the honest aggregate was answered: the chunk is taken, whatever the ciphertext
        VerifiedDecryption<DecryptionShare> h = holder(1);
        ask(h, c, c.request(sum, NAMES));
        assertThrows(RepeatedDecryptionException.class, () -> h.challenge(c.request(rerandomised, NAMES)));
    }

    @Test
    void badMerkleProofIsRefused() {
        Coordinator c = new Coordinator(6);
        DecryptionRequest r = c.request(c.sum(NAMES), NAMES);
        for (int variant = 0; variant < 2; variant++) {
            VerifiedDecryption<DecryptionShare> h = holder(variant);
            Challenge ch = h.challenge(r);
            ChallengeResponse honest = c.respond(ch, r);
            List<ContributionOpening> openings = new ArrayList<>(honest.openings());
            ContributionOpening victim = openings.get(1);
            List<BlockOpening> blocks = new ArrayList<>(victim.blocks());
            BlockOpening b = blocks.get(3);
            long[] residues = b.residues();
            byte[][] siblings = b.siblings();
            if (variant == 0) {
                residues[5] = residues[5] == 0 ? 1 : residues[5] - 1; // an altered residue, still below q
            } else {
                siblings[2][7] ^= 1; // an altered path
            }
            blocks.set(3, new BlockOpening(b.block(), residues, siblings));
            openings.set(1, new ContributionOpening(victim.site(), victim.valueCount(), victim.bound(), blocks));
            ChallengeResponse forged = new ChallengeResponse(honest.jobId(), honest.round(), honest.chunk(), openings);
            UnverifiedAggregateException e = assertThrows(UnverifiedAggregateException.class,
                    () -> h.answer(List.of(r), List.of(forged)));
            assertEquals(Reason.PROOF_INVALID, e.reason(), e.getMessage());
            assertEquals(victim.site(), e.site());
        }
        // a header the site did not sign (another bound) does not lead to its root either
        VerifiedDecryption<DecryptionShare> h = holder(2);
        Challenge ch = h.challenge(r);
        ChallengeResponse honest = c.respond(ch, r);
        List<ContributionOpening> openings = new ArrayList<>(honest.openings());
        ContributionOpening o = openings.get(0);
        openings.set(0, new ContributionOpening(o.site(), o.valueCount(), o.bound() * 2, o.blocks()));
        UnverifiedAggregateException e = assertThrows(UnverifiedAggregateException.class, () -> h.answer(List.of(r),
                List.of(new ChallengeResponse(JOB, r.round(), r.chunk(), openings))));
        assertEquals(Reason.PROOF_INVALID, e.reason(), e.getMessage());
    }

    @Test
    void tamperingHalfTheBlocksIsCaught() {
        Coordinator c = new Coordinator(7);
        Ciphertext tampered = c.sum(NAMES);
        int blocks = CiphertextTree.blocks(CTX);
        SplittableRandom rnd = new SplittableRandom(7);
        for (int b = 0; b < blocks; b += 2) { // every other block of c1: f = 1/2, miss probability 2^-64 at k = 64
            int pos = b * CiphertextTree.BLOCK + rnd.nextInt(CiphertextTree.BLOCK);
            long[] r = tampered.c1().at(0);
            r[pos] = (r[pos] + 1) % CTX.ring().modulus(0).value();
        }
        for (int i = 0; i < SITES; i++) {
            UnverifiedAggregateException e = refused(holder(i), c, c.request(tampered, NAMES), Reason.SUM_MISMATCH);
            assertEquals(0, (e.position() / CiphertextTree.BLOCK) % 2, "mismatch reported in an untampered block");
        }
        assertTrue(AggregateVerifier.missProbability(blocks, 64, blocks / 2) < 1e-19);
    }

    @Test
    void oneTamperedBlockIsCaughtAtTheExactRateKOverM() {
        // the exact miss probability for one tampered block is 1 - k/M; measure it on the real verifier
        Coordinator c = new Coordinator(8);
        int blocks = CiphertextTree.blocks(CTX);
        int k = AggregateVerifier.DEFAULT_SPOT_CHECKS;
        double expected = 1 - AggregateVerifier.missProbability(blocks, k, 1);
        assertEquals((double) k / blocks, expected, 1e-12);
        List<String> two = NAMES.subList(0, 2);
        Ciphertext twoSum = c.sum(two);
        int pos = 77 * CiphertextTree.BLOCK + 3; // block 77
        long[] r2 = twoSum.c1().at(1);
        r2[pos] = (r2[pos] + (1L << 40)) % CTX.ring().modulus(1).value(); // the kind of change that exposes the key
        DecryptionRequest request = c.request(twoSum, two);
        // signatures are not the subject here: accept them, so the trials measure the block draw only
        AggregateVerifier v = new AggregateVerifier(CTX, FED.key.keyId(), (site, m, sig, cred) -> { }, NAMES, MIN, k,
                seeded(20240610L));
        int trials = 1000;
        int caught = 0;
        for (int t = 0; t < trials; t++) {
            Challenge ch = v.challenge(request);
            try {
                v.verify(request, ch, c.respond(ch, request));
            } catch (UnverifiedAggregateException e) {
                assertEquals(Reason.SUM_MISMATCH, e.reason());
                assertEquals(pos, e.position());
                caught++;
            }
        }
        double sd = Math.sqrt(trials * expected * (1 - expected));
        assertTrue(Math.abs(caught - trials * expected) < 5 * sd,
                "caught " + caught + " of " + trials + ", expected " + trials * expected + " +- " + 5 * sd);
    }

    @Test
    void contributionsOfAnotherRoundJobOrChunkOrSiteAreRefused() {
        Coordinator c = new Coordinator(9);
        Coordinator other = new Coordinator(10);
        // one site's statement and records signed for round 10 in a round-9 request
        List<SiteContribution> mixed = new ArrayList<>();
        NAMES.forEach(s -> mixed.add(c.signed.get(s)));
        mixed.set(1, other.signed.get(NAMES.get(1)));
        DecryptionRequest r = new DecryptionRequest(JOB, 9, 0, c.sum(NAMES), mixed);
        UnverifiedAggregateException e = assertThrows(UnverifiedAggregateException.class, () -> holder(0).challenge(r));
        assertEquals(Reason.WRONG_ROUND, e.reason());
        assertEquals(NAMES.get(1), e.site());
        // a site outside the job
        TestSigners strangers = new TestSigners(List.of("site-999"));
        SiteContribution stranger = SiteContribution.sign(CTX, JOB, 9, List.of(c.cts.get(NAMES.get(0))), null,
                strangers.signer("site-999"));
        List<SiteContribution> withStranger = new ArrayList<>(mixed.subList(0, 1));
        withStranger.add(stranger);
        e = assertThrows(UnverifiedAggregateException.class,
                () -> holder(0).challenge(new DecryptionRequest(JOB, 9, 0, c.sum(NAMES), withStranger)));
        assertEquals(Reason.UNKNOWN_SITE, e.reason());
    }

    @Test
    void statementsOfAnotherJobRoundOrSiteAreRefused() {
        Coordinator c = new Coordinator(20);
        String a = NAMES.get(0);
        String b = NAMES.get(1);
        List<ContributionRecord> recordsOfA = c.signed.get(a).records();
        // a's own records and ciphertexts, validly signed by a, but for another job
        List<ContributionRecord> otherJob = recordsOfA.stream().map(r -> new ContributionRecord("job-8", r.round(),
                r.chunk(), r.site(), r.digest(), r.sketch())).toList();
        UnverifiedAggregateException e = refusedAt(c, 0, SiteContribution.sign(otherJob, SIGNERS.signer(a)));
        assertEquals(Reason.WRONG_ROUND, e.reason(), e.getMessage());
        // ... for another round
        List<ContributionRecord> otherRound = recordsOfA.stream().map(r -> new ContributionRecord(JOB, 21, r.chunk(),
                r.site(), r.digest(), r.sketch())).toList();
        e = refusedAt(c, 0, SiteContribution.sign(otherRound, SIGNERS.signer(a)));
        assertEquals(Reason.WRONG_ROUND, e.reason(), e.getMessage());
        // a statement of a (signed by a) that covers b's records: the records name another site
        List<ContributionRecord> recordsOfB = c.signed.get(b).records();
        ContributionStatement aOverB = new ContributionStatement(JOB, 20, a, recordsOfB.size(),
                ContributionStatement.recordsDigest(recordsOfB));
        e = refusedAt(c, 0, new SiteContribution(SignedStatement.sign(aOverB, SIGNERS.signer(a)), recordsOfB));
        assertEquals(Reason.WRONG_ROUND, e.reason(), e.getMessage());
        assertEquals(a, e.site());
        // b's records under a's statement: not the records a's statement covers
        e = refusedAt(c, 0, new SiteContribution(c.signed.get(a).signed(), recordsOfB));
        assertEquals(Reason.NOT_COVERED, e.reason(), e.getMessage());
    }

    @Test
    void recordsNotCoveredByTheStatementAreRefused() {
        Coordinator c = new Coordinator(21, 3);
        String a = NAMES.get(2);
        SiteContribution honest = c.signed.get(a);
        List<ContributionRecord> recs = honest.records();
        // one record altered (another digest: e.g. the root of another ciphertext)
        List<ContributionRecord> altered = new ArrayList<>(recs);
        ContributionRecord r1 = recs.get(1);
        byte[] d = r1.digest();
        d[0] ^= 1;
        altered.set(1, new ContributionRecord(r1.jobId(), r1.round(), r1.chunk(), r1.site(), d, r1.sketch()));
        UnverifiedAggregateException e = refusedAt(c, 1, new SiteContribution(honest.signed(), altered));
        assertEquals(Reason.NOT_COVERED, e.reason(), e.getMessage());
        assertEquals(a, e.site());
        // ... and refused at every chunk, not only the altered one
        e = refusedAt(c, 0, new SiteContribution(honest.signed(), altered));
        assertEquals(Reason.NOT_COVERED, e.reason(), e.getMessage());
        // a record dropped, or two swapped
        e = refusedAt(c, 0, new SiteContribution(honest.signed(), recs.subList(0, 2)));
        assertEquals(Reason.NOT_COVERED, e.reason(), e.getMessage());
        List<ContributionRecord> swapped = new ArrayList<>(List.of(recs.get(1), recs.get(0), recs.get(2)));
        e = refusedAt(c, 2, new SiteContribution(honest.signed(), swapped));
        assertEquals(Reason.NOT_COVERED, e.reason(), e.getMessage());
        // the honest list verifies at every chunk, on the same verifier
        AggregateVerifier v = verifier(64, new SecureRandom());
        for (int chunk = 0; chunk < 3; chunk++) {
            DecryptionRequest ok = c.request(chunk, c.sum(chunk, NAMES), NAMES);
            Challenge ch = v.challenge(ok);
            v.verify(ok, ch, c.respond(ch, ok));
        }
    }

    @Test
    void aTamperedStatementIsRefusedEvenAfterTheHonestOneWasVerified() {
        Coordinator c = new Coordinator(22, 2);
        AggregateVerifier v = verifier(64, new SecureRandom());
        v.challenge(c.request(0, c.sum(0, NAMES), NAMES)); // every honest statement verified and remembered
        String a = NAMES.get(3);
        SiteContribution honest = c.signed.get(a);
        ContributionStatement s = honest.statement();
        // the signed bytes changed (one more chunk claimed), signature and credential kept
        ContributionStatement more = new ContributionStatement(s.jobId(), s.round(), s.site(), s.chunks() + 1,
                s.recordsDigest());
        SiteContribution tampered = new SiteContribution(new SignedStatement(more, honest.signed().signature(),
                honest.signed().credential()), honest.records());
        UnverifiedAggregateException e = assertThrows(UnverifiedAggregateException.class,
                () -> v.challenge(withReplaced(c, 1, a, tampered)));
        assertEquals(Reason.NOT_COVERED, e.reason(), e.getMessage()); // the count no longer matches the records
        // the records digest changed to cover altered records, signature kept
        List<ContributionRecord> altered = new ArrayList<>(honest.records());
        ContributionRecord r1 = altered.get(1);
        altered.set(1, new ContributionRecord(r1.jobId(), r1.round(), r1.chunk(), r1.site(),
                c.trees.get(NAMES.get(0)).root(), r1.sketch()));
        ContributionStatement redigested = ContributionStatement.covering(altered);
        SiteContribution resigned = new SiteContribution(new SignedStatement(redigested, honest.signed().signature(),
                honest.signed().credential()), altered);
        e = assertThrows(UnverifiedAggregateException.class, () -> v.challenge(withReplaced(c, 1, a, resigned)));
        assertEquals(Reason.BAD_SIGNATURE, e.reason(), e.getMessage());
        assertEquals(a, e.site());
        // the honest statement with one signature byte flipped
        byte[] sig = honest.signed().signature();
        sig[sig.length - 1] ^= 1;
        SiteContribution flipped = new SiteContribution(new SignedStatement(s, sig, honest.signed().credential()),
                honest.records());
        e = assertThrows(UnverifiedAggregateException.class, () -> v.challenge(withReplaced(c, 1, a, flipped)));
        assertEquals(Reason.BAD_SIGNATURE, e.reason(), e.getMessage());
    }

    @Test
    void eachStatementSignatureIsVerifiedOncePerRound() {
        int chunks = 4;
        Coordinator c = new Coordinator(23, chunks);
        List<String> calls = new ArrayList<>();
        AggregateVerifier v = new AggregateVerifier(CTX, FED.key.keyId(), (site, m, sig, cred) -> {
            calls.add(site);
            SIGNERS.verify(site, m, sig, cred);
        }, NAMES, MIN, 64, new SecureRandom());
        for (int chunk = 0; chunk < chunks; chunk++) {
            DecryptionRequest r = c.request(chunk, c.sum(chunk, NAMES), NAMES);
            Challenge ch = v.challenge(r);
            v.verify(r, ch, c.respond(ch, r));
        }
        assertEquals(NAMES, calls, "one verification per site and round, not per chunk");
    }

    @Test
    void recordsHashedOneAtATimeFromAStreamMatchTheStatementOnlyWhenUnchanged() {
        Coordinator c = new Coordinator(25, 3);
        SiteContribution sc = c.signed.get(NAMES.get(1));
        ContributionStatement.RecordsHasher h = new ContributionStatement.RecordsHasher(3);
        sc.records().forEach(r -> h.add(r.canonicalBytes()));
        byte[] streamed = h.digest();
        assertArrayEquals(ContributionStatement.recordsDigest(sc.records()), streamed);
        assertTrue(sc.statement().covers(streamed));
        // one bit of one record's bytes changed: not covered
        ContributionStatement.RecordsHasher altered = new ContributionStatement.RecordsHasher(3);
        for (int i = 0; i < 3; i++) {
            byte[] b = sc.records().get(i).canonicalBytes();
            if (i == 2) {
                b[b.length - 1] ^= 1;
            }
            altered.add(b);
        }
        assertFalse(sc.statement().covers(altered.digest()));
        // another number of records than announced is no digest at all
        ContributionStatement.RecordsHasher short1 = new ContributionStatement.RecordsHasher(3);
        short1.add(sc.records().get(0).canonicalBytes());
        assertThrows(IllegalStateException.class, short1::digest);
        // the coordinator opens blocks knowing only the listed site names: the holder verifies that answer
        AggregateVerifier v = verifier(64, new SecureRandom());
        DecryptionRequest request = c.request(1, c.sum(1, NAMES), NAMES);
        Challenge ch = v.challenge(request);
        v.verify(request, ch, ChallengeResponse.answer(ch, NAMES, c.treesByChunk.get(1)));
    }

    @Test
    void statementsAndRecordsReadBackOnlyFromTheirExactBytes() {
        Coordinator c = new Coordinator(24);
        SiteContribution sc = c.signed.get(NAMES.get(0));
        ContributionRecord r = sc.records().get(0);
        assertEquals(r, ContributionRecord.parse(r.canonicalBytes()));
        byte[] statement = sc.signed().signedBytes();
        assertEquals(sc.statement(), SignedStatement.fromSignedBytes(statement, sc.signed().signature(),
                sc.signed().credential()).statement());
        byte[] longer = java.util.Arrays.copyOf(statement, statement.length + 1);
        assertThrows(IllegalArgumentException.class, () -> ContributionStatement.parse(longer));
        assertThrows(IllegalArgumentException.class, () -> ContributionStatement.parse(r.canonicalBytes()));
        assertThrows(IllegalArgumentException.class,
                () -> ContributionRecord.parse(java.util.Arrays.copyOf(r.canonicalBytes(), 40)));
    }

    /** The honest request for {@code chunk} with site {@code site}'s contribution replaced. */
    private static DecryptionRequest withReplaced(Coordinator c, int chunk, String site, SiteContribution replacement) {
        List<SiteContribution> list = new ArrayList<>();
        NAMES.forEach(s -> list.add(s.equals(site) ? replacement : c.signed.get(s)));
        return new DecryptionRequest(JOB, c.round, chunk, c.sum(chunk, NAMES), list);
    }

    private static UnverifiedAggregateException refusedAt(Coordinator c, int chunk, SiteContribution replacement) {
        DecryptionRequest r = withReplaced(c, chunk, replacement.site(), replacement);
        return assertThrows(UnverifiedAggregateException.class, () -> holder(0).challenge(r));
    }

    @Test
    void signatureByOneSiteClaimedAsAnotherIsRefused() {
        Coordinator c = new Coordinator(11);
        String a = NAMES.get(0);
        String b = NAMES.get(1);
        List<SiteContribution> list = new ArrayList<>();
        NAMES.forEach(s -> list.add(c.signed.get(s)));
        SiteContribution ofB = c.signed.get(b);
        ContributionStatement statementOfB = ofB.statement();
        // signed with a's key, presented with b's credential: the signature does not verify
        SiteContribution forged = new SiteContribution(new SignedStatement(statementOfB,
                SIGNERS.signer(a).sign(statementOfB.canonicalBytes()), SIGNERS.signer(b).credential()), ofB.records());
        list.set(1, forged);
        UnverifiedAggregateException e = assertThrows(UnverifiedAggregateException.class,
                () -> holder(0).challenge(new DecryptionRequest(JOB, 11, 0, c.sum(NAMES), list)));
        assertEquals(Reason.BAD_SIGNATURE, e.reason());
        assertEquals(b, e.site());
        // signed with a's key and a's credential, claiming b: the credential is not b's
        list.set(1, new SiteContribution(SignedStatement.sign(statementOfB, SIGNERS.impostor(b, a)), ofB.records()));
        e = assertThrows(UnverifiedAggregateException.class,
                () -> holder(0).challenge(new DecryptionRequest(JOB, 11, 0, c.sum(NAMES), list)));
        assertEquals(Reason.UNKNOWN_SITE, e.reason());
    }

    @Test
    void responsesThatDoNotAnswerTheChallengeAreRefused() {
        Coordinator c = new Coordinator(12);
        DecryptionRequest r = c.request(c.sum(NAMES), NAMES);
        // an opening missing
        VerifiedDecryption<DecryptionShare> h0 = holder(0);
        Challenge ch0 = h0.challenge(r);
        ChallengeResponse full = c.respond(ch0, r);
        ChallengeResponse missing = new ChallengeResponse(JOB, r.round(), r.chunk(), full.openings().subList(0, SITES - 1));
        UnverifiedAggregateException e = assertThrows(UnverifiedAggregateException.class,
                () -> h0.answer(List.of(r), List.of(missing)));
        assertEquals(Reason.MALFORMED_RESPONSE, e.reason());
        // other blocks than the challenged ones
        VerifiedDecryption<DecryptionShare> h1 = holder(1);
        Challenge ch1 = h1.challenge(r);
        int[] shifted = ch1.blocks();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] = (shifted[i] + 1) % CiphertextTree.blocks(CTX);
        }
        Map<String, CiphertextTree> trees = c.trees;
        List<ContributionOpening> wrong = new ArrayList<>();
        NAMES.forEach(s -> wrong.add(ContributionOpening.open(s, trees.get(s), shifted)));
        e = assertThrows(UnverifiedAggregateException.class,
                () -> h1.answer(List.of(r), List.of(new ChallengeResponse(JOB, r.round(), r.chunk(), wrong))));
        assertEquals(Reason.MALFORMED_RESPONSE, e.reason());
        // the aggregate changed after the challenge (the coordinator learnt the positions)
        VerifiedDecryption<DecryptionShare> h2 = holder(2);
        Challenge ch2 = h2.challenge(r);
        DecryptionRequest changed = c.request(c.sum(NAMES.subList(0, 3)), NAMES.subList(0, 3));
        e = assertThrows(UnverifiedAggregateException.class,
                () -> h2.answer(List.of(changed), List.of(c.respond(ch2, changed))));
        assertEquals(Reason.MALFORMED_RESPONSE, e.reason());
    }

    @Test
    void aFailedChunkIsNeverAnsweredAndChallengesAreNotRedrawn() {
        Coordinator c = new Coordinator(13);
        VerifiedDecryption<DecryptionShare> h = holder(0);
        Ciphertext lone = c.cts.get(NAMES.get(0));
        DecryptionRequest bad = c.request(lone, NAMES);
        Challenge ch = h.challenge(bad);
        assertArrayEquals(ch.blocks(), h.challenge(bad).blocks()); // asking again: the same positions
        DecryptionRequest other = c.request(c.sum(NAMES), NAMES);
        assertThrows(RepeatedDecryptionException.class, () -> h.challenge(other)); // no fresh positions for a new aggregate
        assertThrows(UnverifiedAggregateException.class, () -> h.answer(List.of(bad), List.of(c.respond(ch, bad))));
        // after the failure the honest aggregate is refused too: no retry until a tamper slips through
        assertThrows(RepeatedDecryptionException.class, () -> h.challenge(other));
    }

    @Test
    void verifiedOnlyLedgerRefusesTheUnverifiedPath() {
        Coordinator c = new Coordinator(14);
        KeyShareHolder h = new KeyShareHolder(CTX, FED.secrets.get(0), FED.key, InMemoryDecryptionLedger.verifiedOnlyLedger(),
                FED.flooding, 1, SecretRandom.create());
        UnverifiedAggregateException e = assertThrows(UnverifiedAggregateException.class,
                () -> h.decryptionShare(c.sum(NAMES)));
        assertEquals(Reason.NOT_VERIFIED, e.reason());
    }

    @Test
    void aRoundIsReservedWithOneWriteBeforeAnyShare() {
        // three chunks of one round answered as one batch; the ledger sees a single reservation
        Coordinator round = new Coordinator(15, 3);
        List<List<String>> writes = new ArrayList<>();
        Set<String> reservedBeforeShare = new HashSet<>();
        DecryptionLedger recording = new DecryptionLedger() {
            final InMemoryDecryptionLedger inner = InMemoryDecryptionLedger.verifiedOnlyLedger();

            @Override
            public void recordOrRefuse(String d) {
                assertTrue(inner.contains(d), "share computed before its reservation");
                reservedBeforeShare.add(d);
                inner.recordOrRefuse(d);
            }

            @Override
            public boolean contains(String d) {
                return inner.contains(d);
            }

            @Override
            public void reserve(List<LedgerEntry> entries) {
                writes.add(entries.stream().map(LedgerEntry::line).toList());
                inner.reserve(entries);
            }

            @Override
            public void refuseForever(List<LedgerEntry.Chunk> cs) {
                inner.refuseForever(cs);
            }

            @Override
            public boolean isDecided(LedgerEntry.Chunk chunk) {
                return inner.isDecided(chunk);
            }

            @Override
            public boolean verifiedOnly() {
                return true;
            }
        };
        KeyShareHolder kh = new KeyShareHolder(CTX, FED.secrets.get(0), FED.key, recording, FED.flooding, 1,
                SecretRandom.create());
        VerifiedDecryption<DecryptionShare> h = VerifiedDecryption.of(kh, verifier(64, new SecureRandom()));
        List<DecryptionRequest> requests = new ArrayList<>();
        List<ChallengeResponse> responses = new ArrayList<>();
        for (int chunk = 0; chunk < 3; chunk++) {
            DecryptionRequest r = round.request(chunk, round.sum(chunk, NAMES), NAMES);
            requests.add(r);
            responses.add(round.respond(h.challenge(r), r));
        }
        List<DecryptionShare> shares = h.answer(requests, responses);
        assertEquals(3, shares.size());
        assertEquals(1, writes.size());
        assertEquals(3, writes.get(0).size());
        assertEquals(3, reservedBeforeShare.size());
    }
}
