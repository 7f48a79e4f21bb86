package org.medveil.coordinator.jobs;

import com.google.protobuf.ByteString;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.medveil.governance.job.JobException;
import org.medveil.governance.job.JobSpec;
import org.medveil.governance.job.SignedJob;
import org.medveil.governance.pki.RevocationList;
import org.medveil.proto.Capabilities;
import org.medveil.proto.admin.JobSiteStatus;
import org.medveil.proto.admin.JobStatus;
import org.medveil.proto.admin.RoundSummary;
import org.medveil.proto.admin.SiteAgreement;
import org.medveil.proto.admin.SubmitJobHeader;
import org.medveil.proto.federation.CoordinatorMessage;
import org.medveil.proto.federation.JobCancel;
import org.medveil.proto.federation.JobDecision;
import org.medveil.proto.federation.JobOffer;
import org.medveil.proto.federation.SignedBlob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs from submission to the start of their rounds: checks a submitted job (researcher's
 * signature, one agreement per site, initial parameters matching the signed digest), offers it to
 * its sites, collects their decisions, and hands an accepted job to the {@link JobRunner}. The
 * coordinator checks what it can; each site checks everything again itself (it trusts no one).
 */
public final class JobService {

    private static final Logger LOG = LoggerFactory.getLogger(JobService.class);

    /** Starts and stops the rounds of accepted jobs (the rounds engine). */
    public interface JobRunner {
        void start(AcceptedJob job, JobProgress progress);

        void abort(String jobId, String reason);

        /** Continues an accepted job after a restart; false when it cannot (the job then fails with the reason). */
        default boolean resume(AcceptedJob job, JobProgress progress) {
            return false;
        }
    }

    /** What the rounds engine reports back. */
    public interface JobProgress {
        void state(String jobId, String state, String reason);

        void round(String jobId, RoundSummary summary);

        void finished(String jobId, String finalModelDigest);
    }

    /** A job that enough sites accepted. */
    public record AcceptedJob(SignedJob job, JobSpec spec, List<String> sites, Map<String, SignedBlob> descriptors,
            String initialModelDigest) {
    }

    private final JobRecords records;
    private final SiteSessions sessions;
    private final X509Certificate ca;
    private final RevocationList crl;
    private final Clock clock;
    private final Duration decisionTimeout;
    private volatile JobRunner runner;
    private final Map<String, List<Consumer<JobStatus>>> watchers = new ConcurrentHashMap<>();

    public JobService(JobRecords records, SiteSessions sessions, X509Certificate ca, RevocationList crl, Clock clock,
            Duration decisionTimeout) {
        this.records = records;
        this.sessions = sessions;
        this.ca = ca;
        this.crl = crl;
        this.clock = clock;
        this.decisionTimeout = decisionTimeout;
    }

    public void runner(JobRunner runner) {
        this.runner = runner;
    }

    /**
     * At start-up: jobs whose rounds were running when the coordinator stopped end as failed with
     * the reason (resuming them is not built yet), so no job stays "running" with nothing behind it.
     * Offered jobs keep waiting for their sites' answers.
     */
    public void recoverAfterRestart() {
        for (JobRecords.Job j : records.open()) {
            if ("running".equals(j.state()) && runner != null && runner.resume(accepted(j), progress())) {
                LOG.info("job {} was running when the coordinator stopped; it goes on from its last completed round",
                        j.jobId());
                continue;
            }
            if ("key-setup".equals(j.state()) || "running".equals(j.state())) {
                records.setState(j.jobId(), "failed", "the coordinator stopped during the job (state " + j.state()
                        + ") and it cannot go on (" + ("key-setup".equals(j.state()) ? "its key setup was not finished"
                        : "no stored key, or a FedAdam round completed without its server state") + "): submit it again");
                LOG.warn("job {} was {} when the coordinator stopped; marked failed (submit it again)", j.jobId(),
                        j.state());
                for (SiteAgreement a : j.agreements()) {
                    cancelWhenConnected.add(a.getSite() + " " + j.jobId());
                }
            }
        }
    }

    /** (site, job) pairs whose site must hear that the job ended, the next time it connects. */
    private final java.util.Set<String> cancelWhenConnected = ConcurrentHashMap.newKeySet();

