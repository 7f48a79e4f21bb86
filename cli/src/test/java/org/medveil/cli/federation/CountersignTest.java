package org.medveil.cli.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.coordinator.rounds.JobRun;
import org.medveil.coordinator.rounds.RoundListener;
import org.medveil.coordinator.rounds.SiteLinks;
import org.medveil.governance.canonical.Jcs;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.manifest.ManifestFiles;
import org.medveil.governance.manifest.ManifestReport;
import org.medveil.governance.manifest.ManifestVerifier;
import org.medveil.governance.manifest.ManifestWriter;
import org.medveil.governance.manifest.RoundManifest;
import org.medveil.governance.pki.Kit;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.proto.rounds.ManifestCountersignRequest;
import org.medveil.proto.rounds.ManifestCountersignature;
import org.medveil.proto.rounds.RoundResult;
import org.medveil.proto.rounds.RoundsMessage;
import org.medveil.proto.rounds.RoundsMessage.BodyCase;
import org.medveil.proto.rounds.ContributionRef;
import org.medveil.proto.rounds.StatementPart;
import org.medveil.site.federation.ManifestCountersigner;

/**
 * Site countersignatures through the real rounds protocol: three sites' {@code JobParticipant}s
 * with real kits run three HE rounds; after each round a coordinator (this test, in the order the
 * real one uses: manifest before the round result) writes the signed manifest from what the
 * protocol recorded and asks every contributor to countersign. In round 2 it alters hospital-b's
 * contribution digest: hospital-b refuses with the reason and signs nothing, the others sign, and
 * the folder verifies with countersignatures required only for the honest rounds.
 */
@Timeout(300)
@Tag("REQ-FL-2")
class CountersignTest {

    private static final String JOB_DIGEST = "ab".repeat(32);

    @TempDir
    Path dir;

    private static byte[] descriptor(String site) {
        return Jcs.canonicalize(Map.of("job", RoundsHarness.JOB, "site", site, "counts", List.of(Map.of("category",
                        "clinical-structural", "grade", 2, "count", RoundsHarness.FakeTraining.samples(site))),
                "deidProfileDigest", Sha256.hex(("profile " + site).getBytes()),
                "datasetMerkleRoot", Sha256.hex(("root " + site).getBytes())));
    }

    private static CertifiedKey key(Path project, String who) {
        return CertifiedKey.of(Kit.load(project.resolve(who)));
    }

    /** Writes each round's manifest as the coordinator does, altering one site's entry in one round. */
    private static final class Coordinator implements RoundListener {
        final AtomicReference<SiteLinks> links = new AtomicReference<>();
        final Map<Integer, String> modelIn = new ConcurrentHashMap<>();
        final Map<Integer, Map<String, StatementPart>> first = new ConcurrentHashMap<>();
        final Path manifests;
        final Path project;
        final String he = new HeContext(Params.byName(Params.FAST_NAME)).fingerprint();
        String previous = RoundManifest.GENESIS;
        final int tamperedRound;
        final String tamperedSite;

        Coordinator(Path manifests, Path project, int tamperedRound, String tamperedSite) {
            this.manifests = manifests;
            this.project = project;
            this.tamperedRound = tamperedRound;
            this.tamperedSite = tamperedSite;
        }

        @Override
        public void roundStarted(String jobId, int round, byte[] modelSha256) {
            modelIn.put(round, HexFormat.of().formatHex(modelSha256));
        }

        @Override
        public void contributionRecorded(String jobId, int round, String site, ContributionRef contribution) {
            first.computeIfAbsent(round, r -> new ConcurrentHashMap<>()).put(site, contribution.getStatement());
        }

