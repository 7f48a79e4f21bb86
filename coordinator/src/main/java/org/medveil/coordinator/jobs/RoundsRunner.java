package org.medveil.coordinator.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.medveil.coordinator.persistence.CoordinatorStore;
import org.medveil.coordinator.persistence.ModelFiles;
import org.medveil.coordinator.rounds.JobPlan;
import org.medveil.coordinator.rounds.JobRun;
import org.medveil.coordinator.rounds.ObjectStore;
import org.medveil.coordinator.rounds.RoundFailedException;
import org.medveil.coordinator.rounds.RoundListener;
import org.medveil.coordinator.rounds.SiteLinks;
import org.medveil.coordinator.strategy.ServerStrategies;
import org.medveil.governance.crypto.CertificateVerifier;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.job.JobSpec;
import org.medveil.governance.manifest.ManifestWriter;
import org.medveil.governance.manifest.RoundManifest;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.proto.admin.RoundSummary;
import org.medveil.proto.federation.SignedBlob;
import org.medveil.proto.rounds.ContributionRef;
import org.medveil.proto.rounds.RoundResult;
import org.medveil.proto.rounds.RoundsMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs accepted jobs' rounds: one {@link JobRun} per job on a thread of its own, its messages
 * routed from the sites' sessions, the initial and every next model in the model files, and
 * after each round a summary for users and a signed, chained manifest (written to
 * {@code jobs/JOB/manifests/} and to the store).
 */
public final class RoundsRunner implements JobService.JobRunner {

