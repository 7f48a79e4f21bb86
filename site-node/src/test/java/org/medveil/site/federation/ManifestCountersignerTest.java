package org.medveil.site.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.canonical.Jcs;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.crypto.Signatures;
import org.medveil.governance.manifest.RoundManifest;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.proto.rounds.ContributionAnnouncement;
import org.medveil.proto.rounds.ManifestCountersignRequest;
import org.medveil.proto.rounds.ManifestCountersignature;
import org.medveil.proto.rounds.RoundResult;
import org.medveil.proto.rounds.RoundStart;
import org.medveil.proto.rounds.ContributionRef;
import org.medveil.proto.rounds.StatementPart;

/**
 * A site countersigns a round manifest only when its own entry is what it knows: a faithful
 * manifest is signed (the signature verifies over the exact bytes); each single change to the
 * site's entry or to the round facts it saw is refused with the reason, and no signature leaves.
 */
@Tag("REQ-FL-2")
class ManifestCountersignerTest {

    private static final String JOB = "job-1";
    private static final String SITE = "hospital-a";
    private static final String JOB_DIGEST = "a".repeat(64);
    private static final byte[] MODEL_IN = Sha256.digest("model 0".getBytes(StandardCharsets.UTF_8));
    private static final byte[] MODEL_OUT = Sha256.digest("model 1".getBytes(StandardCharsets.UTF_8));
    private static final byte[] RECORD = "signed contribution record, chunk 0".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RECORD_SIG = {1, 2, 3, 4};

    @TempDir
    Path dir;
    private CertifiedKey key;
    private byte[] descriptor;
    private final List<Map<String, String>> audit = new ArrayList<>();
    private ManifestCountersigner signer;

