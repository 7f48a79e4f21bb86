package org.medveil.coordinator.jobs;

import com.google.protobuf.ByteString;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import org.medveil.coordinator.persistence.CoordinatorStore;
import org.medveil.coordinator.rounds.SiteLinks;
import org.medveil.governance.crypto.CertificateVerifier;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.manifest.ManifestException;
import org.medveil.governance.manifest.ManifestFiles;
import org.medveil.governance.manifest.ManifestWriter;
import org.medveil.he.SignatureRefusedException;
import org.medveil.proto.rounds.ManifestCountersignRequest;
import org.medveil.proto.rounds.ManifestCountersignature;
import org.medveil.proto.rounds.HeMode;
import org.medveil.proto.rounds.RoundResult;
import org.medveil.proto.rounds.RoundsMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Site countersignatures of round manifests (REQ-FL-2): after a manifest is written, its exact
 * canonical bytes go to every participating site; each answer is checked and stored as it comes
 * (a signature next to the manifest and in the store, a refusal logged and stored with its
 * reason). Nothing waits for the answers: rounds go on, and a late answer is stored all the same,
 * even after the job ended.
 */
final class Countersignatures {

    private static final Logger LOG = LoggerFactory.getLogger(Countersignatures.class);

    private final SiteLinks links;
    private final CoordinatorStore store;
    private final CertificateVerifier verifier;
    private final Path jobsDir;
    private final Clock clock;

    Countersignatures(SiteLinks links, CoordinatorStore store, CertificateVerifier verifier, Path jobsDir, Clock clock) {
        this.links = links;
        this.store = store;
        this.verifier = verifier;
        this.jobsDir = jobsDir;
        this.clock = clock;
    }

    /** Asks each site of the manifest for its countersignature of {@code canonical} (manifest {@code number}). */
    void request(String jobId, int round, int number, byte[] canonical, List<String> sites) {
        RoundsMessage m = RoundsMessage.newBuilder().setJobId(jobId).setCountersignRequest(ManifestCountersignRequest
                .newBuilder().setRound(round).setManifestRound(number).setManifest(ByteString.copyFrom(canonical)))
                .build();
        for (String site : sites) {
            links.send(site, m);
        }
    }

    /**
     * After a restart: asks again, for each of the job's stored manifests, the participants that
     * have not answered (answers sent while the coordinator was down are lost). A refusal is an
     * answer and is not asked again.
     */
    void requestMissing(String jobId) {
        java.util.Map<String, Integer> indexByModelOut = new java.util.HashMap<>();
        for (CoordinatorStore.Round r : store.rounds(jobId)) {
            if (r.modelOutDigest() != null) {
                indexByModelOut.put(r.modelOutDigest(), r.round() - 1); // the run's round index is round_no - 1
            }
        }
        java.util.Set<String> answered = new java.util.HashSet<>();
        store.countersignatures(jobId).forEach(c -> answered.add(c.round() + " " + c.site()));
        for (CoordinatorStore.Manifest m : store.manifests(jobId)) {
            org.medveil.governance.manifest.RoundManifest rm = org.medveil.governance.canonical.Jcs.read(
                    m.canonicalBytes(), org.medveil.governance.manifest.RoundManifest.class);
            Integer index = indexByModelOut.get(rm.modelDigestOut());
            List<String> missing = rm.sites().stream().map(org.medveil.governance.manifest.RoundManifest.SiteEntry::site)
                    .filter(site -> !answered.contains(m.round() + " " + site)).toList();
            if (index != null && !missing.isEmpty()) {
                LOG.info("job {} manifest {}: asking {} again for their countersignatures", jobId, m.round(), missing);
                // the round's result may have been lost with the restart: again, as the manifest records it (a
                // site keeps the first result it received, so this cannot replace one)
                RoundsMessage result = RoundsMessage.newBuilder().setJobId(jobId).setRoundResult(RoundResult.newBuilder()
                        .setRound(index).addAllContributors(rm.sites().stream()
                                .map(org.medveil.governance.manifest.RoundManifest.SiteEntry::site).toList())
                        .addAllDecryptionSet(rm.decryptionQuorum())
                        .setNextModelSha256(ByteString.copyFrom(java.util.HexFormat.of().parseHex(rm.modelDigestOut())))
                        .setHeMode(org.medveil.governance.manifest.RoundManifest.PLAINTEXT.equals(rm.heParameters())
                                ? HeMode.HE_MODE_PLAINTEXT : HeMode.HE_MODE_ENCRYPTED)).build();
                missing.forEach(site -> links.send(site, result));
                request(jobId, index, m.round(), m.canonicalBytes(), missing);
            }
        }
    }

    /** A site's answer; anything that does not check out is logged and not stored as a signature. */
    void onAnswer(String site, String jobId, ManifestCountersignature a) {
        int number = a.getManifestRound();
        if (!a.getSite().equals(site)) {
            LOG.warn("job {} manifest {}: site {} sent a countersignature naming site {}; ignored", jobId, number, site,
                    a.getSite());
            return;
        }
        CoordinatorStore.Manifest stored = store.manifests(jobId).stream().filter(x -> x.round() == number)
                .findFirst().orElse(null);
        if (stored == null) {
            LOG.warn("job {}: site {} answered for manifest {}, which this coordinator has not written; ignored", jobId,
                    site, number);
            return;
        }
        if (!Arrays.equals(a.getManifestSha256().toByteArray(), Sha256.digest(stored.canonicalBytes()))) {
            LOG.warn("job {} manifest {}: site {} answered for other bytes than the stored manifest; ignored", jobId,
                    number, site);
            return;
        }
        if (!a.getRefused().isEmpty()) {
            LOG.warn("job {} manifest {}: site {} refused to countersign: {}", jobId, number, site, a.getRefused());
            store.saveCountersignature(jobId, number, site, null, null, a.getRefused(), clock.instant());
            return;
        }
        byte[] signature = a.getSignature().toByteArray();
        byte[] der = a.getCredential().toByteArray();
        try {
            verifier.verify(site, stored.canonicalBytes(), signature, der); // a current project site certificate naming this site
            ManifestWriter.addCountersignature(jobsDir.resolve(jobId).resolve("manifests"), number, certificate(der),
                    signature); // the entry names this certificate, the signature verifies over the file's bytes
        } catch (SignatureRefusedException | ManifestException e) {
            LOG.warn("job {} manifest {}: the countersignature from site {} is refused: {}", jobId, number, site,
                    e.getMessage());
            return;
        }
        store.saveCountersignature(jobId, number, site, signature, der, null, clock.instant());
        LOG.info("job {} manifest {}: countersigned by site {} ({})", jobId, number, site,
                ManifestFiles.countersignature(number, site));
    }

    private static X509Certificate certificate(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new ManifestException("the countersignature's credential is not a DER X.509 certificate", e);
        }
    }
}
