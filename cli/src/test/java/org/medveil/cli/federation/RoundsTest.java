package org.medveil.cli.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.coordinator.rounds.JobPlan;
import org.medveil.coordinator.rounds.JobRun;
import org.medveil.coordinator.rounds.RoundFailedException;
import org.medveil.coordinator.rounds.RoundListener;
import org.medveil.he.multiparty.FileDecryptionLedger;
import org.medveil.he.multiparty.FloodingNoise;
import org.medveil.he.multiparty.LedgerEntry;
import org.medveil.he.multiparty.NoiseBudget;
import org.medveil.he.multiparty.StreamingAccumulator;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.KeyId;
import org.medveil.he.rlwe.Params;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.Encoder;
import org.medveil.he.rlwe.Encryptor;
import org.medveil.he.rlwe.PublicKey;
import org.medveil.he.verify.ContributionRecord;
import org.medveil.he.wire.WireCodec;
import org.medveil.proto.rounds.HeMode;
import org.medveil.proto.rounds.Metrics;
import org.medveil.proto.rounds.RoundResult;
import org.medveil.proto.rounds.RoundsMessage;
import org.medveil.proto.rounds.RoundsMessage.BodyCase;
import org.medveil.proto.rounds.SealedShares;
import org.medveil.proto.rounds.ContributionRef;
import org.medveil.site.federation.KeyVault;
import org.medveil.site.federation.LocalTraining.TrainingOutcome;

/**
 * The rounds protocol end to end in one JVM: three sites with real kits, HE key setup with the
 * sealed t-of-N dealing, encrypted signed updates, verified threshold decryption, dropouts and a
 * malicious coordinator. HE set {@code n4096} and a 4000-parameter model (two chunks) keep it fast.
 */
@Timeout(300)
class RoundsTest {

    private static final String FAST = Params.FAST_NAME;

    @TempDir
    Path dir;

