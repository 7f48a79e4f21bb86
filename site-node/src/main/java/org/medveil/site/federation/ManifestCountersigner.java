package org.medveil.site.federation;

import com.google.protobuf.ByteString;
import java.security.cert.CertificateEncodingException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.medveil.governance.canonical.Jcs;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.manifest.RoundManifest;
import org.medveil.proto.rounds.ContributionAnnouncement;
import org.medveil.proto.rounds.ManifestCountersignRequest;
import org.medveil.proto.rounds.ManifestCountersignature;
import org.medveil.proto.rounds.RoundResult;
import org.medveil.proto.rounds.RoundStart;
import org.medveil.proto.rounds.StatementPart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A site's countersignature of round manifests (REQ-FL-2). The site signs a manifest only after
 * checking <b>its own entry</b> against what it knows itself: the job digest it accepted, its
 * certificate, its data use agreement, the data descriptor it signed, the contribution it
 * uploaded in that round (digest and signature), the model it trained from, the model the round
 * result announced and that result's decryption quorum. Other sites' entries are theirs to check.
 *
 * <p>{@link JobParticipant} feeds it what it received and sent (round start, contribution,
 * round result); a request that arrives before the round's result waits for it (the coordinator
 * journals the manifest before it publishes the result). Every decision goes to the audit log
 * before the answer is sent. Facts live in memory: after a site restart, rounds before it are
 * refused ("no record"), never signed blind.
 */
public final class ManifestCountersigner {

    private static final Logger LOG = LoggerFactory.getLogger(ManifestCountersigner.class);

    /** Where each decision is recorded (the site's audit log); fields hold digests and reasons, never PHI. */
    @FunctionalInterface
    public interface Audit {
        void record(Map<String, String> fields);
    }

    /**
     * What the site accepted for the job: the job digest (SHA-256 of the signed job), its DUA id,
     * and the data descriptor it signed for the coordinator (exact bytes and signature).
     */
    public record JobFacts(String jobDigest, String duaId, byte[] descriptorBytes, byte[] descriptorSignature) {
        public JobFacts {
            Objects.requireNonNull(jobDigest, "jobDigest");
            Objects.requireNonNull(duaId, "duaId");
            Objects.requireNonNull(descriptorBytes, "descriptorBytes");
            Objects.requireNonNull(descriptorSignature, "descriptorSignature");
        }
    }

    /** What this site saw of one round. */
    private static final class RoundFacts {
        String modelIn;
        RoundManifest.Contribution contribution;
        RoundResult result;
    }

    private final String jobId;
    private final String site;
    private final CertifiedKey key;
    private final JobFacts facts;
    private final Audit audit;
    private final Map<Integer, RoundFacts> rounds = new ConcurrentHashMap<>();
    private final Map<Integer, List<ManifestCountersignRequest>> waiting = new ConcurrentHashMap<>();

    public ManifestCountersigner(String jobId, String site, CertifiedKey key, JobFacts facts, Audit audit) {
        this.jobId = jobId;
        this.site = site;
        this.key = key;
        this.facts = facts;
        this.audit = audit;
    }

    private RoundFacts round(int round) {
        return rounds.computeIfAbsent(round, r -> new RoundFacts());
    }

    /** The coordinator published round {@code rs.round}'s model (the site checks its digest before training). */
    public void roundStarted(RoundStart rs) {
        round(rs.getRound()).modelIn = HexFormat.of().formatHex(rs.getModelSha256().toByteArray());
    }

    /** This site announced its contribution (as sent). */
    public void contributed(ContributionAnnouncement a) {
        RoundManifest.Contribution c;
        if (!a.hasSignedContribution() || !a.getSignedContribution().hasStatement()) {
            // plaintext: the coordinator records the signed data descriptor in place of signed ciphertexts
            c = new RoundManifest.Contribution(Sha256.hex(facts.descriptorBytes()),
                    Base64.getEncoder().encodeToString(facts.descriptorSignature()));
        } else {
            // the site's one signature of the round, over the statement that covers every chunk's record
            StatementPart statement = a.getSignedContribution().getStatement();
            c = new RoundManifest.Contribution(Sha256.hex(statement.getSignedBytes().toByteArray()),
                    Base64.getEncoder().encodeToString(statement.getSignature().toByteArray()));
        }
        round(a.getRound()).contribution = c;
    }

    /**
     * The round's result arrived; answers the requests that waited for it. The first result of a
     * round is the one checked against (after a restart the coordinator sends it again).
     */
    public List<ManifestCountersignature> roundResult(RoundResult r) {
        RoundFacts f = round(r.getRound());
        if (f.result == null) {
            f.result = r;
        }
        List<ManifestCountersignature> out = new ArrayList<>();
        for (ManifestCountersignRequest q : waiting.getOrDefault(r.getRound(), List.of())) {
            out.add(decide(q));
        }
        waiting.remove(r.getRound());
        return out;
    }

