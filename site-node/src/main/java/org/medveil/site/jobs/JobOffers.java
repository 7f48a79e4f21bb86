package org.medveil.site.jobs;

import com.google.protobuf.ByteString;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.canonical.Jcs;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.dua.DataUseAgreement;
import org.medveil.governance.dua.DuaSignature;
import org.medveil.governance.job.ApprovalPolicy;
import org.medveil.governance.job.JobAcceptance;
import org.medveil.governance.job.JobSpec;
import org.medveil.governance.job.SignedJob;
import org.medveil.governance.pki.Role;
import org.medveil.governance.pki.RevocationList;
import org.medveil.proto.federation.JobDecision;
import org.medveil.proto.federation.JobOffer;
import org.medveil.proto.federation.SignedBlob;
import org.medveil.proto.federation.SiteMessage;
import org.medveil.site.federation.LocalTraining;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A site's answers to job offers. Trusts nothing the coordinator says: checks the researcher's
 * signature on the exact signed job bytes, the data use agreement (its own data manager's and the
 * researcher's signatures, period, purpose, scope), the use request (auto-approval rule or a data
 * manager's decision) and that consented, selectable data exist; then accepts, declines with a
 * reason the researcher sees, or answers "pending" until a data manager decides. Every answer is
 * in the site's audit log.
 */
public final class JobOffers {

    private static final Logger LOG = LoggerFactory.getLogger(JobOffers.class);

    /** A job this site accepted, for the rounds that follow, with the data descriptor it signed for the manifests. */
    public record Accepted(SignedJob job, JobSpec spec, LocalTraining.DataSummary data, SignedBlob descriptor) {
    }

    private final String site;
    private final X509Certificate ca;
    private final RevocationList crl;
    private final CertifiedKey siteKey;
    private final UseRequests useRequests;
    private final LocalTraining training;
    private final AuditLog audit;
    private final Clock clock;
    private final Consumer<SiteMessage.Builder> send;
    private final Map<String, JobOffer> waiting = new ConcurrentHashMap<>();
    private final Map<String, Accepted> accepted = new ConcurrentHashMap<>();

    public JobOffers(String site, X509Certificate ca, RevocationList crl, CertifiedKey siteKey, UseRequests useRequests,
            LocalTraining training, AuditLog audit, Clock clock, Consumer<SiteMessage.Builder> send) {
        this.site = site;
        this.ca = ca;
        this.crl = crl;
        this.siteKey = siteKey;
        this.useRequests = useRequests;
        this.training = training;
        this.audit = audit;
        this.clock = clock;
        this.send = send;
    }

    /** Answers an offer (again, if it was waiting for approval). */
    public void offer(JobOffer offer) {
        JobDecision.Builder d = decide(offer);
        if (d.getPendingApproval()) {
            waiting.put(offer.getJobId(), offer);
        } else {
            waiting.remove(offer.getJobId());
        }
        send.accept(SiteMessage.newBuilder().setJobDecision(d));
    }

    /** Re-answers offers that waited for a data manager once the request is decided (called periodically). */
    public void recheckWaiting() {
        for (JobOffer o : List.copyOf(waiting.values())) {
            UseRequests.Request r = useRequests.find(o.getJobId());
            if (r != null && r.state() != UseRequests.State.PENDING) {
                offer(o);
            }
        }
    }

    /** Forgets a job the coordinator cancelled. */
    public void cancelled(String jobId, String reason) {
        waiting.remove(jobId);
        if (accepted.remove(jobId) != null) {
            audit.append("job-cancelled", "coordinator", Map.of("job", jobId, "reason", reason));
            LOG.info("job {} cancelled by the coordinator: {}", jobId, reason);
        }
    }

    public Optional<Accepted> accepted(String jobId) {
        return Optional.ofNullable(accepted.get(jobId));
    }

    private JobDecision.Builder decide(JobOffer offer) {
        String jobId = offer.getJobId();
        JobDecision.Builder out = JobDecision.newBuilder().setJobId(jobId);
        SignedJob job;
        DataUseAgreement dua;
        List<DuaSignature> signatures = new ArrayList<>();
        try {
            job = SignedJob.of(offer.getJob().getSigned().toByteArray(), offer.getJob().getSignature().toByteArray(),
                    offer.getJob().getCertificate().toByteArray());
            if (!job.jobId().equals(jobId)) {
                return decline(out, jobId, "the offer's job id does not match the signed job (" + job.jobId() + ")",
                        List.of());
            }
            dua = DataUseAgreement.fromCanonical(offer.getDua().toByteArray());
            for (SignedBlob s : offer.getDuaSignaturesList()) {
                signatures.add(new DuaSignature(Role.fromId(s.getRole()), s.getSignature().toByteArray(),
                        certificate(s.getCertificate().toByteArray())));
            }
        } catch (RuntimeException e) {
            return decline(out, jobId, "the offer cannot be read: " + e.getMessage(), List.of());
        }
        JobSpec spec;
        try {
            spec = job.spec();
        } catch (RuntimeException e) {
            return decline(out, jobId, "the signed job cannot be read: " + e.getMessage(), List.of());
        }
        LocalTraining.DataSummary data = training.summarize(spec.selection());
        LocalDate today = LocalDate.now(clock);
        JobAcceptance.Decision checked = JobAcceptance.check(job, site, ca, crl, dua, signatures, today,
                ApprovalPolicy.ALLOW_ALL, data.total());
        if (!checked.accepted()) {
            return decline(out, jobId, checked.reason(), checked.checks());
        }
        try {
            training.checkModel(spec.engine(), spec.model());
        } catch (RuntimeException e) {
            return decline(out, jobId, "this site cannot train the job's model " + spec.model() + " with engine "
                    + spec.engine() + ": " + e.getMessage(), checked.checks());
        }
        UseRequests.Request request = useRequests.file(jobId, spec.selection());
        if (request.state() == UseRequests.State.REJECTED) {
            return decline(out, jobId, "the site's data manager rejected the use request"
                    + (request.reason() == null || request.reason().isBlank() ? "" : ": " + request.reason()),
                    checked.checks());
        }
        if (request.state() == UseRequests.State.PENDING) {
            record(jobId, "pending", "waiting for the data manager's approval", checked.checks());
            LOG.info("job {} waits for a data manager: 'medveil site approve {}' or 'site reject {}'", jobId, jobId, jobId);
            return out.setAccepted(false).setPendingApproval(true)
                    .setReason("waiting for the approval of " + site + "'s data manager");
        }
        Accepted before = accepted.get(jobId);
        // a re-offer of the same job over the same data keeps the descriptor (and signature) manifests already name
        SignedBlob descriptor = before != null && before.data().equals(data) ? before.descriptor()
                : descriptor(jobId, data);
        accepted.put(jobId, new Accepted(job, spec, data, descriptor));
        record(jobId, "accepted", "approved by " + request.decidedBy(), checked.checks());
        LOG.info("accepted job {} ({} selectable objects; approved by {})", jobId, data.total(), request.decidedBy());
        return out.setAccepted(true).setDataDescriptor(descriptor);
    }

    private JobDecision.Builder decline(JobDecision.Builder out, String jobId, String reason, List<String> checks) {
        record(jobId, "declined", reason, checks);
        LOG.info("declined job {}: {}", jobId, reason);
        return out.setAccepted(false).setReason(reason);
    }

    private void record(String jobId, String decision, String reason, List<String> checks) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("job", jobId);
        fields.put("decision", decision);
        fields.put("reason", reason);
        fields.put("checks", String.join("; ", checks));
        audit.append("job-offer", "coordinator", fields);
    }

    /** The data descriptor for the job's manifests, signed by this site's kit. */
    private SignedBlob descriptor(String jobId, LocalTraining.DataSummary data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", jobId);
        m.put("site", site);
        m.put("counts", data.counts().stream().map(c -> Map.of("category", categoryId(c.category()),
                "grade", c.grade(), "count", c.count())).toList());
        m.put("deidProfileDigest", data.deidProfileDigest());
        m.put("datasetMerkleRoot", data.datasetMerkleRoot());
        byte[] bytes = Jcs.canonicalize(m);
        try {
            return SignedBlob.newBuilder().setSigned(ByteString.copyFrom(bytes))
                    .setSignature(ByteString.copyFrom(siteKey.sign(bytes)))
                    .setCertificate(ByteString.copyFrom(siteKey.certificate().getEncoded())).setRole("site").build();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Table 1 category's id as manifests name it ({@code clinical-structural}), from the index's enum name. */
    private static String categoryId(String category) {
        for (org.medveil.governance.classify.ImagingCategory c : org.medveil.governance.classify.ImagingCategory.values()) {
            if (c.name().equals(category) || c.id().equals(category)) {
                return c.id();
            }
        }
        return category;
    }

    private static X509Certificate certificate(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("a signer's certificate is not a DER X.509 certificate");
        }
    }
}