    private static void assertModelsClose(float[] expected, float[] actual, double absolute, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double tol = absolute + 4 * Math.ulp(Math.abs(expected[i]) + 1f);
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol, what + ": parameter " + i + " is " + actual[i]
                    + ", expected " + expected[i] + " within " + tol);
        }
    }

    private float[] reference(int rounds) {
        float[] w = RoundsHarness.initialModel();
        for (int r = 0; r < rounds; r++) {
            w = RoundsHarness.referenceRound(w, RoundsHarness.SITES);
        }
        return w;
    }

    @Test
    @Tag("REQ-FL-1")
    void threeEncryptedRoundsGiveThePlaintextFedAvgModel() throws Exception {
        float[] plain;
        try (RoundsHarness h = new RoundsHarness(dir.resolve("plain"))) {
            JobRun run = h.start(RoundsHarness.plan(null, 0, 3, 3, Duration.ofSeconds(60)), new RoundListener() { });
            plain = run.run(RoundsHarness.initialModel());
            assertEquals(HeMode.HE_MODE_PLAINTEXT, run.results().get(2).getHeMode());
        }
        assertModelsClose(reference(3), plain, 0, "plaintext run vs FedAvg computed by the test");

        List<String> journal = new CopyOnWriteArrayList<>();
        float[] encrypted;
        try (RoundsHarness h = new RoundsHarness(dir.resolve("he"))) {
            JobRun run = h.start(RoundsHarness.plan(FAST, 3, 3, 3, Duration.ofSeconds(60)), new RoundListener() {
                @Override
                public void keyReady(String jobId, String keyIdHex, byte[] publicKey) {
                    journal.add("key " + keyIdHex.length());
                }

                @Override
                public void contributionRecorded(String jobId, int round, String site, ContributionRef c) {
                    journal.add("contribution " + round + " " + site + " " + c.getRecordsObject()
                            + (c.hasStatement() ? " signed" : ""));
                }

                @Override
                public void decryptionReserved(String jobId, int round, List<String> set, byte[] sha) {
                    journal.add("reserved " + round + " " + set);
                }
            });
            encrypted = run.run(RoundsHarness.initialModel());
            assertEquals(3, run.results().size());
            for (RoundResult r : run.results()) {
                assertEquals(HeMode.HE_MODE_ENCRYPTED, r.getHeMode());
                assertEquals(RoundsHarness.SITES, r.getContributorsList());
                assertEquals(RoundsHarness.SITES, r.getDecryptionSetList());
                assertEquals(30 + 50 + 70, r.getTotalSamples());
            }
            // every site signed one statement covering its two chunks; every round reserved by the whole N-of-N set
            assertEquals(1 + 3 * 3 + 3, journal.size(), journal.toString());
            assertTrue(journal.contains("contribution 2 hospital-b job-7/round-2/update/hospital-b/records signed"),
                    journal.toString());
            assertEquals(2, h.objects.objects.get("job-7/round-2/update/hospital-b/records").size(),
                    "one record per chunk");
            // the coordinator never saw a sealed share it could open: it only relayed them to their recipient
            for (Map.Entry<String, RoundsMessage> e : h.toSites) {
                if (e.getValue().getBodyCase() == BodyCase.SEALED_SHARES) {
                    e.getValue().getSealedShares().getSharesList().forEach(s -> assertEquals(e.getKey(), s.getTo()));
                }
            }
        }
        // documented precision: the decoded sum error bound (NoiseBudget), divided by Σ n, per round
        HeContext ctx = new HeContext(Params.byName(FAST));
        FloodingNoise flooding = FloodingNoise.forJob(ctx, 3, 3);
        double perRound = NoiseBudget.maxDecodedError(ctx, 3, 3, 3, flooding) / 150.0;
        assertTrue(perRound < 1e-9, "bound " + perRound);
        assertModelsClose(plain, encrypted, 3 * perRound, "HE run vs plaintext run");
    }

    /**
     * A coordinator that presents something other than the honest aggregate of all listed sites,
     * or serves other records than the ones a listed site's signed statement covers.
     */
    private static final class MaliciousRun extends JobRun {
        enum Attack {
            ONE_SITE_ALONE, ONE_SITE_WITH_ALL_RECORDS, ALL_BUT_ONE,
            /** hospital-b's records object, rewritten in place: its record of chunk 1 names another Merkle root. */
            ALTERED_RECORD,
            /** hospital-b's statement listed with hospital-a's records object. */
            SWAPPED_RECORDS,
            /** hospital-b's records object with one extra record appended (a copy of its last). */
            EXTRA_RECORD,
            /** hospital-b's records object without its last record. */
            MISSING_RECORD
        }

        private final Attack attack;
        private final RoundsHarness h;

        MaliciousRun(RoundsHarness h, JobPlan plan, org.medveil.coordinator.rounds.SiteLinks links, Attack attack) {
            super(plan, links, h.objects, h.verifier, RoundsHarness.FED_AVG, new RoundListener() { });
            this.attack = attack;
            this.h = h;
        }

        @Override
        protected List<Ciphertext> presentedAggregate(int round, List<Ciphertext> aggregate,
                Map<String, ContributionRef> records, String base) {
            HeContext ctx = new HeContext(Params.byName(FAST));
            WireCodec codec = new WireCodec(ctx);
            if (attack.compareTo(Attack.ALTERED_RECORD) >= 0) {
                return aggregate; // the honest aggregate, with records the statements do not cover
            }
            List<String> sites = attack == Attack.ALL_BUT_ONE ? List.of("hospital-a", "hospital-b") : List.of("hospital-a");
            StreamingAccumulator acc = new StreamingAccumulator(ctx, aggregate.get(0).keyId(), aggregate.size());
            for (String s : sites) {
                h.objects.get(base + "/update/" + s).forEachRemaining(p -> acc.add(codec.decodeCiphertext(p)));
            }
            return acc.result();
        }

        @Override
        protected Map<String, ContributionRef> presentedContributions(int round, Map<String, ContributionRef> records) {
            ContributionRef b = records.get("hospital-b");
            List<byte[]> bRecords = new ArrayList<>();
            h.objects.get(b.getRecordsObject()).forEachRemaining(bRecords::add);
            Map<String, ContributionRef> out = new java.util.TreeMap<>(records);
            switch (attack) {
                case ONE_SITE_ALONE -> {
                    return Map.of("hospital-a", records.get("hospital-a"));
                }
                case ONE_SITE_WITH_ALL_RECORDS -> {
                    return records;
                }
                case ALL_BUT_ONE -> {
                    return Map.of("hospital-a", records.get("hospital-a"), "hospital-b", b);
                }
                case ALTERED_RECORD -> {
                    ContributionRecord r = ContributionRecord.parse(bRecords.get(1));
                    byte[] digest = r.digest();
                    digest[0] ^= 1;
                    bRecords.set(1, new ContributionRecord(r.jobId(), r.round(), r.chunk(), r.site(), digest, r.sketch())
                            .canonicalBytes());
                    h.objects.put(b.getRecordsObject(), bRecords); // same name, other content
                }
                case SWAPPED_RECORDS -> out.put("hospital-b", b.toBuilder()
                        .setRecordsObject(records.get("hospital-a").getRecordsObject()).build());
                case EXTRA_RECORD -> {
                    bRecords.add(bRecords.get(bRecords.size() - 1));
                    h.objects.put(b.getRecordsObject() + "-extra", bRecords);
                    out.put("hospital-b", b.toBuilder().setRecordsObject(b.getRecordsObject() + "-extra").build());
                }
                case MISSING_RECORD -> {
                    h.objects.put(b.getRecordsObject() + "-short", bRecords.subList(0, bRecords.size() - 1));
                    out.put("hospital-b", b.toBuilder().setRecordsObject(b.getRecordsObject() + "-short").build());
                }
                default -> throw new IllegalStateException(attack.name());
            }
            return out;
        }
    }

    @Test
    @Tag("REQ-FL-1")
    void everyKeyHolderRefusesToDecryptOneSitesUpdateOrAllButOne() throws Exception {
        for (MaliciousRun.Attack attack : MaliciousRun.Attack.values()) {
            try (RoundsHarness h = new RoundsHarness(dir.resolve(attack.name()))) {
                JobPlan plan = RoundsHarness.plan(FAST, 3, 3, 1, Duration.ofSeconds(60)); // minContributions = all
                h.start(links -> new MaliciousRun(h, plan, links, attack));
                RoundFailedException e = assertThrows(RoundFailedException.class,
                        () -> h.run.run(RoundsHarness.initialModel()), attack.name());
                assertTrue(e.getMessage().contains("decryption needs 3 key holders but 0 answered"), e.getMessage());
                h.drain();
                for (String site : RoundsHarness.SITES) {
                    List<RoundsMessage> refusals = h.sentBy(site, BodyCase.REFUSAL);
                    assertEquals(1, refusals.size(), attack + ": " + site + " " + refusals);
                    assertEquals("decryption", refusals.get(0).getRefusal().getStage());
                    String reason = refusals.get(0).getRefusal().getReason();
                    assertTrue(reason.contains("UnverifiedAggregateException"), reason);
                    if (attack.compareTo(MaliciousRun.Attack.ALTERED_RECORD) >= 0) {
                        // refused by the coverage check itself, before any chunk's proof or sketch is looked at
                        assertTrue(reason.contains("records") && reason.contains("site hospital-b")
                                && reason.contains("the coordinator altered or swapped them"), attack + ": " + reason);
                    }
                    assertTrue(h.sentBy(site, BodyCase.DECRYPTION_SHARE).isEmpty(), site + " gave a decryption share");
                }
            }
        }
    }

    /** The messages of a round (after the key setup), both directions. */
    private static final java.util.Set<BodyCase> ROUND_MESSAGES = java.util.EnumSet.of(BodyCase.ROUND_START,
            BodyCase.CONTRIBUTION, BodyCase.DECRYPTION_REQUEST, BodyCase.CHALLENGE, BodyCase.CHALLENGE_ANSWER,
            BodyCase.DECRYPTION_SHARE, BodyCase.ROUND_RESULT);

    /** One HE round over a model of {@code parameters}; the largest encoded size per kind of round message. */
    private Map<BodyCase, Integer> largestRoundMessages(RoundsHarness h, int parameters) {
        JobRun run = h.start(RoundsHarness.plan(FAST, 3, 3, 1, Duration.ofSeconds(120)), new RoundListener() { });
        run.run(RoundsHarness.initialModel(parameters));
        assertEquals(RoundsHarness.SITES, run.results().get(0).getDecryptionSetList());
        Map<BodyCase, Integer> largest = new java.util.EnumMap<>(BodyCase.class);
        List<Map.Entry<String, RoundsMessage>> all = new ArrayList<>();
        synchronized (h.fromSites) {
            all.addAll(h.fromSites);
        }
        synchronized (h.toSites) {
            all.addAll(h.toSites);
        }
        for (Map.Entry<String, RoundsMessage> e : all) {
            if (ROUND_MESSAGES.contains(e.getValue().getBodyCase())) {
                largest.merge(e.getValue().getBodyCase(), e.getValue().getSerializedSize(), Math::max);
            }
        }
        assertEquals(ROUND_MESSAGES, largest.keySet(), "every kind of round message was sent");
        return largest;
    }

    @Test
    @Tag("REQ-FL-1")
    void roundControlMessagesDoNotGrowWithTheNumberOfChunks() throws Exception {
        Map<BodyCase, Integer> few;
        try (RoundsHarness h = new RoundsHarness(dir.resolve("few"))) {
            few = largestRoundMessages(h, RoundsHarness.PARAMETERS); // 2 chunks of n4096
        }
        int chunks = 64;
        try (RoundsHarness h = new RoundsHarness(dir.resolve("many"))) {
            Map<BodyCase, Integer> many = largestRoundMessages(h, chunks * 4096 - 300);
            long recordBytes = 0;
            for (String site : RoundsHarness.SITES) {
                List<byte[]> records = h.objects.objects.get(RoundsHarness.JOB + "/round-0/update/" + site + "/records");
                assertEquals(chunks, records.size(), site + ": one record per chunk");
                for (byte[] r : records) {
                    recordBytes += r.length;
                }
            }
            int largest = many.values().stream().max(Integer::compare).orElseThrow();
            // 32× the chunks: only varints (chunk and parameter counts) may grow by a few bytes
            for (BodyCase kind : ROUND_MESSAGES) {
                assertTrue(many.get(kind) <= few.get(kind) + 8, kind + " grew from " + few.get(kind) + " bytes at 2"
                        + " chunks to " + many.get(kind) + " at " + chunks);
            }
            // the decryption request is the largest: a statement and a certificate per site (grows with sites only)
            int bound = 4096;
            assertTrue(largest < bound, "largest round message " + largest + " bytes: " + many);
            // records inline (the old design) put every site's records into the decryption request: beyond the bound
            assertTrue(recordBytes > bound, "the records of " + chunks + " chunks are " + recordBytes + " bytes");
        }
    }

    @Test
    void aSiteDroppedBeforeUploadIsLeftOutAndTheRoundCompletesWithMinSites() throws Exception {
        try (RoundsHarness h = new RoundsHarness(dir)) {
            // hospital-c never gets round 1's start (it went offline before training)
            h.dropToSite = (site, m) -> site.equals("hospital-c") && m.getBodyCase() == BodyCase.ROUND_START
                    && m.getRoundStart().getRound() == 1;
            List<String> leftOut = new CopyOnWriteArrayList<>();
            JobRun run = h.start(RoundsHarness.plan(FAST, 3, 2, 2, Duration.ofSeconds(3)), new RoundListener() {
                @Override
                public void siteLeftOut(String jobId, int round, String site, String reason) {
                    leftOut.add(round + " " + site + " " + reason);
                }
            });
            float[] model = run.run(RoundsHarness.initialModel());
            RoundResult r1 = run.results().get(1);
            assertEquals(List.of("hospital-a", "hospital-b"), r1.getContributorsList());
            assertEquals(List.of("hospital-c"), r1.getLeftOutList());
            assertEquals(30 + 50, r1.getTotalSamples());
            assertEquals(List.of("1 hospital-c no contribution before the round timeout"), leftOut);
            float[] expected = RoundsHarness.referenceRound(
                    RoundsHarness.referenceRound(RoundsHarness.initialModel(), RoundsHarness.SITES),
                    List.of("hospital-a", "hospital-b"));
            assertModelsClose(expected, model, 1e-9, "model after a round without hospital-c");
        }
    }

    @Test
    void withTooFewSitesTheRoundFailsAndSaysWho() throws Exception {
        try (RoundsHarness h = new RoundsHarness(dir)) {
            h.dropToSite = (site, m) -> !site.equals("hospital-a") && m.getBodyCase() == BodyCase.ROUND_START;
            JobRun run = h.start(RoundsHarness.plan(FAST, 3, 2, 1, Duration.ofSeconds(2)), new RoundListener() { });
            RoundFailedException e = assertThrows(RoundFailedException.class, () -> run.run(RoundsHarness.initialModel()));
            assertTrue(e.getMessage().contains("only 1 of the 2 required sites contributed"), e.getMessage());
            assertTrue(e.getMessage().contains("hospital-b (silent)"), e.getMessage());
        }
    }

    @Test
    @Tag("REQ-FL-1")
    void aKeyHolderThatNeverAnswersDecryptionDoesNotStopATwoOfThreeRound() throws Exception {
        try (RoundsHarness h = new RoundsHarness(dir)) {
            h.dropToSite = (site, m) -> site.equals("hospital-c") && m.getBodyCase() == BodyCase.DECRYPTION_REQUEST;
            JobRun run = h.start(RoundsHarness.plan(FAST, 2, 3, 2, Duration.ofSeconds(60)), new RoundListener() { });
            float[] model = run.run(RoundsHarness.initialModel());
            for (RoundResult r : run.results()) {
                assertEquals(List.of("hospital-a", "hospital-b"), r.getDecryptionSetList());
                assertEquals(RoundsHarness.SITES, r.getContributorsList()); // hospital-c still contributed
            }
            assertModelsClose(reference(2), model, 1e-9, "2-of-3 decryption");
            assertTrue(h.sentBy("hospital-c", BodyCase.CHALLENGE).isEmpty());
        }
    }

    @Test
    void aKeyHolderOfTheActiveSetThatDropsDuringDecryptionMakesTheRoundRunAgainUnderTheNextNumber() throws Exception {
        try (RoundsHarness h = new RoundsHarness(dir)) {
            // round 0: the first holder of the active set never gets its challenge answer, so never sends its share
            h.dropToSite = (site, m) -> m.getBodyCase() == BodyCase.CHALLENGE_ANSWER
                    && m.getChallengeAnswer().getRound() == 0 && site.equals(m.getChallengeAnswer().getActiveSet(0));
            List<String> failed = new ArrayList<>();
            JobRun run = h.start(RoundsHarness.plan(FAST, 2, 3, 2, Duration.ofSeconds(60)), new RoundListener() {
                @Override
                public void roundFailed(String jobId, int round, String reason) {
                    failed.add(round + " " + reason);
                }
            });
            float[] model = run.run(RoundsHarness.initialModel());
            assertEquals(1, failed.size(), failed.toString());
            assertTrue(failed.get(0).startsWith("0 ") && failed.get(0).contains("did not deliver decryption shares"),
                    failed.get(0));
            assertEquals(List.of(1, 2), run.results().stream().map(RoundResult::getRound).toList(),
                    "round 0 ran again as round 1 (fresh encryptions, a new number), then round 2");
            assertModelsClose(reference(2), model, 1e-9, "two completed rounds despite the dropped key holder");
        }
    }

    @Test
    @Tag("REQ-FL-1")
    void aSecondDecryptionRequestForTheSameChunkIsRefusedByTheLedger() throws Exception {
        try (RoundsHarness h = new RoundsHarness(dir)) {
            JobRun run = h.start(RoundsHarness.plan(FAST, 3, 3, 1, Duration.ofSeconds(60)), new RoundListener() { });
            run.run(RoundsHarness.initialModel());
            h.drain();
            RoundsMessage request = h.toSites.stream().filter(e -> e.getValue().getBodyCase() == BodyCase.DECRYPTION_REQUEST)
                    .findFirst().orElseThrow().getValue();
            // the coordinator asks again, with the same aggregate and list, for (job-7, round 0, chunks 0..1)
            for (String site : RoundsHarness.SITES) {
                h.participants.get(site).onMessage(request);
                List<RoundsMessage> refusals = h.sentBy(site, BodyCase.REFUSAL);
                assertEquals(1, refusals.size(), site);
                assertTrue(refusals.get(0).getRefusal().getReason().contains("RepeatedDecryptionException"),
                        refusals.get(0).getRefusal().getReason());
                assertEquals(1, h.sentBy(site, BodyCase.CHALLENGE).size(), site + " answered a second challenge");
            }
            // the refusal is durable: the ledger file, reopened, still holds the chunks as decided
            h.participants.get("hospital-a").close();
            try (FileDecryptionLedger reopened = new FileDecryptionLedger(dir.resolve("ledger-hospital-a.log"))) {
                boolean anyDecided = false;
                for (Map.Entry<String, RoundsMessage> e : h.fromSites) {
                    if (e.getValue().getBodyCase() == BodyCase.KEY_READY) {
                        String kid = e.getValue().getKeyReady().getKeyIdHex();
                        anyDecided = reopened.isDecided(new LedgerEntry.Chunk(new KeyId(kid), RoundsHarness.JOB, 0, 0))
                                && reopened.isDecided(new LedgerEntry.Chunk(new KeyId(kid), RoundsHarness.JOB, 0, 1));
                        break;
                    }
                }
                assertTrue(anyDecided, "the reopened ledger does not hold round 0's chunks");
            }
        }
    }

    @Test
    void aggregatedMetricsEqualTheMetricsOfThePooledSums() throws Exception {
        for (String he : new String[] {FAST, null}) {
            try (RoundsHarness h = new RoundsHarness(dir.resolve(he == null ? "plain" : "he"))) {
                JobRun run = h.start(RoundsHarness.plan(he, 3, 3, 1, Duration.ofSeconds(60)), new RoundListener() { });
                run.run(RoundsHarness.initialModel());
                Metrics m = run.results().get(0).getMetrics();
                long tp = 0, fp = 0, tn = 0, fn = 0;
                double lossSum = 0;
                List<long[]> pos = new ArrayList<>();
                List<long[]> neg = new ArrayList<>();
                for (RoundsHarness.FakeTraining t : h.trainings.values()) {
                    TrainingOutcome o = t.outcomes.get(0);
                    tp += o.truePositives();
                    fp += o.falsePositives();
                    tn += o.trueNegatives();
                    fn += o.falseNegatives();
                    lossSum += o.meanLoss() * (o.truePositives() + o.falsePositives() + o.trueNegatives()
                            + o.falseNegatives());
                    pos.add(o.positiveScoreHistogram());
                    neg.add(o.negativeScoreHistogram());
                }
                assertEquals(tp, m.getTruePositives());
                assertEquals(fp, m.getFalsePositives());
                assertEquals(tn, m.getTrueNegatives());
                assertEquals(fn, m.getFalseNegatives());
                assertEquals((double) (tp + tn) / (tp + fp + tn + fn), m.getAccuracy(), 1e-12);
                assertEquals((double) tp / (tp + fn), m.getSensitivity(), 1e-12);
                assertEquals((double) tn / (tn + fp), m.getSpecificity(), 1e-12);
                assertEquals(lossSum / (tp + fp + tn + fn), m.getMeanLoss(), 1e-9);
                assertEquals(pairwiseAuc(pos, neg), m.getAuc(), 1e-12);
                assertTrue(m.getAuc() > 0.6 && m.getAuc() < 1, "AUC " + m.getAuc());
            }
        }
    }

    /** AUC by comparing every pooled positive example's bin with every negative's (ties count half). */
    private static double pairwiseAuc(List<long[]> pos, List<long[]> neg) {
        long[] p = new long[TrainingOutcome.SCORE_BINS];
        long[] n = new long[TrainingOutcome.SCORE_BINS];
        pos.forEach(a -> { for (int i = 0; i < a.length; i++) { p[i] += a[i]; } });
        neg.forEach(a -> { for (int i = 0; i < a.length; i++) { n[i] += a[i]; } });
        double wins = 0;
        double pairs = 0;
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < n.length; j++) {
                double k = (double) p[i] * n[j];
                pairs += k;
                wins += i > j ? k : i == j ? k / 2 : 0;
            }
        }
        return wins / pairs;
    }

    @Test
    @Tag("REQ-FL-1")
    void theCoordinatorNeverSeesTheSketchKeyOrAKeyShare() throws Exception {
        try (RoundsHarness h = new RoundsHarness(dir)) {
            JobRun run = h.start(RoundsHarness.plan(FAST, 2, 3, 1, Duration.ofSeconds(60)), new RoundListener() { });
            run.run(RoundsHarness.initialModel());
            h.drain();
            byte[] sketchKey = null;
            for (String site : RoundsHarness.SITES) {
                byte[] k = h.vaults.get(site).load(RoundsHarness.JOB, KeyVault.SKETCH_KEY).orElseThrow();
                if (sketchKey != null) {
                    assertArrayEquals(sketchKey, k, "every site derives the same sketch key");
                }
                sketchKey = k;
            }
            // everything the coordinator received or stored: messages from sites and every bulk object
            List<byte[]> seen = new ArrayList<>();
            h.fromSites.forEach(e -> seen.add(e.getValue().toByteArray()));
            h.objects.objects.values().forEach(seen::addAll);
            for (String site : RoundsHarness.SITES) {
                byte[] sigma = h.vaults.get(site).load(RoundsHarness.JOB, KeyVault.THRESHOLD_KEY_SHARE).orElseThrow();
                byte[] probe = Arrays.copyOfRange(sigma, sigma.length / 2, sigma.length / 2 + 32); // inside the polynomial
                for (byte[] b : seen) {
                    assertFalse(contains(b, sketchKey), "the sketch key reached the coordinator");
                    assertFalse(contains(b, probe), "a threshold key share of " + site + " reached the coordinator");
                }
            }
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    @Tag("REQ-FL-1")
    void aSealedShareTheCoordinatorAlteredIsRefusedAndTheKeySetupStops() throws Exception {
        try (RoundsHarness h = new RoundsHarness(dir)) {
            h.rewriteToSite = (site, m) -> {
                if (!site.equals("hospital-b") || m.getBodyCase() != BodyCase.SEALED_SHARES) {
                    return m;
                }
                SealedShares.Builder b = m.getSealedShares().toBuilder();
                byte[] sealed = b.getShares(0).getSealed().toByteArray();
                sealed[sealed.length / 2] ^= 1;
                b.setShares(0, b.getShares(0).toBuilder().setSealed(ByteString.copyFrom(sealed)));
                return m.toBuilder().setSealedShares(b).build();
            };
            JobRun run = h.start(RoundsHarness.plan(FAST, 2, 3, 1, Duration.ofSeconds(60)), new RoundListener() { });
            RoundFailedException e = assertThrows(RoundFailedException.class, () -> run.run(RoundsHarness.initialModel()));
            assertTrue(e.getMessage().contains("key ready missing from [hospital-b]"), e.getMessage());
            h.drain();
            List<RoundsMessage> refusals = h.sentBy("hospital-b", BodyCase.REFUSAL);
            assertEquals(1, refusals.size());
            assertEquals("key-setup", refusals.get(0).getRefusal().getStage());
            assertTrue(h.sentBy("hospital-b", BodyCase.KEY_READY).isEmpty());
        }
    }

    @Test
    @Tag("REQ-FL-1")
    void aContributionRefusedAtItsSecondChunkLeavesTheAggregateAsWithoutThatSite() throws Exception {
        for (String he : new String[] {FAST, null}) {
            try (RoundsHarness h = new RoundsHarness(dir.resolve(he == null ? "plain" : "he"))) {
                // hospital-b's second part is replaced in storage: under HE by a valid encryption of other values
                // (right chunk, key, size and bound: only its Merkle root is wrong), in plaintext by values beyond
                // the bound. The coordinator has already added its first chunk when it finds out.
                h.objects.onPut = (name, parts) -> {
                    if (!name.endsWith("/update/hospital-b")) {
                        return parts;
                    }
                    List<byte[]> out = new ArrayList<>(parts);
                    if (he == null) {
                        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(parts.get(1).length)
                                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                        while (b.hasRemaining()) {
                            b.putDouble(2e5);
                        }
                        out.set(1, b.array());
                    } else {
                        HeContext ctx = new HeContext(Params.byName(FAST));
                        WireCodec codec = new WireCodec(ctx);
                        PublicKey pk = codec.decodePublicKey(h.vaults.get("hospital-b")
                                .load(RoundsHarness.JOB, KeyVault.PUBLIC_KEY).orElseThrow());
                        int values = codec.decodeCiphertext(parts.get(1)).valueCount();
                        out.set(1, codec.encodeCiphertext(new Encryptor(ctx, pk, SecretRandom.create())
                                .encrypt(new Encoder(ctx).encode(new double[values], 1e5), 1)));
                    }
                    return out;
                };
                List<String> leftOut = new CopyOnWriteArrayList<>();
                JobRun run = h.start(RoundsHarness.plan(he, 3, 2, 1, Duration.ofSeconds(60)), new RoundListener() {
                    @Override
                    public void siteLeftOut(String jobId, int round, String site, String reason) {
                        leftOut.add(site + ": " + reason);
                    }
                });
                float[] model = run.run(RoundsHarness.initialModel());
                assertEquals(List.of("hospital-a", "hospital-c"), run.results().get(0).getContributorsList());
                assertEquals(1, leftOut.size(), leftOut.toString());
                assertTrue(leftOut.get(0).startsWith("hospital-b: ") && leftOut.get(0).contains(he == null
                        ? "part 1 of" : "chunk 1 does not hash"), leftOut.get(0));
                // the decrypted sums hold exactly the two other sites: Σ n exactly, the model within HE precision
                assertEquals(30 + 70, run.results().get(0).getTotalSamples());
                double tolerance = 0;
                if (he != null) {
                    HeContext ctx = new HeContext(Params.byName(FAST));
                    tolerance = NoiseBudget.maxDecodedError(ctx, 3, 3, 3, FloodingNoise.forJob(ctx, 3, 3)) / 100.0;
                }
                assertModelsClose(RoundsHarness.referenceRound(RoundsHarness.initialModel(),
                        List.of("hospital-a", "hospital-c")), model, tolerance, (he == null ? "plaintext" : "HE")
                        + " round without hospital-b");
            }
        }
    }

    @Test
    @Tag("REQ-FL-1")
    void aStatementAlteredOrReplayedOnItsWayIsRefusedAndTheSiteLeftOut() throws Exception {
        try (RoundsHarness h = new RoundsHarness(dir)) {
            Map<Integer, ContributionRef> earlier = new java.util.concurrent.ConcurrentHashMap<>();
            // round 0: hospital-a's signature altered; round 1: hospital-b's first record altered in its records
            // object; round 2: hospital-c's round-1 statement replayed (naming its round-2 records object)
            h.objects.onPut = (name, parts) -> {
                if (!name.equals(RoundsHarness.JOB + "/round-1/update/hospital-b/records")) {
                    return parts;
                }
                ContributionRecord r = ContributionRecord.parse(parts.get(0));
                long[] sketch = r.sketch();
                sketch[0] ^= 1;
                List<byte[]> out = new ArrayList<>(parts);
                out.set(0, new ContributionRecord(r.jobId(), r.round(), r.chunk(), r.site(), r.digest(), sketch)
                        .canonicalBytes());
                return out;
            };
            h.rewriteFromSite = (site, m) -> {
                if (m.getBodyCase() != BodyCase.CONTRIBUTION) {
                    return m;
                }
                int round = m.getContribution().getRound();
                ContributionRef c = m.getContribution().getSignedContribution();
                ContributionRef changed = c;
                if (round == 0 && site.equals("hospital-a")) {
                    byte[] sig = c.getStatement().getSignature().toByteArray();
                    sig[sig.length - 1] ^= 1;
                    changed = c.toBuilder().setStatement(c.getStatement().toBuilder()
                            .setSignature(ByteString.copyFrom(sig))).build();
                } else if (site.equals("hospital-c")) {
                    earlier.putIfAbsent(round, c);
                    changed = round == 2 ? c.toBuilder().setStatement(earlier.get(1).getStatement()).build() : c;
                }
                return m.toBuilder().setContribution(m.getContribution().toBuilder().setSignedContribution(changed))
                        .build();
            };
            List<String> leftOut = new CopyOnWriteArrayList<>();
            JobRun run = h.start(RoundsHarness.plan(FAST, 3, 2, 3, Duration.ofSeconds(60)), new RoundListener() {
                @Override
                public void siteLeftOut(String jobId, int round, String site, String reason) {
                    leftOut.add(round + " " + site + ": " + reason);
                }
            });
            run.run(RoundsHarness.initialModel());
            assertEquals(List.of("hospital-b", "hospital-c"), run.results().get(0).getContributorsList());
            assertEquals(List.of("hospital-a", "hospital-c"), run.results().get(1).getContributorsList());
            assertEquals(List.of("hospital-a", "hospital-b"), run.results().get(2).getContributorsList());
            assertEquals(3, leftOut.size(), leftOut.toString());
            assertTrue(leftOut.get(0).startsWith("0 hospital-a: refused statement"), leftOut.toString());
            assertTrue(leftOut.get(1).startsWith("1 hospital-b: the records of site hospital-b in " + RoundsHarness.JOB
                    + "/round-1/update/hospital-b/records are not the ones its signed statement covers"), leftOut.toString());
            assertTrue(leftOut.get(2).startsWith("2 hospital-c: the signed statement is for site hospital-c, job "
                    + RoundsHarness.JOB + ", round 1"), leftOut.toString());
        }
    }

    @Test
    void aSiteWhoseUpdateExceedsTheJobsBoundIsLeftOutWithItsReason() throws Exception {
        try (RoundsHarness h = new RoundsHarness(dir)) {
            JobPlan small = new JobPlan(RoundsHarness.JOB, RoundsHarness.SITES, FAST, 3, 2, 65, 1, Duration.ofSeconds(60),
                    Duration.ofSeconds(60), Duration.ofSeconds(20), "test-model", 1, 0, 8, 0.1, 0.0, 42L);
            List<String> leftOut = new CopyOnWriteArrayList<>();
            JobRun run = h.start(small, new RoundListener() {
                @Override
                public void siteLeftOut(String jobId, int round, String site, String reason) {
                    leftOut.add(site + ": " + reason);
                }
            });
            run.run(RoundsHarness.initialModel()); // hospital-c trains on 70 samples: its count alone exceeds 65
            assertEquals(List.of("hospital-a", "hospital-b"), run.results().get(0).getContributorsList());
            assertEquals(1, leftOut.size());
            assertTrue(leftOut.get(0).startsWith("hospital-c: training: IllegalArgumentException: packed value"),
                    leftOut.get(0));
        }
    }

    @Test
    @Tag("REQ-FL-1")
    void aSiteRestartedBetweenRoundsRejoinsFromItsVaultAndStillRefusesWhatItAnswered() throws Exception {
        try (RoundsHarness h = new RoundsHarness(dir)) {
            JobRun run = h.start(RoundsHarness.plan(FAST, 3, 3, 2, Duration.ofSeconds(60)), new RoundListener() { });
            run.setupKeys();
            float[] w = run.runRound(0, RoundsHarness.initialModel());
            h.drain();
            RoundsMessage round0 = h.toSites.stream().filter(e -> e.getKey().equals("hospital-b")
                    && e.getValue().getBodyCase() == BodyCase.DECRYPTION_REQUEST).findFirst().orElseThrow().getValue();
            h.restart("hospital-b");
            w = run.runRound(1, w);
            assertModelsClose(reference(2), w, 1e-9, "model after hospital-b restarted");
            assertEquals(RoundsHarness.SITES, run.results().get(1).getDecryptionSetList());
            h.participants.get("hospital-b").onMessage(round0);
            List<RoundsMessage> refusals = h.sentBy("hospital-b", BodyCase.REFUSAL);
            assertEquals(1, refusals.size());
            assertTrue(refusals.get(0).getRefusal().getReason().contains("RepeatedDecryptionException"),
                    refusals.get(0).getRefusal().getReason());
        }
    }

    @Test
    void aBoundTheHeSetCannotSumIsRefusedBeforeTheKeySetup() throws Exception {
        try (RoundsHarness h = new RoundsHarness(dir)) {
            JobPlan huge = new JobPlan(RoundsHarness.JOB, RoundsHarness.SITES, FAST, 3, 2, 1e8, 1, Duration.ofSeconds(60),
                    Duration.ofSeconds(60), Duration.ofSeconds(20), "test-model", 1, 0, 8, 0.1, 0.0, 42L);
            JobRun run = h.start(huge, new RoundListener() { });
            RoundFailedException e = assertThrows(RoundFailedException.class, () -> run.run(RoundsHarness.initialModel()));
            assertTrue(e.getMessage().contains("exceed the largest sum of HE set n4096"), e.getMessage());
            assertTrue(h.toSites.isEmpty(), "nothing was sent to the sites");
        }
    }
}
