package org.medveil.cli.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.coordinator.jobs.JobService;
import org.medveil.coordinator.jobs.RoundsRunner;
import org.medveil.coordinator.persistence.CoordinatorStore;
import org.medveil.coordinator.persistence.ModelFiles;
import org.medveil.coordinator.persistence.RoundState;
import org.medveil.coordinator.rounds.JobRun;
import org.medveil.coordinator.rounds.RoundListener;
import org.medveil.coordinator.rounds.SiteLinks;
import org.medveil.governance.canonical.Jcs;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.job.JobSpec;
import org.medveil.governance.job.SignedJob;
import org.medveil.governance.pki.Kit;
import org.medveil.proto.admin.RoundSummary;
import org.medveil.proto.federation.SignedBlob;
import org.medveil.proto.rounds.RoundsMessage.BodyCase;

/**
 * FedAdam across a coordinator restart: the coordinator's real {@link RoundsRunner} with its
 * SQLite store and model files drives three sites' real participants (deterministic
 * {@code FakeTraining}, plaintext updates) through 4 rounds. One run goes straight through; the
 * other stops its runner while round 3 is in flight (its start is held back from the sites), and
 * a new runner on the same store resumes the job. Both end with the same model only if the
 * server moments m and v saved with round 2's model are restored.
 */
@Timeout(300)
class FedAdamResumeTest {

    private static final int ROUNDS = 4;

    @TempDir
    Path dir;

    private static String yaml() {
        return """
                name: fedadam-resume
                project: demo
                model: cnn:input=16,filters=2,dense=8
                seed: 42
                rounds: %d
                local: {epochs: 1, batchSize: 8, learningRate: 0.1}
                strategy: {name: fedadam, serverLearningRate: 0.05, beta1: 0.9, beta2: 0.99, tau: 0.001}
                minSites: 3
                threshold: 3
                roundTimeoutSeconds: 120
                he: plaintext
                selection: {modalities: [CT], categories: [clinical-structural], maxGrade: 3, purpose: research}
                sites:
                  - {site: hospital-a, dua: dua-a}
                  - {site: hospital-b, dua: dua-b}
                  - {site: hospital-c, dua: dua-c}
                """.formatted(ROUNDS);
    }

    /** What the coordinator process owns: store, model files, manifests folder; a runner over them. */
    private static final class Coordinator implements AutoCloseable {
        final CoordinatorStore store;
        final ModelFiles models;
        final Path jobsDir;
        final RoundsHarness h;
        final SiteLinks links;
        final CertifiedKey key;

        Coordinator(Path dir, RoundsHarness h, SiteLinks links) throws Exception {
            this.store = CoordinatorStore.open(dir.resolve("coordinator.db"));
            this.models = ModelFiles.open(dir.resolve("models"));
            this.jobsDir = dir.resolve("jobs");
            this.h = h;
            this.links = links;
            this.key = CertifiedKey.of(Kit.load(h.dir.resolve("project/coordinator")));
        }

        RoundsRunner runner() {
            RoundsRunner r = new RoundsRunner(links, h.objects, models, store, h.verifier, key, "demo", jobsDir,
                    Clock.systemUTC());
            r.connected(() -> Set.copyOf(RoundsHarness.SITES));
            h.toCoordinator = r::onMessage;
            return r;
        }

        @Override
        public void close() {
            store.close();
        }
    }

    /** Progress as the job service sees it: rounds as they change, the final model digest or the failure. */
    private static final class Progress implements JobService.JobProgress {
        final CompletableFuture<String> finished = new CompletableFuture<>();
        final java.util.function.Consumer<RoundSummary> onRound;

        Progress(java.util.function.Consumer<RoundSummary> onRound) {
            this.onRound = onRound;
        }

        @Override
        public void state(String jobId, String state, String reason) {
            if ("failed".equals(state)) {
                finished.completeExceptionally(new AssertionError("job failed: " + reason));
            }
        }

        @Override
        public void round(String jobId, RoundSummary summary) {
            onRound.accept(summary);
        }

        @Override
        public void finished(String jobId, String finalModelDigest) {
            finished.complete(finalModelDigest);
        }
    }

