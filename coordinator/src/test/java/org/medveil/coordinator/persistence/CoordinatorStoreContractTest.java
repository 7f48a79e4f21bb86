package org.medveil.coordinator.persistence;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every coordinator store backend must do; run against SQLite and a real PostgreSQL by the
 * subclasses. Each test gets an empty database from {@link #newUrl()}.
 */
abstract class CoordinatorStoreContractTest {

    static final Instant T0 = Instant.parse("2026-11-02T10:15:30.123456789Z");

    /** A fresh, empty database. */
    abstract String newUrl() throws Exception;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void addJob(CoordinatorStore s, String id) {
        s.insertJob(id, b("signed " + id), b("sig " + id), b("cert"), "spec-" + id, T0);
    }

    @Test
    void jobsAreStoredWithTheirStateAndFinalStatesStay() throws Exception {
        try (CoordinatorStore s = CoordinatorStore.open(newUrl())) {
            assertEquals(3, s.schemaVersion());
            assertTrue(s.jobs().isEmpty());
            s.insertJob("j2", b("signed"), b("sig"), b("cert-der"), "d2", T0.plusSeconds(5));
            s.insertJob("j1", b("signed1"), b("sig1"), b("cert-der"), "d1", T0);
            CoordinatorStore.Job j = s.job("j2").orElseThrow();
            assertArrayEquals(b("signed"), j.signedJob());
            assertArrayEquals(b("sig"), j.signature());
            assertArrayEquals(b("cert-der"), j.researcherCertDer());
            assertEquals("d2", j.specDigest());
            assertEquals(T0.plusSeconds(5), j.submitted());
            assertEquals(JobState.SUBMITTED, j.state());
            assertEquals(List.of("j1", "j2"), s.jobs().stream().map(CoordinatorStore.Job::jobId).toList());

            s.insertJob("j2", b("signed"), b("sig"), b("cert-der"), "d2", T0.plusSeconds(5)); // retry: no-op
            StoreException other = assertThrows(StoreException.class,
                    () -> s.insertJob("j2", b("other"), b("sig"), b("cert-der"), "d2", T0));
            assertTrue(other.getMessage().contains("already exists"), other.getMessage());

            s.setJobState("j2", JobState.OFFERED, null);
            s.setJobState("j2", JobState.RUNNING, null);
            s.setJobState("j2", JobState.ABORTED, "aborted by the researcher");
            assertEquals(JobState.ABORTED, s.job("j2").orElseThrow().state());
            assertEquals("aborted by the researcher", s.job("j2").orElseThrow().stateReason());
            StoreException fin = assertThrows(StoreException.class, () -> s.setJobState("j2", JobState.RUNNING, null));
            assertTrue(fin.getMessage().contains("already ABORTED"), fin.getMessage());
            assertTrue(s.job("nope").isEmpty());
            assertThrows(StoreException.class, () -> s.setJobState("nope", JobState.RUNNING, null));
        }
    }

    @Test
    void siteDecisionsAreRecordedAndReplaced() throws Exception {
        try (CoordinatorStore s = CoordinatorStore.open(newUrl())) {
            addJob(s, "j");
            s.setSiteDecision("j", "site-b", false, "no DUA for purpose", "fp-b", null);
            s.setSiteDecision("j", "site-a", true, null, "fp-a", "{\"CT\":12}");
            List<CoordinatorStore.SiteDecision> d = s.siteDecisions("j");
            assertEquals(List.of("site-a", "site-b"), d.stream().map(CoordinatorStore.SiteDecision::site).toList());
            assertTrue(d.get(0).accepted());
            assertEquals("{\"CT\":12}", d.get(0).dataDescriptorJson());
            assertEquals("fp-a", d.get(0).certificateFingerprint());
            assertFalse(d.get(1).accepted());
            assertEquals("no DUA for purpose", d.get(1).reason());
            s.setSiteDecision("j", "site-b", true, null, "fp-b2", "{}");
            CoordinatorStore.SiteDecision b = s.siteDecisions("j").get(1);
            assertTrue(b.accepted());
            assertEquals("fp-b2", b.certificateFingerprint());
            assertNull(b.reason());
            assertThrows(StoreException.class, () -> s.setSiteDecision("nope", "site-a", true, null, "fp", null));
        }
    }

    @Test
    void aJobKeyIsSavedOnceWithItsHoldersInOrder() throws Exception {
        try (CoordinatorStore s = CoordinatorStore.open(newUrl())) {
            addJob(s, "j");
            assertTrue(s.jobKey("j").isEmpty());
            s.saveJobKey("j", b("pk"), "kid", 2, List.of("site-c", "site-a", "site-b"));
            CoordinatorStore.JobKey k = s.jobKey("j").orElseThrow();
            assertArrayEquals(b("pk"), k.publicKeyWire());
            assertEquals("kid", k.keyId());
            assertEquals(2, k.threshold());
            assertEquals(List.of("site-c", "site-a", "site-b"), k.holders());
            s.saveJobKey("j", b("pk"), "kid", 2, List.of("site-c", "site-a", "site-b"));
            assertThrows(StoreException.class, () -> s.saveJobKey("j", b("pk2"), "kid2", 2, List.of("a", "b")));
            assertThrows(IllegalArgumentException.class, () -> s.saveJobKey("j", b("pk"), "kid", 3, List.of("a", "b")));
        }
    }

    @Test
    void roundsCompleteFailAndRestartWithNewAttempts() throws Exception {
        try (CoordinatorStore s = CoordinatorStore.open(newUrl())) {
            addJob(s, "j");
            assertTrue(s.lastCompletedRound("j").isEmpty());
            assertEquals(1, s.startRound("j", 1, "m0", T0));
            s.finishRound("j", 1, 1, "m1", "st1", "{\"auc\":0.8}", T0.plusSeconds(60));
            CoordinatorStore.Round r1 = s.lastCompletedRound("j").orElseThrow();
            assertEquals(RoundState.COMPLETED, r1.state());
            assertEquals("m0", r1.modelInDigest());
            assertEquals("m1", r1.modelOutDigest());
            assertEquals("st1", r1.strategyStateDigest());
            assertEquals("{\"auc\":0.8}", r1.metricsJson());
            assertEquals(T0, r1.started());
            assertEquals(T0.plusSeconds(60), r1.finished());
            StoreException again = assertThrows(StoreException.class, () -> s.startRound("j", 1, "m0", T0));
            assertTrue(again.getMessage().contains("already completed"), again.getMessage());

            assertEquals(1, s.startRound("j", 2, "m1", T0));
            s.failRound("j", 2, 1, "quorum not reached", T0.plusSeconds(9));
            assertEquals(RoundState.FAILED, s.round("j", 2).orElseThrow().state());
            assertEquals("quorum not reached", s.round("j", 2).orElseThrow().failure());
            assertEquals(2, s.startRound("j", 2, "m1", T0.plusSeconds(10)));
            assertThrows(StoreException.class, () -> s.finishRound("j", 2, 1, "stale", null, "{}", T0));
            assertEquals(3, s.clearRoundAttempt("j", 2));
            CoordinatorStore.Round r2 = s.round("j", 2).orElseThrow();
            assertEquals(3, r2.attempt());
            assertEquals(RoundState.RUNNING, r2.state());
            assertEquals("m1", r2.modelInDigest());
            assertNull(r2.failure());
            assertNull(r2.finished());
            s.finishRound("j", 2, 3, "m2", null, "{}", T0.plusSeconds(99));
            assertEquals(List.of(1, 2), s.rounds("j").stream().map(CoordinatorStore.Round::round).toList());
            assertEquals(2, s.lastCompletedRound("j").orElseThrow().round());
            assertNull(s.lastCompletedRound("j").orElseThrow().strategyStateDigest());
            assertThrows(StoreException.class, () -> s.startRound("nope", 1, "m0", T0));
            assertThrows(StoreException.class, () -> s.clearRoundAttempt("j", 7));
        }
    }

    @Test
    void contributionsBelongToTheCurrentAttempt() throws Exception {
        try (CoordinatorStore s = CoordinatorStore.open(newUrl())) {
            addJob(s, "j");
            int a1 = s.startRound("j", 1, "m0", T0);
            s.recordContribution("j", 1, a1, "site-b", 3, "cb", b("records b"), 120L);
            s.recordContribution("j", 1, a1, "site-a", 3, "ca", b("records a"), null);
            s.recordContribution("j", 1, a1, "site-a", 3, "ca", b("records a"), null); // retry: no-op
            List<CoordinatorStore.Contribution> c = s.contributions("j", 1);
            assertEquals(List.of("site-a", "site-b"), c.stream().map(CoordinatorStore.Contribution::site).toList());
            assertNull(c.get(0).samples());
            assertEquals(120L, c.get(1).samples());
            assertEquals(3, c.get(1).chunks());
            assertEquals("cb", c.get(1).digest());
            assertArrayEquals(b("records b"), c.get(1).signedRecords());
            assertEquals(a1, c.get(1).attempt());
            assertThrows(StoreException.class, () -> s.recordContribution("j", 1, a1, "site-a", 3, "other", b("x"), null));

            int a2 = s.clearRoundAttempt("j", 1); // the coordinator restarted mid-round
            assertTrue(s.contributions("j", 1).isEmpty(), "the old attempt's contributions are gone");
            StoreException stale = assertThrows(StoreException.class,
                    () -> s.recordContribution("j", 1, a1, "site-c", 3, "cc", b("records c"), 7L));
            assertTrue(stale.getMessage().contains("attempt " + a2), stale.getMessage());
            s.recordContribution("j", 1, a2, "site-c", 3, "cc", b("records c"), 7L);
            assertEquals(List.of("site-c"), s.contributions("j", 1).stream().map(CoordinatorStore.Contribution::site).toList());
            assertThrows(StoreException.class, () -> s.recordContribution("j", 9, 1, "site-c", 3, "cc", b("r"), 7L));
        }
    }

    @Test
    void aDecryptionIsReservedOncePerAttemptAndNeverForAnOldAttempt() throws Exception {
        String url = newUrl();
        try (CoordinatorStore s = CoordinatorStore.open(url)) {
            addJob(s, "j");
            int a1 = s.startRound("j", 1, "m0", T0);
            assertTrue(s.reserveDecryption("j", 1, a1, 0));
            assertFalse(s.reserveDecryption("j", 1, a1, 0), "asked twice for the same chunk");
            assertTrue(s.reserveDecryption("j", 1, a1, 1));
            assertFalse(s.decryptedBefore("j", 1, a1));
        }
        try (CoordinatorStore s = CoordinatorStore.open(url)) { // a restarted coordinator
            assertFalse(s.reserveDecryption("j", 1, 1, 0), "the reservation did not survive the restart");
            int a2 = s.clearRoundAttempt("j", 1);
            assertTrue(s.decryptedBefore("j", 1, a2));
            assertFalse(s.reserveDecryption("j", 1, 1, 2), "a stale attempt got a chunk reserved");
            assertTrue(s.reserveDecryption("j", 1, a2, 0), "the new attempt has fresh encryptions to decrypt");
            assertFalse(s.reserveDecryption("j", 1, a2, 0));
            s.finishRound("j", 1, a2, "m1", null, "{}", T0);
            assertFalse(s.reserveDecryption("j", 1, a2, 5), "a completed round got a chunk reserved");
            assertFalse(s.reserveDecryption("j", 2, 1, 0), "a round that does not exist got a chunk reserved");
        }
    }

    @Test
    void twoConnectionsRacingForTheSameChunksGetEachOnceInTotal() throws Exception {
        String url = newUrl();
        int chunks = 40;
        try (CoordinatorStore a = CoordinatorStore.open(url); CoordinatorStore b = CoordinatorStore.open(url)) {
            addJob(a, "j");
            int attempt = a.startRound("j", 1, "m0", T0);
            CyclicBarrier barrier = new CyclicBarrier(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<List<Integer>>> wins = new ArrayList<>();
                for (CoordinatorStore s : List.of(a, b)) {
                    wins.add(pool.submit(() -> {
                        List<Integer> won = new ArrayList<>();
                        for (int c = 0; c < chunks; c++) {
                            barrier.await(30, TimeUnit.SECONDS); // both ask for chunk c at the same moment
                            if (s.reserveDecryption("j", 1, attempt, c)) {
                                won.add(c);
                            }
                        }
                        return won;
                    }));
                }
                List<Integer> all = new ArrayList<>(wins.get(0).get(120, TimeUnit.SECONDS));
                all.addAll(wins.get(1).get(120, TimeUnit.SECONDS));
                all.sort(null);
                List<Integer> expected = new ArrayList<>();
                for (int c = 0; c < chunks; c++) {
                    expected.add(c);
                }
                assertEquals(expected, all, "each chunk must be won exactly once");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aRoundAndItsManifestAreCompletedTogetherOrNotAtAll() throws Exception {
        try (CoordinatorStore s = CoordinatorStore.open(newUrl())) {
            addJob(s, "j");
            assertEquals(1, s.startRound("j", 1, "m0", T0));
            s.failRound("j", 1, 1, "coordinator restarted", T0.plusSeconds(5));
            assertEquals(2, s.startRound("j", 1, "m0", T0.plusSeconds(6)));
            // a stale attempt: the round is not finished, so its manifest must not be saved either
            assertThrows(StoreException.class, () -> s.completeRound("j", 1, 1, "m1", null, "{}", T0.plusSeconds(9), 1,
                    "d1", b("{\"round\":1}"), b("sig1")));
            assertTrue(s.manifests("j").isEmpty(), "a manifest was saved for a round that did not complete");
            assertEquals(RoundState.RUNNING, s.round("j", 1).orElseThrow().state());

            s.completeRound("j", 1, 2, "m1", null, "{}", T0.plusSeconds(9), 1, "d1", b("{\"round\":1}"), b("sig1"));
            assertEquals(RoundState.COMPLETED, s.round("j", 1).orElseThrow().state());
            assertEquals("m1", s.lastCompletedRound("j").orElseThrow().modelOutDigest());
            assertEquals("d1", s.lastManifestDigest("j").orElseThrow());

            // a manifest number already taken by another manifest: the round is not completed either
            assertEquals(1, s.startRound("j", 2, "m1", T0.plusSeconds(10)));
            assertThrows(StoreException.class, () -> s.completeRound("j", 2, 1, "m2", null, "{}", T0.plusSeconds(20), 1,
                    "d2", b("{\"round\":2}"), b("sig2")));
            assertEquals(RoundState.RUNNING, s.round("j", 2).orElseThrow().state());
            assertEquals(1, s.manifests("j").size());
        }
    }

    @Test
    void manifestsChainInRoundOrderAndAreNeverReplaced() throws Exception {
        try (CoordinatorStore s = CoordinatorStore.open(newUrl())) {
            addJob(s, "j");
            assertTrue(s.lastManifestDigest("j").isEmpty());
            s.saveManifest("j", 2, "d2", b("{\"round\":2}"), b("sig2"));
            s.saveManifest("j", 1, "d1", b("{\"round\":1}"), b("sig1"));
            s.saveManifest("j", 1, "d1", b("{\"round\":1}"), b("sig1")); // retry: no-op
            List<CoordinatorStore.Manifest> m = s.manifests("j");
            assertEquals(List.of(1, 2), m.stream().map(CoordinatorStore.Manifest::round).toList());
            assertArrayEquals(b("{\"round\":1}"), m.get(0).canonicalBytes());
            assertArrayEquals(b("sig1"), m.get(0).signature());
            assertEquals("d2", s.lastManifestDigest("j").orElseThrow());
            StoreException replaced = assertThrows(StoreException.class,
                    () -> s.saveManifest("j", 2, "d2x", b("{\"round\":2,\"x\":1}"), b("sig2")));
            assertTrue(replaced.getMessage().contains("never replaced"), replaced.getMessage());
            assertThrows(StoreException.class, () -> s.saveManifest("nope", 1, "d9", b("{}"), b("s")));
        }
    }

    @Test
    void countersignaturesAreKeptOnceAndARefusalGivesWayToASignature() throws Exception {
        try (CoordinatorStore s = CoordinatorStore.open(newUrl())) {
            addJob(s, "j");
            s.saveManifest("j", 1, "d1", b("{\"round\":1}"), b("sig1"));
            java.time.Instant t = T0.plusSeconds(60);
            s.saveCountersignature("j", 1, "site-b", null, null, "entry altered", t);
            s.saveCountersignature("j", 1, "site-a", b("cs-a"), b("cert-a"), null, t);
            s.saveCountersignature("j", 1, "site-a", b("cs-a2"), b("cert-a"), null, t); // kept once
            List<CoordinatorStore.Countersignature> c = s.countersignatures("j");
            assertEquals(List.of("site-a", "site-b"), c.stream().map(CoordinatorStore.Countersignature::site).toList());
            assertArrayEquals(b("cs-a"), c.get(0).signature());
            assertEquals("entry altered", c.get(1).refusal());
            s.saveCountersignature("j", 1, "site-b", b("cs-b"), b("cert-b"), null, t.plusSeconds(1));
            assertArrayEquals(b("cs-b"), s.countersignatures("j").get(1).signature());
            assertThrows(IllegalArgumentException.class, () -> s.saveCountersignature("j", 1, "x", b("s"), null, "r", t));
            assertThrows(StoreException.class, () -> s.saveCountersignature("j", 7, "site-a", b("s"), b("c"), null, t),
                    "a countersignature of a manifest that is not stored");
        }
    }

    @Test
    void aVersion1DatabaseGainsTheCountersignatureTable() throws Exception {
        String url = newUrl();
        try (CoordinatorStore s = CoordinatorStore.open(url)) {
            addJob(s, "j");
        }
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.executeUpdate("DROP TABLE round_phases");
            st.executeUpdate("DROP TABLE manifest_countersignatures");
            st.executeUpdate("DELETE FROM schema_version WHERE version >= 2");
        }
        try (CoordinatorStore s = CoordinatorStore.open(url)) {
            assertEquals(3, s.schemaVersion());
            s.saveManifest("j", 1, "d1", b("{}"), b("sig"));
            s.saveCountersignature("j", 1, "site-a", b("cs"), b("cert"), null, T0);
            assertEquals(1, s.countersignatures("j").size());
            assertEquals(1, s.jobs().size());
        }
    }

    @Test
    void roundPhasesAreRecordedPerAttemptAndAVersion2DatabaseGainsTheirTable() throws Exception {
        String url = newUrl();
        try (CoordinatorStore s = CoordinatorStore.open(url)) {
            addJob(s, "j");
        }
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.executeUpdate("DROP TABLE round_phases");
            st.executeUpdate("DELETE FROM schema_version WHERE version = 3");
        }
        try (CoordinatorStore s = CoordinatorStore.open(url)) {
            assertEquals(3, s.schemaVersion());
            s.recordPhase("j", 1, 1, "decryption", T0.plusSeconds(9), T0.plusSeconds(12));
            s.recordPhase("j", 1, 1, "training", T0, T0.plusSeconds(5));
            s.recordPhase("j", 1, 1, "training", T0, T0.plusSeconds(6)); // recorded again: replaced
            s.recordPhase("j", 2, 1, "training", T0.plusSeconds(20), T0.plusSeconds(25));
            s.recordPhase("other", 1, 1, "training", T0, T0.plusSeconds(1));
        }
        try (CoordinatorStore s = CoordinatorStore.open(url)) {
            List<CoordinatorStore.RoundPhase> p = s.phases("j");
            assertEquals(List.of("1/training", "1/decryption", "2/training"),
                    p.stream().map(x -> x.round() + "/" + x.phase()).toList());
            assertEquals(T0.plusSeconds(6), p.get(0).finished());
            assertEquals(T0.plusSeconds(9), p.get(1).started());
        }
    }

    @Test
    void everythingIsThereAfterCloseAndReopen() throws Exception {
        String url = newUrl();
        try (CoordinatorStore s = CoordinatorStore.open(url)) {
            addJob(s, "j");
            s.setJobState("j", JobState.RUNNING, "started");
            s.setSiteDecision("j", "site-a", true, null, "fp", "{}");
            s.saveJobKey("j", b("pk"), "kid", 1, List.of("site-a"));
            int a = s.startRound("j", 1, "m0", T0);
            s.recordContribution("j", 1, a, "site-a", 2, "c", b("r"), 5L);
            s.reserveDecryption("j", 1, a, 0);
            s.finishRound("j", 1, a, "m1", "st", "{}", T0);
            s.saveManifest("j", 1, "d1", b("{}"), b("sig"));
        }
        try (CoordinatorStore s = CoordinatorStore.open(url)) {
            assertEquals(JobState.RUNNING, s.job("j").orElseThrow().state());
            assertEquals("started", s.job("j").orElseThrow().stateReason());
            assertEquals(1, s.siteDecisions("j").size());
            assertEquals("kid", s.jobKey("j").orElseThrow().keyId());
            assertEquals("m1", s.lastCompletedRound("j").orElseThrow().modelOutDigest());
            assertEquals(5L, s.contributions("j", 1).get(0).samples());
            assertEquals("d1", s.lastManifestDigest("j").orElseThrow());
            assertEquals(3, s.schemaVersion());
        }
    }

    @Test
    void aDatabaseFromANewerBuildIsRefused() throws Exception {
        String url = newUrl();
        try (CoordinatorStore s = CoordinatorStore.open(url)) {
            addJob(s, "j");
        }
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO schema_version (version, applied) VALUES (" + (Schema.latest() + 1)
                    + ", 'later')");
        }
        StoreException e = assertThrows(StoreException.class, () -> CoordinatorStore.open(url));
        assertTrue(e.getMessage().contains("schema version " + (Schema.latest() + 1) + ", newer than this build"),
                e.getMessage());
        assertTrue(e.getMessage().contains(CoordinatorStore.describe(url)), e.getMessage());
    }

    @Test
    void aClosedStoreSaysSo() throws Exception {
        CoordinatorStore s = CoordinatorStore.open(newUrl());
        s.close();
        s.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, s::jobs);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