        @Override
        public void roundFinished(String jobId, RoundResult r, float[] next) {
            int round = r.getRound();
            List<RoundManifest.SiteEntry> entries = new ArrayList<>();
            for (String site : r.getContributorsList()) {
                StatementPart rec = first.get(round).get(site);
                String digest = Sha256.hex(rec.getSignedBytes().toByteArray());
                if (round == tamperedRound && site.equals(tamperedSite)) {
                    digest = Sha256.hex("another contribution".getBytes()); // the coordinator lies about this site
                }
                entries.add(new RoundManifest.SiteEntry(site, key(project, "sites/" + site).fingerprint(), "dua-" + site,
                        new RoundManifest.DataDescriptor(List.of(new RoundManifest.GradeCount("clinical-structural", 2,
                                RoundsHarness.FakeTraining.samples(site))), Sha256.hex(("profile " + site).getBytes()),
                                Sha256.hex(("root " + site).getBytes())),
                        new RoundManifest.Contribution(digest,
                                Base64.getEncoder().encodeToString(rec.getSignature().toByteArray()))));
            }
            Instant now = Instant.now();
            RoundManifest m = RoundManifest.of("demo", jobId, JOB_DIGEST, round + 1, entries, "c".repeat(64),
                    r.getDecryptionSetList(), he, modelIn.get(round),
                    HexFormat.of().formatHex(r.getNextModelSha256().toByteArray()), new TreeMap<>(), now, now, previous);
            ManifestWriter.write(manifests, m, key(project, "coordinator"));
            previous = m.digest();
            RoundsMessage ask = RoundsMessage.newBuilder().setJobId(jobId).setCountersignRequest(
                    ManifestCountersignRequest.newBuilder().setRound(round).setManifestRound(round + 1)
                            .setManifest(com.google.protobuf.ByteString.copyFrom(m.canonicalBytes()))).build();
            r.getContributorsList().forEach(site -> links.get().send(site, ask));
        }
    }

    @Test
    void everyParticipantCountersignsHonestManifestsAndRefusesItsAlteredEntry() throws Exception {
        Path manifests = dir.resolve("manifests");
        try (RoundsHarness h = new RoundsHarness(dir)) {
            Path project = dir.resolve("project");
            Coordinator coordinator = new Coordinator(manifests, project, 1, "hospital-b");
            List<Map<String, String>> audit = new java.util.concurrent.CopyOnWriteArrayList<>();
            JobRun run = h.start(links -> {
                coordinator.links.set(links);
                return new JobRun(RoundsHarness.plan(Params.FAST_NAME, 3, 3, 3, Duration.ofSeconds(60)), links,
                        h.objects, h.verifier, RoundsHarness.FED_AVG, coordinator);
            });
            for (String site : RoundsHarness.SITES) {
                byte[] d = descriptor(site);
                CertifiedKey k = key(project, "sites/" + site);
                h.participants.get(site).countersigning(new ManifestCountersigner(RoundsHarness.JOB, site, k,
                        new ManifestCountersigner.JobFacts(JOB_DIGEST, "dua-" + site, d, k.sign(d)), f -> {
                            Map<String, String> e = new TreeMap<>(f);
                            e.put("site", site);
                            audit.add(e);
                        }));
            }
            run.run(RoundsHarness.initialModel());
            h.drain();

            X509Certificate ca = Kit.load(project.resolve("coordinator")).caCertificate();
            Map<String, String> refusals = new TreeMap<>();
            for (String site : RoundsHarness.SITES) {
                for (RoundsMessage m : h.sentBy(site, BodyCase.COUNTERSIGNATURE)) {
                    ManifestCountersignature a = m.getCountersignature();
                    if (a.getRefused().isEmpty()) {
                        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                                .generateCertificate(new ByteArrayInputStream(a.getCredential().toByteArray()));
                        ManifestWriter.addCountersignature(manifests, a.getManifestRound(), cert,
                                a.getSignature().toByteArray());
                    } else {
                        assertTrue(a.getSignature().isEmpty(), "a refusal carried a signature");
                        refusals.put(site + " " + a.getManifestRound(), a.getRefused());
                    }
                }
            }
            assertEquals(List.of("hospital-b 2"), List.copyOf(refusals.keySet()), refusals.toString());
            assertTrue(refusals.get("hospital-b 2").contains("contribution"), refusals.toString());
            assertFalse(java.nio.file.Files.exists(manifests.resolve(ManifestFiles.countersignature(2, "hospital-b"))));
            assertEquals(9, audit.size(), audit.toString());
            assertEquals(1, audit.stream().filter(e -> "refused".equals(e.get("decision"))).count());

            // with countersignatures required the chain fails exactly at the refused one
            ManifestReport strict = ManifestVerifier.verify(manifests, ca, true);
            assertFalse(strict.ok());
            assertEquals(ManifestFiles.countersignature(2, "hospital-b"), strict.problems().get(0).file());
            ManifestReport lenient = ManifestVerifier.verify(manifests, ca, false);
            assertTrue(lenient.ok(), lenient.problems().toString());
            assertEquals(3, lenient.rounds());
            assertEquals(8, lenient.countersignatures());
            assertEquals(1, lenient.warnings().size(), lenient.warnings().toString());
        }
    }
}
