package org.medveil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.manifest.ManifestWriter;
import org.medveil.governance.manifest.RoundManifest;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;

/** {@code medveil manifest verify|show} and {@code medveil dua sign|verify} on files made with provisioned kits. */
class ManifestDuaCommandTest {

    @TempDir
    Path tmp;
    private Path prov;
    private String ca;

    @BeforeEach
    void provision() {
        prov = tmp.resolve("prov");
        Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null, List.of("hospital-a"),
                List.of(new ProjectSpec.User("dm-one", "data-manager"), new ProjectSpec.User("bob", "researcher"))),
                prov, Clock.systemUTC());
        ca = prov.resolve("ca/ca.pem").toString();
    }

    private static String h(String s) {
        return Sha256.hex(s.getBytes());
    }

    private Path manifests(int rounds) {
        Kit coordinator = Kit.load(prov.resolve("coordinator"));
        Kit site = Kit.load(prov.resolve("sites/hospital-a"));
        Path dir = tmp.resolve("manifests");
        String prev = RoundManifest.GENESIS;
        Instant t = Instant.now();
        for (int r = 1; r <= rounds; r++) {
            RoundManifest m = RoundManifest.of("demo", "job-7", h("job"), r, List.of(new RoundManifest.SiteEntry(
                            "hospital-a", site.fingerprint(), "dua-1", new RoundManifest.DataDescriptor(List.of(
                                    new RoundManifest.GradeCount("clinical-structural", 2, 40)), h("p"), h("d")),
                            new RoundManifest.Contribution(h("c" + r), Base64.getEncoder().encodeToString(new byte[] {1})))),
                    h("agg" + r), List.of(), RoundManifest.PLAINTEXT, h("m" + (r - 1)), h("m" + r),
                    Map.of("accuracy", "0.75"), t.plusSeconds(r * 100L), t.plusSeconds(r * 100L + 50), prev);
            ManifestWriter.write(dir, m, CertifiedKey.of(coordinator));
            ManifestWriter.countersign(dir, r, CertifiedKey.of(site));
            prev = m.digest();
        }
        return dir;
    }

    @Test
    @Tag("REQ-FL-3")
    void manifestVerifyExitsZeroWhenIntactOneWhenTamperedTwoOnUsage() throws Exception {
        Path dir = manifests(2);
        CliRun ok = CliRun.run("manifest", "verify", dir.toString(), "--ca", ca);
        assertEquals(0, ok.exit(), ok.out() + ok.err());
        assertTrue(ok.out().startsWith("OK: " + dir + ": 2 round(s) of job job-7, 2 site countersignature(s)"), ok.out());

        CliRun show = CliRun.run("manifest", "show", dir.resolve("round-000002.json").toString());
        assertEquals(0, show.exit(), show.err());
        assertTrue(show.out().contains("Round 2 of job job-7 (project demo)") && show.out().contains("accuracy = 0.75")
                && show.out().contains("40 x clinical-structural grade 2"), show.out());

        Files.delete(dir.resolve("round-000001.json"));
        CliRun bad = CliRun.run("manifest", "verify", dir.toString(), "--ca", ca);
        assertEquals(1, bad.exit(), bad.out() + bad.err());
        assertTrue(bad.out().contains("TAMPERED: round-000001.json: is missing"), bad.out());

        assertEquals(2, CliRun.run("manifest", "verify", tmp.resolve("nowhere").toString(), "--ca", ca).exit());
        assertEquals(2, CliRun.run("manifest", "verify", dir.toString()).exit());
        assertEquals(2, CliRun.run("manifest").exit());
        Files.writeString(dir.resolve("junk.json"), "{\"round\": 1}");
        CliRun junk = CliRun.run("manifest", "show", dir.resolve("junk.json").toString());
        assertEquals(1, junk.exit());
        assertTrue(junk.err().startsWith("medveil: error: ") && junk.err().contains("canonical"), junk.err());
    }

    @Test
    void duaSignByBothPartiesThenVerifyInAndOutOfThePeriod() throws Exception {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Path dua = tmp.resolve("DUA.yaml");
        Files.writeString(dua, """
                id: dua-1
                project: demo
                parties: {site: hospital-a, dataManager: dm-one, researcher: bob, organisation: Example University}
                purpose: research
                waysOfUse: [federated-training]
                period: {from: %s, to: %s}
                protection: [grade 3 or lower only]
                breachPlan: {contact: dpo@hospital-a.example, steps: [stop the job]}
                dataScope: {modalities: [CT], categories: [clinical-structural], maxGrade: 3}
                """.formatted(today.minusDays(10), today.plusDays(10)));
        CliRun s1 = CliRun.run("dua", "sign", dua.toString(), "--kit", prov.resolve("users/dm-one").toString());
        assertEquals(0, s1.exit(), s1.out() + s1.err());
        assertTrue(Files.isRegularFile(tmp.resolve("DUA.yaml.data-manager.sig")));
        assertTrue(Files.isRegularFile(tmp.resolve("DUA.yaml.data-manager.pem")));

        CliRun half = CliRun.run("dua", "verify", dua.toString(), "--ca", ca);
        assertEquals(1, half.exit(), half.out() + half.err());
        assertTrue(half.out().contains("NOT IN FORCE: the researcher signature (by bob) is missing"), half.out());

        assertEquals(0, CliRun.run("dua", "sign", dua.toString(), "--kit", prov.resolve("users/bob").toString()).exit());
        CliRun ok = CliRun.run("dua", "verify", dua.toString(), "--ca", ca, "--site-data-manager", "dm-one");
        assertEquals(0, ok.exit(), ok.out() + ok.err());
        assertTrue(ok.out().startsWith("OK: agreement dua-1 between site hospital-a (dm-one) and bob"), ok.out());

        CliRun late = CliRun.run("dua", "verify", dua.toString(), "--ca", ca, "--at", today.plusDays(11).toString());
        assertEquals(1, late.exit());
        assertTrue(late.out().contains("expired"), late.out());

        // A site kit is not a party: refused with one line.
        CliRun wrong = CliRun.run("dua", "sign", dua.toString(), "--kit", prov.resolve("sites/hospital-a").toString());
        assertEquals(1, wrong.exit());
        assertTrue(wrong.err().startsWith("medveil: error: "), wrong.err());
        assertEquals(2, CliRun.run("dua", "verify", dua.toString(), "--ca", ca, "--at", "tomorrow").exit());
    }
}