    /**
     * Checks and records a submitted job whose initial parameters were written to {@code parametersDigest}.
     *
     * @param callerFingerprint the submitting user's certificate fingerprint (must be the job's signer)
     */
    public JobStatus submit(String callerFingerprint, SubmitJobHeader header, String parametersDigest) {
        SignedJob job;
        try {
            job = SignedJob.of(header.getSignedJob().toByteArray(), header.getSignature().toByteArray(),
                    header.getResearcherCertificate().toByteArray());
            job.verify(ca, crl);
        } catch (JobException | IllegalArgumentException e) {
            throw new JobRefusedException("the job's signature does not check out: " + e.getMessage());
        }
        if (!job.researcherFingerprint().equals(callerFingerprint)) {
            throw new JobRefusedException("the job is signed by certificate sha256:" + job.researcherFingerprint()
                    + " but submitted with sha256:" + callerFingerprint + "; submit with the kit that signed it");
        }
        JobSpec spec = job.spec();
        if (!job.initialModelDigest().equals(parametersDigest)) {
            throw new JobRefusedException("the initial parameters sent (sha256:" + parametersDigest
                    + ") are not the ones the job names (sha256:" + job.initialModelDigest() + ")");
        }
        Map<String, SiteAgreement> agreements = new LinkedHashMap<>();
        for (SiteAgreement a : header.getAgreementsList()) {
            if (agreements.put(a.getSite(), a) != null) {
                throw new JobRefusedException("two data use agreements for site " + a.getSite());
            }
        }
        for (JobSpec.SiteDua s : spec.sites()) {
            if (!agreements.containsKey(s.site())) {
                throw new JobRefusedException("no data use agreement sent for site " + s.site() + " (the job names DUA "
                        + s.dua() + "); pass it with --dua");
            }
        }
        for (String site : agreements.keySet()) {
            if (spec.sites().stream().noneMatch(s -> s.site().equals(site))) {
                throw new JobRefusedException("a data use agreement was sent for site " + site
                        + ", which the job does not name");
            }
        }
        if (records.exists(job.jobId())) {
            return status(job.jobId());
        }
        records.insert(job, List.copyOf(agreements.values()), clock.instant());
        LOG.info("job {} ({}) submitted by {}: {} sites, {} rounds, strategy {}, {}", job.jobId(), spec.name(),
                callerFingerprint.substring(0, 12), spec.sites().size(), spec.rounds(), spec.strategy().name().id(),
                spec.he());
        records.setState(job.jobId(), "offered", "");
        offerPending(job.jobId());
        return changed(job.jobId());
    }

    /** Offers a job to each of its sites that has not answered and is connected now. */
    private void offerPending(String jobId) {
        JobRecords.Job j = records.job(jobId);
        Instant decideBy = j.submitted().plus(decisionTimeout);
        for (SiteAgreement a : j.agreements()) {
            if (j.decisions().containsKey(a.getSite())) {
                continue;
            }
            if (!sessions.connectedWith(Capabilities.JOBS).contains(a.getSite())) {
                continue; // offered when the site connects (siteConnected)
            }
            JobOffer.Builder offer = JobOffer.newBuilder().setJobId(jobId)
                    .setJob(SignedBlob.newBuilder().setSigned(ByteString.copyFrom(j.job().signedBytes()))
                            .setSignature(ByteString.copyFrom(j.job().signature()))
                            .setCertificate(der(j.job().researcher())).setRole("researcher"))
                    .setDua(a.getDua())
                    .setDecideBy(com.google.protobuf.Timestamp.newBuilder().setSeconds(decideBy.getEpochSecond()));
            a.getSignaturesList().forEach(s -> offer.addDuaSignatures(SignedBlob.newBuilder()
                    .setSignature(s.getSignature()).setCertificate(s.getCertificate()).setRole(s.getRole())));
            if (sessions.send(a.getSite(), CoordinatorMessage.newBuilder().setJobOffer(offer))) {
                LOG.info("job {} offered to site {}", jobId, a.getSite());
            }
        }
    }