    private static final Logger LOG = LoggerFactory.getLogger(RoundsRunner.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Bound on every packed value (update·samples, counts, loss·samples): room for 10^6 training
     * examples at a site with per-value updates up to 10 in magnitude. A site beyond it is left out.
     */
    static final double VALUE_BOUND = 1e7;

    private final SiteLinks links;
    private final ObjectStore objects;
    private final ModelFiles models;
    private final CoordinatorStore store;
    private final CertificateVerifier verifier;
    private final CertifiedKey coordinatorKey;
    private final String project;
    private final Path jobsDir;
    private final Clock clock;
    private final Map<String, JobRun> runs = new ConcurrentHashMap<>();
    private final Countersignatures countersignatures;
    private volatile java.util.function.Supplier<java.util.Set<String>> connected = java.util.Set::of;

    private volatile java.util.function.BiFunction<String, Integer, long[]> wire = (job, round) -> new long[2];

    /** Bulk bytes per (job, round index), [to sites, from sites], for the users' round summaries. */
    public void wireBytes(java.util.function.BiFunction<String, Integer, long[]> bytes) {
        this.wire = bytes;
    }

    /** Who is connected now (for a resumed job, rounds wait until its sites are back). */
    public void connected(java.util.function.Supplier<java.util.Set<String>> sites) {
        this.connected = sites;
    }

    private void awaitSites(JobPlan plan) throws InterruptedException {
        Instant until = clock.instant().plus(Duration.ofMinutes(2));
        while (!connected.get().containsAll(plan.sites()) && clock.instant().isBefore(until)) {
            Thread.sleep(200);
        }
    }
    private final Map<String, Thread> threads = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private final java.util.Set<String> aborted = ConcurrentHashMap.newKeySet();

    public RoundsRunner(SiteLinks links, ObjectStore objects, ModelFiles models, CoordinatorStore store,
            CertificateVerifier verifier, CertifiedKey coordinatorKey, String project, Path jobsDir, Clock clock) {
        this.links = links;
        this.objects = objects;
        this.models = models;
        this.store = store;
        this.verifier = verifier;
        this.coordinatorKey = coordinatorKey;
        this.project = project;
        this.jobsDir = jobsDir;
        this.clock = clock;
        this.countersignatures = new Countersignatures(links, store, verifier, jobsDir, clock);
    }

    /** A message from a site for one of the running jobs; others are dropped (and logged once per job). */
    public void onMessage(String site, RoundsMessage m) {
        if (m.getBodyCase() == RoundsMessage.BodyCase.COUNTERSIGNATURE) {
            // answered here, not by the run: late answers (even after the job ended) are stored too
            countersignatures.onAnswer(site, m.getJobId(), m.getCountersignature());
            return;
        }
        JobRun run = runs.get(m.getJobId());
        if (run != null) {
            run.onMessage(site, m);
        } else {
            LOG.debug("site {} sent a round message for job {}, which is not running here", site, m.getJobId());
        }
    }

    private JobPlan plan(JobService.AcceptedJob job) {
        JobSpec spec = job.spec();
        int n = job.sites().size();
        return new JobPlan(job.job().jobId(), job.sites(), spec.encrypted() ? spec.he() : null,
                Math.min(spec.threshold(), n), Math.min(spec.minSites(), n), VALUE_BOUND, spec.rounds(),
                Duration.ofMinutes(5), Duration.ofSeconds(spec.roundTimeoutSeconds()),
                // verification and decryption shares grow with the update like uploads do: same bound
                Duration.ofSeconds(spec.roundTimeoutSeconds()),
                spec.model(), spec.local().epochs(), spec.local().maxSteps() == null ? 0 : spec.local().maxSteps(),
                spec.local().batchSize(), spec.local().learningRate(),
                spec.strategy().mu() == null ? 0 : spec.strategy().mu(), spec.seed());
    }

    @Override
    public void start(JobService.AcceptedJob job, JobService.JobProgress progress) {
        launch(job, progress, null);
    }

    /**
     * After a coordinator restart: continues a job whose key setup finished, with the key the
     * sites hold. The round that was in flight is recorded as failed and never run again under
     * its number (key holders may have answered for its chunks); the remaining rounds take new
     * numbers from the last completed model and, for a strategy with state (FedAdam's moments),
     * the state saved with that model.
     */
    @Override
    public boolean resume(JobService.AcceptedJob job, JobService.JobProgress progress) {
        String jobId = job.job().jobId();
        var last = store.lastCompletedRound(jobId);
        if (last.isPresent() && last.get().strategyStateDigest() == null
                && ServerStrategies.of(job.spec().strategy().name().id(), strategyParams(job.spec().strategy())).hasState()) {
            return false; // completed before strategy state was saved: its moments are lost
        }
        if (job.spec().encrypted() && store.jobKey(jobId).isEmpty()) {
            return false;
        }
        int started = 0;
        for (CoordinatorStore.Round r : store.rounds(jobId)) {
            started = Math.max(started, r.round());
            if (r.state() == org.medveil.coordinator.persistence.RoundState.RUNNING) {
                store.failRound(jobId, r.round(), r.attempt(), "the coordinator restarted during the round", clock.instant());
                progress.round(jobId, RoundSummary.newBuilder().setRound(r.round()).setState("failed")
                        .setStarted(ts(r.started())).setFinished(ts(clock.instant())).build());
            }
        }
        launch(job, progress, new Resume(started, last.map(CoordinatorStore.Round::modelOutDigest)
                .orElse(job.initialModelDigest()), last.map(CoordinatorStore.Round::strategyStateDigest).orElse(null)));
        return true;
    }

    /**
     * Where a resumed job continues: the next round index, the model it starts from and the
     * server strategy's state saved with that model (null: a fresh strategy).
     */
    private record Resume(int nextRound, String modelDigest, String strategyStateDigest) {
    }

    private void launch(JobService.AcceptedJob job, JobService.JobProgress progress, Resume resume) {
        JobSpec spec = job.spec();
        String jobId = job.job().jobId();
        JobPlan plan = plan(job);
        org.medveil.coordinator.strategy.ServerStrategy strategy;
        try {
            strategy = resume == null || resume.strategyStateDigest() == null
                    ? ServerStrategies.of(spec.strategy().name().id(), strategyParams(spec.strategy()))
                    : ServerStrategies.restore(models.read(resume.strategyStateDigest()));
        } catch (IOException e) {
            LOG.error("job {} cannot resume: its server strategy state cannot be read: {}", jobId, e.getMessage());
            progress.state(jobId, "failed", "the coordinator cannot read the job's server strategy state: "
                    + e.getMessage());
            return;
        }
        Manifests manifests = new Manifests(job, plan, progress, strategy);
        JobRun run = new JobRun(plan, links, objects, verifier, strategy::next, manifests);
        runs.put(jobId, run);
        Thread t = new Thread(() -> {
            try {
                float[] last;
                if (resume == null) {
                    last = run.run(models.readFloats(job.initialModelDigest()));
                } else {
                    awaitSites(plan);
                    countersignatures.requestMissing(jobId);
                    if (plan.encrypted()) {
                        run.resumeWithKey(store.jobKey(jobId).orElseThrow().publicKeyWire());
                    }
                    last = models.readFloats(resume.modelDigest());
                    int done = (int) store.rounds(jobId).stream().filter(r -> r.state()
                            == org.medveil.coordinator.persistence.RoundState.COMPLETED).count();
                    LOG.info("job {}: resuming after a restart at round index {} ({} of {} rounds done)", jobId,
                            resume.nextRound(), done, plan.rounds());
                    last = run.runRounds(resume.nextRound(), plan.rounds() - done, last);
                }
                progress.finished(jobId, models.writeFloats(last));
                LOG.info("job {} completed: {} rounds", jobId, plan.rounds());
            } catch (RoundFailedException | IllegalArgumentException | IllegalStateException | InterruptedException e) {
                if (aborted.contains(jobId)) {
                    LOG.info("job {} stopped: aborted", jobId);
                    return;
                }
                if (closing) {
                    // the coordinator is stopping: the job stays "running" and goes on at the next start
                    LOG.info("job {} pauses: the coordinator is stopping; it resumes when the coordinator starts again",
                            jobId);
                    return;
                }
                LOG.warn("job {} failed: {}", jobId, e.getMessage());
                progress.state(jobId, "failed", e.getMessage());
            } catch (IOException e) {
                LOG.error("job {} failed: the model files cannot be read or written: {}", jobId, e.getMessage());
                progress.state(jobId, "failed", "the coordinator cannot read or write model files: " + e.getMessage());
            } finally {
                runs.remove(jobId);
                threads.remove(jobId);
            }
        }, "job-" + jobId);
        t.setDaemon(true);
        threads.put(jobId, t);
        t.start();
    }

    private static Map<String, Double> strategyParams(JobSpec.Strategy s) {
        Map<String, Double> p = new LinkedHashMap<>();
        switch (s.name()) {
            case FEDPROX -> p.put("mu", s.mu());
            case FEDADAM -> {
                p.put("eta", s.serverLearningRate());
                p.put("beta1", s.beta1());
                p.put("beta2", s.beta2());
                p.put("tau", s.tau());
            }
            default -> { }
        }
        p.values().removeIf(java.util.Objects::isNull);
        return p;
    }

    @Override
    public void abort(String jobId, String reason) {
        aborted.add(jobId);
        Thread t = threads.get(jobId);
        runs.remove(jobId);
        if (t != null) {
            t.interrupt();
        }
    }

    public void close() {
        closing = true;
        threads.values().forEach(Thread::interrupt);
        for (Thread t : threads.values()) {
            try {
                t.join(5_000); // let a round's thread notice before the store closes under it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Turns each finished round into the users' summary, the store's round records and a signed manifest. */
    private final class Manifests implements RoundListener {
        private final JobService.AcceptedJob job;
        private final JobPlan plan;
        private final JobService.JobProgress progress;
        private final Map<Integer, Instant> started = new ConcurrentHashMap<>();
        private final Map<Integer, String> modelIn = new ConcurrentHashMap<>();
        private final Map<Integer, Map<String, ContributionRef>> records = new ConcurrentHashMap<>();
        private final Map<Integer, Integer> attempts = new ConcurrentHashMap<>();
        /** When the last contribution of a round arrived (or a site was left out) and when decryption began. */
        private final Map<Integer, Instant> lastArrival = new ConcurrentHashMap<>();
        private final Map<Integer, Instant> decryptionFrom = new ConcurrentHashMap<>();
        private final String heFingerprint;
        private final org.medveil.coordinator.strategy.ServerStrategy strategy;

        Manifests(JobService.AcceptedJob job, JobPlan plan, JobService.JobProgress progress,
                org.medveil.coordinator.strategy.ServerStrategy strategy) {
            this.job = job;
            this.plan = plan;
            this.progress = progress;
            this.strategy = strategy;
            this.heFingerprint = plan.encrypted() ? new HeContext(Params.byName(plan.heParams())).fingerprint()
                    : RoundManifest.PLAINTEXT;
        }

        @Override
        public void keyReady(String jobId, String keyIdHex, byte[] publicKey) {
            if (plan.encrypted()) {
                store.saveJobKey(jobId, publicKey, keyIdHex, plan.threshold(), plan.sites());
            }
            progress.state(jobId, "running", "");
        }

        @Override
        public void roundStarted(String jobId, int round, byte[] modelSha256) {
            started.put(round, clock.instant());
            modelIn.put(round, HexFormat.of().formatHex(modelSha256));
            attempts.put(round, store.startRound(jobId, round + 1, HexFormat.of().formatHex(modelSha256), clock.instant()));
            progress.round(jobId, RoundSummary.newBuilder().setRound(round + 1).setState("running")
                    .setStarted(ts(started.get(round))).build());
        }

        @Override
        public void roundFailed(String jobId, int round, String reason) {
            Instant now = clock.instant();
            store.failRound(jobId, round + 1, attempts.getOrDefault(round, 1), reason, now);
            RoundSummary.Builder summary = RoundSummary.newBuilder().setRound(round + 1).setState("failed")
                    .setFinished(ts(now));
            if (started.containsKey(round)) {
                summary.setStarted(ts(started.get(round)));
            }
            progress.round(jobId, summary.build());
        }

        @Override
        public void contributionRecorded(String jobId, int round, String site, ContributionRef contribution) {
            records.computeIfAbsent(round, r -> new ConcurrentHashMap<>()).put(site, contribution);
            lastArrival.put(round, clock.instant());
            // signed statement + the name of the records object it covers (the records stay in the object store)
            byte[] all = contribution.toByteArray();
            int chunks = contribution.hasStatement() ? JobRun.parseStatement(contribution.getStatement()).statement()
                    .chunks() : 0;
            store.recordContribution(jobId, round + 1, attempts.getOrDefault(round, 1), site, chunks, Sha256.hex(all),
                    all, null);
        }

        @Override
        public void siteLeftOut(String jobId, int round, String site, String reason) {
            lastArrival.put(round, clock.instant());
        }

        @Override
        public void decryptionReserved(String jobId, int round, List<String> activeSet, byte[] aggregateSha256) {
            decryptionFrom.put(round, clock.instant());
        }

        /**
         * The round's phases as the coordinator sees them, for the console's timeline: the sites
         * download the model, train and upload (until the last contribution arrived or a site was
         * left out); key holders verify the contributions and the aggregate is formed (until the
         * decryption set is fixed); key holders decrypt; the coordinator writes model and manifest.
         */
        private void recordPhases(String jobId, int round, Instant computed, Instant recorded) {
            int attempt = attempts.getOrDefault(round, 1);
            Instant start = started.get(round);
            Instant arrived = lastArrival.remove(round);
            Instant decrypt = decryptionFrom.remove(round);
            if (start == null || arrived == null) {
                return;
            }
            store.recordPhase(jobId, round + 1, attempt, "train", start, arrived);
            store.recordPhase(jobId, round + 1, attempt, "aggregate", arrived, decrypt != null ? decrypt : computed);
            if (decrypt != null) {
                store.recordPhase(jobId, round + 1, attempt, "decrypt", decrypt, computed);
            }
            store.recordPhase(jobId, round + 1, attempt, "record", computed, recorded);
        }

        @Override
        public void roundFinished(String jobId, RoundResult r, float[] nextModel) {
            int round = r.getRound();
            Instant computed = clock.instant();
            Instant finished = computed;
            try {
                String out = models.writeFloats(nextModel);
                // the strategy's state after this round, durable before the round row names both: both or neither
                String state = strategy.hasState() ? models.write(strategy::writeState) : null;
                Map<String, String> metrics = new LinkedHashMap<>();
                metrics.put("accuracy", fmt(r.getMetrics().getAccuracy()));
                metrics.put("auc", fmt(r.getMetrics().getAuc()));
                metrics.put("sensitivity", fmt(r.getMetrics().getSensitivity()));
                metrics.put("specificity", fmt(r.getMetrics().getSpecificity()));
                metrics.put("meanLoss", fmt(r.getMetrics().getMeanLoss()));
                metrics.put("examples", Long.toString((long) r.getTotalSamples()));
                List<RoundManifest.SiteEntry> entries = new ArrayList<>();
                for (String site : r.getContributorsList()) {
                    entries.add(entry(site, records.getOrDefault(round, Map.of()).getOrDefault(site,
                            ContributionRef.getDefaultInstance()), round));
                }
                String previous = store.lastManifestDigest(jobId).orElse(RoundManifest.GENESIS);
                String aggregate = Sha256.hex((jobId + "/round-" + round + "/aggregate:"
                        + HexFormat.of().formatHex(r.getNextModelSha256().toByteArray())).getBytes(
                        java.nio.charset.StandardCharsets.UTF_8));
                int number = store.manifests(jobId).size() + 1; // consecutive even when a round failed
                RoundManifest m = RoundManifest.of(project, jobId, job.job().digest(), number, entries, aggregate,
                        r.getDecryptionSetList(), heFingerprint, modelIn.get(round), out, metrics,
                        started.getOrDefault(round, finished), finished, previous);
                Path dir = jobsDir.resolve(jobId).resolve("manifests");
                Path file = ManifestWriter.write(dir, m, coordinatorKey);
                byte[] sig = java.nio.file.Files.readAllBytes(dir.resolve(
                        org.medveil.governance.manifest.ManifestFiles.signature(number)));
                // one transaction: a kill -9 between the two would leave a manifest for a round the restart fails
                store.completeRound(jobId, round + 1, attempts.getOrDefault(round, 1), out, state,
                        JSON.writeValueAsString(metrics), finished, number, m.digest(), m.canonicalBytes(), sig);
                recordPhases(jobId, round, computed, clock.instant());
                long[] bytes = wire.apply(jobId, round);
                countersignatures.request(jobId, round, number, m.canonicalBytes(), r.getContributorsList());
                progress.round(jobId, RoundSummary.newBuilder().setRound(round + 1).setState("completed")
                        .addAllParticipants(r.getContributorsList()).addAllLeftOut(r.getLeftOutList())
                        .setLoss(r.getMetrics().getMeanLoss()).setAccuracy(r.getMetrics().getAccuracy())
                        .setAuc(r.getMetrics().getAuc()).setSensitivity(r.getMetrics().getSensitivity())
                        .setSpecificity(r.getMetrics().getSpecificity()).setExamples((long) r.getTotalSamples())
                        .setStarted(ts(started.getOrDefault(round, finished))).setFinished(ts(finished))
                        .setManifestDigest(m.digest()).setBytesOut(bytes[0]).setBytesIn(bytes[1]).build());
                LOG.info("job {} round {}: {} sites, loss {}, auc {}, manifest {}", jobId, round + 1,
                        r.getContributorsCount(), fmt(r.getMetrics().getMeanLoss()), fmt(r.getMetrics().getAuc()),
                        file.getFileName());
            } catch (IOException e) {
                throw new IllegalStateException("cannot record round " + (round + 1) + " of job " + jobId + ": "
                        + e.getMessage(), e);
            }
        }

        private RoundManifest.SiteEntry entry(String site, ContributionRef contribution, int round) {
            SignedBlob d = job.descriptors().get(site);
            RoundManifest.DataDescriptor data = descriptor(d);
            String fingerprint = d == null ? "" : Sha256.hex(d.getCertificate().toByteArray());
            RoundManifest.Contribution c;
            if (!contribution.hasStatement()) {
                // plaintext: no signed ciphertext records; the site's signed data descriptor stands in
                c = new RoundManifest.Contribution(Sha256.hex(d.getSigned().toByteArray()),
                        Base64.getEncoder().encodeToString(d.getSignature().toByteArray()));
            } else {
                // the site's one signature of the round: over its statement, which covers every chunk's record
                c = new RoundManifest.Contribution(Sha256.hex(contribution.getStatement().getSignedBytes().toByteArray()),
                        Base64.getEncoder().encodeToString(contribution.getStatement().getSignature().toByteArray()));
            }
            return new RoundManifest.SiteEntry(site, fingerprint, job.spec().duaFor(site), data, c);
        }

        private RoundManifest.DataDescriptor descriptor(SignedBlob d) {
            return RoundManifest.DataDescriptor.fromSignedJson(d.getSigned().toByteArray());
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }

    private static com.google.protobuf.Timestamp ts(Instant i) {
        return com.google.protobuf.Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }
}
