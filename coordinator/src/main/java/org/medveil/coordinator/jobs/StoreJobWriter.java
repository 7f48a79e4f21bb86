package org.medveil.coordinator.jobs;

import org.medveil.governance.files.DurableFiles;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.medveil.coordinator.persistence.CoordinatorStore;
import org.medveil.coordinator.persistence.JobState;
import org.medveil.governance.job.SignedJob;
import org.medveil.proto.admin.RoundSummary;
import org.medveil.proto.admin.SiteAgreement;
import org.medveil.proto.federation.SignedBlob;

/**
 * Persists the job records: jobs, states and site decisions in the coordinator store (SQLite or
 * PostgreSQL); the agreements sent with a job, the round summaries users see and the final model's
 * digest as small files under {@code jobs/JOB/} (written atomically), since the store keeps only
 * what the rounds engine needs.
 */
public final class StoreJobWriter implements JobRecords.JobStoreWriter {

    private final CoordinatorStore store;
    private final Path jobsDir;

    public StoreJobWriter(CoordinatorStore store, Path jobsDir) {
        this.store = store;
        this.jobsDir = jobsDir;
    }

    @Override
    public void insert(SignedJob job, List<SiteAgreement> agreements, Instant submitted) {
        org.medveil.proto.admin.SubmitJobHeader.Builder all = org.medveil.proto.admin.SubmitJobHeader.newBuilder()
                .addAllAgreements(agreements);
        write(dir(job.jobId()).resolve("agreements.pb"), all.build().toByteArray());
        store.insertJob(job.jobId(), job.signedBytes(), job.signature(), job.researcherDer(), job.spec().digest(),
                submitted);
    }

    @Override
    public void state(String jobId, String state, String reason) {
        store.setJobState(jobId, JobState.valueOf(state.replace('-', '_').toUpperCase(Locale.ROOT)), reason);
    }

    @Override
    public void decision(String jobId, String site, JobRecords.Decision d) {
        // "pending" is kept as not accepted with a reason that starts with it, so a restart re-offers the job
        String reason = "pending".equals(d.decision()) ? "pending: " + d.reason() : d.reason();
        String descriptor = d.descriptor() == null || d.descriptor().getSigned().isEmpty() ? null
                : java.util.Base64.getEncoder().encodeToString(d.descriptor().toByteArray());
        store.setSiteDecision(jobId, site, "accepted".equals(d.decision()), reason,
                d.descriptor() == null ? null : fingerprint(d.descriptor()), descriptor);
    }

    @Override
    public void round(String jobId, RoundSummary summary) {
        write(dir(jobId).resolve(String.format("round-%06d.pb", summary.getRound())), summary.toByteArray());
    }

    @Override
    public void finished(String jobId, String finalModelDigest) {
        write(dir(jobId).resolve("final-model.sha256"), finalModelDigest.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public List<JobRecords.Job> load() {
        List<JobRecords.Job> out = new ArrayList<>();
        for (CoordinatorStore.Job j : store.jobs()) {
            SignedJob job = SignedJob.of(j.signedJob(), j.signature(), j.researcherCertDer());
            Path dir = dir(j.jobId());
            List<SiteAgreement> agreements;
            List<RoundSummary> rounds = new ArrayList<>();
            String finalDigest = null;
            try {
                agreements = org.medveil.proto.admin.SubmitJobHeader.parseFrom(Files.readAllBytes(
                        dir.resolve("agreements.pb"))).getAgreementsList();
                try (Stream<Path> s = Files.list(dir)) {
                    for (Path f : s.filter(p -> p.getFileName().toString().matches("round-\\d{6}\\.pb")).sorted().toList()) {
                        rounds.add(RoundSummary.parseFrom(Files.readAllBytes(f)));
                    }
                }
                Path fin = dir.resolve("final-model.sha256");
                if (Files.exists(fin)) {
                    finalDigest = Files.readString(fin).strip();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the records of job " + j.jobId() + " in " + dir
                        + ": " + e.getMessage() + "; restore the coordinator's state folder from a backup", e);
            }
            Map<String, JobRecords.Decision> decisions = new LinkedHashMap<>();
            for (CoordinatorStore.SiteDecision d : store.siteDecisions(j.jobId())) {
                String decision = d.accepted() ? "accepted"
                        : d.reason() != null && d.reason().startsWith("pending: ") ? "pending" : "declined";
                String reason = "pending".equals(decision) ? d.reason().substring("pending: ".length()) : d.reason();
                decisions.put(d.site(), new JobRecords.Decision(decision, reason == null ? "" : reason,
                        descriptor(d.dataDescriptorJson())));
            }
            out.add(new JobRecords.Job(j.jobId(), job, agreements, j.submitted(),
                    j.state().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                    j.stateReason() == null ? "" : j.stateReason(), java.util.Collections.unmodifiableMap(decisions),
                    List.copyOf(rounds), finalDigest));
        }
        return out;
    }

    private static SignedBlob descriptor(String stored) {
        if (stored == null) {
            return SignedBlob.getDefaultInstance();
        }
        try {
            return SignedBlob.parseFrom(java.util.Base64.getDecoder().decode(stored));
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw new IllegalStateException("a stored data descriptor is damaged: " + e.getMessage());
        }
    }

    private static String fingerprint(SignedBlob b) {
        return org.medveil.governance.crypto.Sha256.hex(b.getCertificate().toByteArray());
    }

    private Path dir(String jobId) {
        if (!jobId.matches("job-[0-9a-f]{16}")) {
            throw new IllegalArgumentException("not a job id: " + jobId);
        }
        return jobsDir.resolve(jobId);
    }

    /** Temp file, fsync, atomic rename, fsync of the folder: a crash leaves the old file or the new one. */
    private static void write(Path file, byte[] bytes) {
        try {
            DurableFiles.replace(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