    /** A request: answered now, or (no result for the round yet) once the result arrives. */
    public List<ManifestCountersignature> request(ManifestCountersignRequest q) {
        RoundFacts f = rounds.get(q.getRound());
        if (f != null && f.result == null && f.contribution != null) {
            waiting.computeIfAbsent(q.getRound(), r -> new ArrayList<>()).add(q);
            return List.of();
        }
        return List.of(decide(q));
    }

    private ManifestCountersignature decide(ManifestCountersignRequest q) {
        byte[] bytes = q.getManifest().toByteArray();
        String digest = Sha256.hex(bytes);
        String problem = problem(q.getRound(), bytes);
        Map<String, String> audited = new LinkedHashMap<>();
        audited.put("job", jobId);
        audited.put("round", Integer.toString(q.getRound() + 1));
        audited.put("manifest", Integer.toString(q.getManifestRound()));
        audited.put("manifestSha256", digest);
        audited.put("decision", problem == null ? "countersigned" : "refused");
        audited.put("checked", "job digest, certificate, DUA, data descriptor, contribution, model in/out, quorum");
        if (problem != null) {
            audited.put("reason", problem);
        }
        audit.record(audited); // recorded before anything leaves the site
        ManifestCountersignature.Builder a = ManifestCountersignature.newBuilder().setSite(site).setRound(q.getRound())
                .setManifestRound(q.getManifestRound()).setManifestSha256(ByteString.copyFrom(Sha256.digest(bytes)));
        if (problem != null) {
            LOG.warn("site {}: job {} manifest {}: countersignature refused: {}", site, jobId, q.getManifestRound(),
                    problem);
            return a.setRefused(problem).build();
        }
        try {
            a.setCredential(ByteString.copyFrom(key.certificate().getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("the site certificate cannot be encoded", e);
        }
        LOG.info("site {}: job {} manifest {} checked and countersigned", site, jobId, q.getManifestRound());
        return a.setSignature(ByteString.copyFrom(key.sign(bytes))).build();
    }

    /** Why this site's entry in the manifest is not what the site knows, or null when it is. */
    String problem(int round, byte[] bytes) {
        RoundManifest m;
        try {
            m = Jcs.read(bytes, RoundManifest.class);
        } catch (IllegalArgumentException e) { // CanonicalException and ManifestException included
            return "the manifest is not a canonical, well-formed round manifest: " + e.getMessage();
        }
        if (!jobId.equals(m.jobId()) || !facts.jobDigest().equals(m.jobDigest())) {
            return "the manifest is for job " + m.jobId() + " with digest " + m.jobDigest() + ", not the job " + jobId
                    + " this site accepted (digest " + facts.jobDigest() + ")";
        }
        RoundManifest.SiteEntry e = m.site(site);
        if (e == null) {
            return "the manifest does not list this site";
        }
        RoundFacts f = rounds.get(round);
        if (f == null || f.contribution == null || f.modelIn == null || f.result == null) {
            return "this site has no record of contributing to round " + (round + 1) + " and of its result (it did not"
                    + " take part, or restarted since); it countersigns only what it saw";
        }
        if (!key.fingerprint().equals(e.certificateFingerprint())) {
            return "the entry names certificate sha256:" + e.certificateFingerprint() + ", not this site's sha256:"
                    + key.fingerprint();
        }
        if (!facts.duaId().equals(e.duaId())) {
            return "the entry names data use agreement " + e.duaId() + ", not " + facts.duaId();
        }
        RoundManifest.DataDescriptor mine;
        try {
            mine = RoundManifest.DataDescriptor.fromSignedJson(facts.descriptorBytes());
        } catch (RuntimeException x) {
            return "this site's own data descriptor cannot be read: " + x.getMessage();
        }
        if (!mine.equals(e.data())) {
            return "the entry's data descriptor (counts by category and grade, de-identification profile, dataset"
                    + " root) is not the one this site signed";
        }
        if (!f.contribution.equals(e.contribution())) {
            return "the entry's contribution digest or signature is not what this site uploaded in round "
                    + (round + 1) + " (its digest " + f.contribution.digest() + ")";
        }
        if (!f.modelIn.equals(m.modelDigestIn())) {
            return "modelDigestIn " + m.modelDigestIn() + " is not the model this site trained from (" + f.modelIn + ")";
        }
        String out = HexFormat.of().formatHex(f.result.getNextModelSha256().toByteArray());
        if (!out.equals(m.modelDigestOut())) {
            return "modelDigestOut " + m.modelDigestOut() + " is not the round result's model (" + out + ")";
        }
        if (!f.result.getDecryptionSetList().equals(m.decryptionQuorum())) {
            return "the decryption quorum " + m.decryptionQuorum() + " is not the round result's "
                    + f.result.getDecryptionSetList();
        }
        if (!f.result.getContributorsList().contains(site)) {
            return "the round result does not count this site as a contributor";
        }
        return null;
    }

}