    /** A site (re)connected: offer it the jobs still waiting for its answer. */
    public void siteConnected(String site) {
        for (String pair : List.copyOf(cancelWhenConnected)) {
            String[] p = pair.split(" ", 2);
            if (p[0].equals(site) && sessions.send(site, CoordinatorMessage.newBuilder().setJobCancel(JobCancel
                    .newBuilder().setJobId(p[1]).setReason(records.job(p[1]).reason())))) {
                cancelWhenConnected.remove(pair);
            }
        }
        for (JobRecords.Job j : records.open()) {
            if ("offered".equals(j.state()) && j.agreements().stream().anyMatch(a -> a.getSite().equals(site))) {
                offerPending(j.jobId());
            }
        }
    }

    /** A site answered an offer. */
    public void decision(String site, JobDecision d) {
        JobRecords.Job j = records.jobOrNull(d.getJobId());
        if (j == null || j.agreements().stream().noneMatch(a -> a.getSite().equals(site))) {
            LOG.warn("site {} answered an offer for job {}, which was never offered to it; ignored", site, d.getJobId());
            return;
        }
        if (!"offered".equals(j.state())) {
            LOG.info("site {} answered job {} after the offer closed ({}); ignored", site, d.getJobId(), j.state());
            return;
        }
        String reason = d.getAccepted() ? "" : d.getReason();
        String decision = d.getAccepted() ? "accepted" : d.getPendingApproval() ? "pending" : "declined";
        if ("pending".equals(decision)) {
            LOG.info("site {}: job {} waits for its data manager's approval: {}", site, d.getJobId(), reason);
            records.setDecision(d.getJobId(), site, "pending", reason, d.getDataDescriptor());
            changed(d.getJobId());
            return;
        }
        records.setDecision(d.getJobId(), site, decision, reason, d.getDataDescriptor());
        LOG.info("site {} {} job {}{}", site, decision, d.getJobId(), reason.isEmpty() ? "" : ": " + reason);
        changed(d.getJobId());
        closeOfferIfDecided(d.getJobId(), false);
    }

    /** Periodic: closes offers whose decision time passed. */
    public void tick() {
        for (JobRecords.Job j : records.open()) {
            if ("offered".equals(j.state()) && clock.instant().isAfter(j.submitted().plus(decisionTimeout))) {
                closeOfferIfDecided(j.jobId(), true);
            }
        }
    }

    private synchronized void closeOfferIfDecided(String jobId, boolean timedOut) {
        JobRecords.Job j = records.job(jobId);
        if (!"offered".equals(j.state())) {
            return;
        }
        long answered = j.decisions().values().stream().filter(d -> !"pending".equals(d.decision())).count();
        if (!timedOut && answered < j.agreements().size()) {
            return;
        }
        List<String> accepted = new ArrayList<>();
        Map<String, SignedBlob> descriptors = new LinkedHashMap<>();
        j.decisions().forEach((site, d) -> {
            if ("accepted".equals(d.decision())) {
                accepted.add(site);
                descriptors.put(site, d.descriptor());
            }
        });
        JobSpec spec = j.job().spec();
        if (accepted.size() < spec.minSites()) {
            String why = accepted.size() + " of " + j.agreements().size() + " sites accepted, the job needs "
                    + spec.minSites() + (timedOut ? " (decision time over)" : "") + declines(j);
            records.setState(jobId, "failed", why);
            LOG.warn("job {} cannot start: {}", jobId, why);
            changed(jobId);
            return;
        }
        records.setState(jobId, "key-setup", "");
        changed(jobId);
        JobRunner r = runner;
        if (r == null) {
            records.setState(jobId, "failed", "this coordinator has no rounds engine configured");
            changed(jobId);
            return;
        }
        r.start(new AcceptedJob(j.job(), spec, List.copyOf(accepted), descriptors, j.job().initialModelDigest()),
                progress());
    }

    /** The accepted job as the rounds engine needs it, from the records. */
    private static AcceptedJob accepted(JobRecords.Job j) {
        List<String> sites = new ArrayList<>();
        Map<String, SignedBlob> descriptors = new LinkedHashMap<>();
        j.decisions().forEach((site, d) -> {
            if ("accepted".equals(d.decision())) {
                sites.add(site);
                descriptors.put(site, d.descriptor());
            }
        });
        return new AcceptedJob(j.job(), j.job().spec(), List.copyOf(sites), descriptors, j.job().initialModelDigest());
    }