    private static JobService.AcceptedJob job(RoundsHarness h, ModelFiles models) throws Exception {
        JobSpec spec = JobSpec.parse(yaml(), "test job");
        String initial = models.writeFloats(RoundsHarness.initialModel());
        SignedJob signed = SignedJob.sign(spec, initial, CertifiedKey.of(Kit.load(h.dir.resolve("project/coordinator"))),
                Instant.parse("2026-06-01T00:00:00Z"));
        Map<String, SignedBlob> descriptors = new LinkedHashMap<>();
        for (String site : RoundsHarness.SITES) {
            CertifiedKey k = CertifiedKey.of(Kit.load(h.dir.resolve("project/sites/" + site)));
            byte[] d = Jcs.canonicalize(Map.of("job", signed.jobId(), "site", site, "counts", List.of(Map.of(
                            "category", "clinical-structural", "grade", 2, "count",
                            RoundsHarness.FakeTraining.samples(site))),
                    "deidProfileDigest", "b".repeat(64), "datasetMerkleRoot", "c".repeat(64)));
            descriptors.put(site, SignedBlob.newBuilder().setSigned(ByteString.copyFrom(d))
                    .setSignature(ByteString.copyFrom(k.sign(d)))
                    .setCertificate(ByteString.copyFrom(k.certificate().getEncoded())).setRole("site").build());
        }
        return new JobService.AcceptedJob(signed, spec, RoundsHarness.SITES, descriptors, initial);
    }

    /** Starts the harness's sites for the job and returns the links the coordinator sends through. */
    private static SiteLinks sites(RoundsHarness h, String jobId) {
        AtomicReference<SiteLinks> links = new AtomicReference<>();
        h.job = jobId;
        h.start(l -> {
            links.set(l);
            // never run: the coordinator's RoundsRunner builds its own runs; the harness only needs the links
            return new JobRun(RoundsHarness.plan(null, 0, 3, 1, Duration.ofSeconds(1)), l, h.objects, h.verifier,
                    RoundsHarness.FED_AVG, new RoundListener() { });
        });
        return links.get();
    }

    private float[] run(Path where, boolean restartDuringRound3) throws Exception {
        try (RoundsHarness h = new RoundsHarness(where)) {
            ModelFiles models = ModelFiles.open(where.resolve("coordinator/models"));
            JobService.AcceptedJob job = job(h, models);
            h.training = org.medveil.site.federation.LocalTraining.JobTraining.of(job.spec());
            String jobId = job.job().jobId();
            SiteLinks links = sites(h, jobId);
            try (Coordinator c = new Coordinator(where.resolve("coordinator"), h, links)) {
                c.store.insertJob(jobId, job.job().signedBytes(), job.job().signature(), job.job().researcherDer(),
                        job.job().digest(), Instant.now());
                if (!restartDuringRound3) {
                    Progress p = new Progress(s -> { });
                    c.runner().start(job, p);
                    return models.readFloats(p.finished.get(120, TimeUnit.SECONDS));
                }
                // round 3's start never reaches the sites: the round is in flight when the coordinator stops
                h.dropToSite = (site, m) -> m.getBodyCase() == BodyCase.ROUND_START && m.getRoundStart().getRound() == 2;
                CountDownLatch round3 = new CountDownLatch(1);
                Progress first = new Progress(s -> {
                    if (s.getRound() == 3 && "running".equals(s.getState())) {
                        round3.countDown();
                    }
                });
                RoundsRunner before = c.runner();
                before.start(job, first);
                assertTrue(round3.await(120, TimeUnit.SECONDS), "round 3 never started");
                before.close();
                assertEquals(2, c.store.rounds(jobId).stream().filter(r -> r.state() == RoundState.COMPLETED).count());
                h.dropToSite = (site, m) -> false;

                Progress second = new Progress(s -> { });
                assertTrue(c.runner().resume(job, second), "a FedAdam job was not resumed");
                float[] out = models.readFloats(second.finished.get(120, TimeUnit.SECONDS));
                List<CoordinatorStore.Round> rounds = c.store.rounds(jobId);
                assertEquals(List.of(RoundState.COMPLETED, RoundState.COMPLETED, RoundState.FAILED, RoundState.COMPLETED,
                        RoundState.COMPLETED), rounds.stream().map(CoordinatorStore.Round::state).toList());
                for (CoordinatorStore.Round r : rounds) {
                    if (r.state() == RoundState.COMPLETED) {
                        assertNotNull(r.strategyStateDigest(), "round " + r.round() + " saved no FedAdam state");
                        assertTrue(models.exists(r.strategyStateDigest()));
                    }
                }
                return out;
            }
        }
    }

    @Test
    void aFedAdamJobResumedAfterARestartEndsWithTheModelOfAnUninterruptedRun() throws Exception {
        float[] straight = run(dir.resolve("straight"), false);
        float[] resumed = run(dir.resolve("resumed"), true);
        assertEquals(straight.length, resumed.length);
        float[] initial = RoundsHarness.initialModel();
        double moved = 0;
        for (int i = 0; i < straight.length; i++) {
            moved = Math.max(moved, Math.abs(straight[i] - initial[i]));
            // the plaintext sum adds the sites in arrival order: allow rounding differences, nothing more
            assertTrue(Math.abs(straight[i] - resumed[i]) <= 1e-6, "parameter " + i + ": " + resumed[i]
                    + " after the restart, " + straight[i] + " without");
        }
        assertTrue(moved > 0.05, "FedAdam hardly moved the model (" + moved + "): the comparison would prove nothing");
    }
}
