package org.medveil.coordinator.jobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medveil.governance.job.SignedJob;
import org.medveil.proto.admin.RoundSummary;
import org.medveil.proto.admin.SiteAgreement;
import org.medveil.proto.federation.SignedBlob;

/**
 * The jobs the coordinator knows, kept in memory for fast status answers and written through to
 * the coordinator store, from which they are loaded again at start-up.
 */
public final class JobRecords {

    /** States after which nothing changes any more. */
    public static final Set<String> ENDED = Set.of("completed", "failed", "aborted");

    /** A site's answer to an offer. */
    public record Decision(String decision, String reason, SignedBlob descriptor) {
    }

    /** One job as the service sees it (a snapshot). */
    public record Job(String jobId, SignedJob job, List<SiteAgreement> agreements, Instant submitted, String state,
            String reason, Map<String, Decision> decisions, List<RoundSummary> rounds, String finalModelDigest) {
    }

    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final JobStoreWriter writer;

    /** Where records are persisted; the coordinator store implements it. */
    public interface JobStoreWriter {
        void insert(SignedJob job, List<SiteAgreement> agreements, Instant submitted);

        void state(String jobId, String state, String reason);

        void decision(String jobId, String site, Decision decision);

        void round(String jobId, RoundSummary summary);

        void finished(String jobId, String finalModelDigest);

        /** Every job with its decisions and rounds, oldest first, to rebuild the records at start-up. */
        List<Job> load();
    }

    public JobRecords(JobStoreWriter writer) {
        this.writer = writer;
        for (Job j : writer.load()) {
            jobs.put(j.jobId(), j);
        }
    }

    public synchronized boolean exists(String jobId) {
        return jobs.containsKey(jobId);
    }

    public synchronized void insert(SignedJob job, List<SiteAgreement> agreements, Instant submitted) {
        writer.insert(job, agreements, submitted);
        jobs.put(job.jobId(), new Job(job.jobId(), job, List.copyOf(agreements), submitted, "submitted", "",
                Map.of(), List.of(), null));
    }

    public synchronized Job job(String jobId) {
        Job j = jobs.get(jobId);
        if (j == null) {
            throw new JobRefusedException("no job " + jobId + " at this coordinator; 'medveil job list' shows the jobs");
        }
        return j;
    }

    public synchronized Job jobOrNull(String jobId) {
        return jobs.get(jobId);
    }

    public synchronized List<Job> all() {
        return List.copyOf(jobs.values());
    }

    /** Jobs that have not ended. */
    public synchronized List<Job> open() {
        return jobs.values().stream().filter(j -> !ENDED.contains(j.state())).toList();
    }

    public synchronized void setState(String jobId, String state, String reason) {
        Job j = job(jobId);
        writer.state(jobId, state, reason);
        jobs.put(jobId, new Job(jobId, j.job(), j.agreements(), j.submitted(), state, reason == null ? "" : reason,
                j.decisions(), j.rounds(), j.finalModelDigest()));
    }

    public synchronized void setDecision(String jobId, String site, String decision, String reason, SignedBlob descriptor) {
        Job j = job(jobId);
        Decision d = new Decision(decision, reason == null ? "" : reason, descriptor);
        writer.decision(jobId, site, d);
        Map<String, Decision> ds = new LinkedHashMap<>(j.decisions());
        ds.put(site, d);
        jobs.put(jobId, new Job(jobId, j.job(), j.agreements(), j.submitted(), j.state(), j.reason(),
                java.util.Collections.unmodifiableMap(ds),
                j.rounds(), j.finalModelDigest()));
    }

    /** Adds or replaces (same round number) a round's summary. */
    public synchronized void round(String jobId, RoundSummary summary) {
        Job j = job(jobId);
        writer.round(jobId, summary);
        List<RoundSummary> rs = new ArrayList<>(j.rounds());
        rs.removeIf(r -> r.getRound() == summary.getRound());
        rs.add(summary);
        rs.sort((a, b) -> Integer.compare(a.getRound(), b.getRound()));
        jobs.put(jobId, new Job(jobId, j.job(), j.agreements(), j.submitted(), j.state(), j.reason(), j.decisions(),
                List.copyOf(rs), j.finalModelDigest()));
    }

    public synchronized void finished(String jobId, String finalModelDigest) {
        Job j = job(jobId);
        writer.finished(jobId, finalModelDigest);
        jobs.put(jobId, new Job(jobId, j.job(), j.agreements(), j.submitted(), j.state(), j.reason(), j.decisions(),
                j.rounds(), finalModelDigest));
    }
}