    private static String declines(JobRecords.Job j) {
        StringBuilder b = new StringBuilder();
        j.decisions().forEach((site, d) -> {
            if (!"accepted".equals(d.decision())) {
                b.append("; ").append(site).append(": ").append(d.decision())
                        .append(d.reason().isEmpty() ? "" : " (" + d.reason() + ")");
            }
        });
        return b.toString();
    }

    private JobProgress progress() {
        return new JobProgress() {
            @Override
            public void state(String jobId, String state, String reason) {
                records.setState(jobId, state, reason);
                changed(jobId);
            }

            @Override
            public void round(String jobId, RoundSummary summary) {
                records.round(jobId, summary);
                changed(jobId);
            }

            @Override
            public void finished(String jobId, String finalModelDigest) {
                records.finished(jobId, finalModelDigest);
                records.setState(jobId, "completed", "");
                changed(jobId);
            }
        };
    }

    /** Aborts a job that has not ended; sites are told to stop and forget their key shares. */
    public JobStatus abort(String jobId, String reason, String by) {
        JobRecords.Job j = records.job(jobId);
        if (JobRecords.ENDED.contains(j.state())) {
            throw new JobRefusedException("job " + jobId + " already ended (" + j.state() + ")");
        }
        String why = "aborted by " + by + (reason == null || reason.isBlank() ? "" : ": " + reason);
        records.setState(jobId, "aborted", why);
        JobRunner r = runner;
        if (r != null) {
            r.abort(jobId, why);
        }
        for (SiteAgreement a : j.agreements()) {
            sessions.send(a.getSite(), CoordinatorMessage.newBuilder()
                    .setJobCancel(JobCancel.newBuilder().setJobId(jobId).setReason(why)));
        }
        LOG.warn("job {} {}", jobId, why);
        return changed(jobId);
    }

    public JobStatus status(String jobId) {
        JobRecords.Job j = records.job(jobId);
        JobSpec spec = j.job().spec();
        JobStatus.Builder b = JobStatus.newBuilder().setJobId(jobId).setName(spec.name()).setState(j.state())
                .setReason(j.reason()).setStrategy(spec.strategy().name().id()).setHe(spec.he())
                .setRounds(spec.rounds()).setMinSites(spec.minSites()).setThreshold(spec.threshold())
                .setResearcher(j.job().researcherFingerprint())
                .setSubmitted(com.google.protobuf.Timestamp.newBuilder().setSeconds(j.submitted().getEpochSecond()));
        for (SiteAgreement a : j.agreements()) {
            JobRecords.Decision d = j.decisions().get(a.getSite());
            b.addSites(JobSiteStatus.newBuilder().setSite(a.getSite())
                    .setDecision(d == null ? "pending" : d.decision()).setReason(d == null ? "" : d.reason()));
        }
        b.addAllRoundSummaries(j.rounds());
        b.setCurrentRound(j.rounds().isEmpty() ? 0 : j.rounds().get(j.rounds().size() - 1).getRound());
        return b.build();
    }

    public List<JobStatus> list() {
        return records.all().stream().map(j -> status(j.jobId())).toList();
    }

    /** Calls {@code watcher} with every later status of the job; returns a handle that stops it. */
    public Runnable watch(String jobId, Consumer<JobStatus> watcher) {
        records.job(jobId);
        List<Consumer<JobStatus>> list = watchers.computeIfAbsent(jobId, k -> new CopyOnWriteArrayList<>());
        list.add(watcher);
        return () -> list.remove(watcher);
    }

    private JobStatus changed(String jobId) {
        JobStatus s = status(jobId);
        for (Consumer<JobStatus> w : watchers.getOrDefault(jobId, List.of())) {
            try {
                w.accept(s);
            } catch (RuntimeException e) {
                LOG.debug("a job watcher failed: {}", e.toString());
            }
        }
        return s;
    }

    private static ByteString der(X509Certificate c) {
        try {
            return ByteString.copyFrom(c.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