    @BeforeEach
    void setUp() {
        Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null, List.of(SITE, "hospital-b"), List.of()),
                dir.resolve("project"), Clock.systemUTC());
        key = CertifiedKey.of(Kit.load(dir.resolve("project/sites/" + SITE)));
        descriptor = Jcs.canonicalize(Map.of("job", JOB, "site", SITE,
                "counts", List.of(Map.of("category", "clinical-structural", "grade", 2, "count", 40)),
                "deidProfileDigest", "b".repeat(64), "datasetMerkleRoot", "c".repeat(64)));
        signer = new ManifestCountersigner(JOB, SITE, key, new ManifestCountersigner.JobFacts(JOB_DIGEST, "dua-a",
                descriptor, new byte[] {9, 9}), audit::add);
    }

    private RoundResult result() {
        return RoundResult.newBuilder().setRound(0).addContributors(SITE).addContributors("hospital-b")
                .addDecryptionSet(SITE).addDecryptionSet("hospital-b").setNextModelSha256(ByteString.copyFrom(MODEL_OUT))
                .build();
    }

    /** What the site saw of round 0: the model it trained from, its own announced contribution, the result. */
    private void takePart(boolean withResult) {
        signer.roundStarted(RoundStart.newBuilder().setRound(0).setModelSha256(ByteString.copyFrom(MODEL_IN)).build());
        signer.contributed(ContributionAnnouncement.newBuilder().setSite(SITE).setRound(0)
                .setSignedContribution(ContributionRef.newBuilder().setStatement(StatementPart.newBuilder()
                        .setSignedBytes(ByteString.copyFrom(RECORD)).setSignature(ByteString.copyFrom(RECORD_SIG))))
                .build());
        if (withResult) {
            signer.roundResult(result());
        }
    }

    private static RoundManifest.SiteEntry entry(String site, String fingerprint, String dua, long count,
                                                 String contribution) {
        return new RoundManifest.SiteEntry(site, fingerprint, dua, new RoundManifest.DataDescriptor(
                List.of(new RoundManifest.GradeCount("clinical-structural", 2, count)), "b".repeat(64), "c".repeat(64)),
                new RoundManifest.Contribution(contribution, Base64.getEncoder().encodeToString(RECORD_SIG)));
    }

    /** The manifest an honest coordinator writes for round 0, then {@code change} applied to it. */
    private byte[] manifest(UnaryOperator<RoundManifest> change) {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        RoundManifest m = RoundManifest.of("demo", JOB, JOB_DIGEST, 1, List.of(
                        entry(SITE, key.fingerprint(), "dua-a", 40, Sha256.hex(RECORD)),
                        entry("hospital-b", "d".repeat(64), "dua-b", 7, "e".repeat(64))),
                "f".repeat(64), List.of(SITE, "hospital-b"), "0123456789abcdef0123456789abcdef",
                HexFormat.of().formatHex(MODEL_IN), HexFormat.of().formatHex(MODEL_OUT), new TreeMap<>(), t, t,
                RoundManifest.GENESIS);
        return change.apply(m).canonicalBytes();
    }

    private static RoundManifest with(RoundManifest m, List<RoundManifest.SiteEntry> sites, List<String> quorum,
                                      String in, String out) {
        return new RoundManifest(m.format(), m.project(), m.jobId(), m.jobDigest(), m.round(), sites,
                m.aggregateDigest(), quorum, m.heParameters(), in, out, m.metrics(), m.startedAt(), m.finishedAt(),
                m.previousManifestDigest());
    }

    private ManifestCountersignature ask(byte[] bytes) {
        List<ManifestCountersignature> out = signer.request(ManifestCountersignRequest.newBuilder().setRound(0)
                .setManifestRound(1).setManifest(ByteString.copyFrom(bytes)).build());
        assertEquals(1, out.size());
        return out.get(0);
    }

    @Test
    void aFaithfulManifestIsCountersignedOverItsExactBytesAndAudited() {
        takePart(true);
        byte[] bytes = manifest(m -> m);
        ManifestCountersignature a = ask(bytes);
        assertEquals("", a.getRefused());
        assertTrue(Signatures.verify(key.certificate().getPublicKey(), bytes, a.getSignature().toByteArray()));
        assertEquals(Sha256.hex(bytes), HexFormat.of().formatHex(a.getManifestSha256().toByteArray()));
        assertEquals("countersigned", audit.get(0).get("decision"));
        assertEquals(Sha256.hex(bytes), audit.get(0).get("manifestSha256"));
    }

    @Test
    void aRequestBeforeTheRoundResultWaitsForIt() {
        takePart(false);
        byte[] bytes = manifest(m -> m);
        assertTrue(signer.request(ManifestCountersignRequest.newBuilder().setRound(0).setManifestRound(1)
                .setManifest(ByteString.copyFrom(bytes)).build()).isEmpty());
        List<ManifestCountersignature> later = signer.roundResult(result());
        assertEquals(1, later.size());
        assertEquals("", later.get(0).getRefused());
        assertTrue(Signatures.verify(key.certificate().getPublicKey(), bytes, later.get(0).getSignature().toByteArray()));
    }

    @Test
    void anyChangeToTheSitesEntryOrRoundFactsIsRefusedWithoutSignature() {
        takePart(true);
        Map<String, UnaryOperator<RoundManifest>> changes = new TreeMap<>();
        changes.put("contribution digest", m -> with(m, List.of(entry(SITE, key.fingerprint(), "dua-a", 40,
                "9".repeat(64)), m.sites().get(1)), m.decryptionQuorum(), m.modelDigestIn(), m.modelDigestOut()));
        changes.put("data counts", m -> with(m, List.of(entry(SITE, key.fingerprint(), "dua-a", 41,
                Sha256.hex(RECORD)), m.sites().get(1)), m.decryptionQuorum(), m.modelDigestIn(), m.modelDigestOut()));
        changes.put("DUA", m -> with(m, List.of(entry(SITE, key.fingerprint(), "dua-x", 40, Sha256.hex(RECORD)),
                m.sites().get(1)), m.decryptionQuorum(), m.modelDigestIn(), m.modelDigestOut()));
        changes.put("certificate", m -> with(m, List.of(entry(SITE, "1".repeat(64), "dua-a", 40, Sha256.hex(RECORD)),
                m.sites().get(1)), m.decryptionQuorum(), m.modelDigestIn(), m.modelDigestOut()));
        changes.put("left out", m -> with(m, List.of(m.sites().get(1)), m.decryptionQuorum(), m.modelDigestIn(),
                m.modelDigestOut()));
        changes.put("model in", m -> with(m, m.sites(), m.decryptionQuorum(), "2".repeat(64), m.modelDigestOut()));
        changes.put("model out", m -> with(m, m.sites(), m.decryptionQuorum(), m.modelDigestIn(), "3".repeat(64)));
        changes.put("quorum", m -> with(m, m.sites(), List.of("hospital-b"), m.modelDigestIn(), m.modelDigestOut()));
        changes.put("job digest", m -> new RoundManifest(m.format(), m.project(), m.jobId(), "4".repeat(64), m.round(),
                m.sites(), m.aggregateDigest(), m.decryptionQuorum(), m.heParameters(), m.modelDigestIn(),
                m.modelDigestOut(), m.metrics(), m.startedAt(), m.finishedAt(), m.previousManifestDigest()));
        for (Map.Entry<String, UnaryOperator<RoundManifest>> c : changes.entrySet()) {
            ManifestCountersignature a = ask(manifest(c.getValue()));
            assertTrue(a.getSignature().isEmpty(), c.getKey() + ": signed an altered manifest");
            assertTrue(a.getCredential().isEmpty(), c.getKey());
            assertTrue(!a.getRefused().isEmpty(), c.getKey() + ": no reason");
        }
        assertEquals(changes.size(), audit.stream().filter(f -> "refused".equals(f.get("decision"))).count());
        // the other site's entry is not this site's to vouch for: changing it alone does not stop this site
        ManifestCountersignature other = ask(manifest(m -> with(m, List.of(m.sites().get(0),
                entry("hospital-b", "d".repeat(64), "dua-b", 8, "e".repeat(64))), m.decryptionQuorum(),
                m.modelDigestIn(), m.modelDigestOut())));
        assertEquals("", other.getRefused());
    }

    @Test
    void aLaterResultForTheSameRoundDoesNotReplaceTheFirst() {
        takePart(true);
        signer.roundResult(result().toBuilder().setNextModelSha256(ByteString.copyFrom(new byte[32])).build());
        assertEquals("", ask(manifest(m -> m)).getRefused());
        assertTrue(ask(manifest(m -> with(m, m.sites(), m.decryptionQuorum(), m.modelDigestIn(), "0".repeat(64))))
                .getSignature().isEmpty(), "a result sent again changed what the site checks against");
    }

    @Test
    void aRoundTheSiteDidNotSeeIsRefused() {
        ManifestCountersignature a = ask(manifest(m -> m));
        assertTrue(a.getSignature().isEmpty());
        assertTrue(a.getRefused().contains("no record"), a.getRefused());
    }
}
