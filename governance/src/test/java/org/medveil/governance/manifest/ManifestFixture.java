package org.medveil.governance.manifest;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;

/** A provisioned project (coordinator, three sites) and a job whose rounds it can write as manifests. */
final class ManifestFixture {

    final Path prov;
    final Kit coordinator;
    final List<Kit> sites = new ArrayList<>();
    /** Rounds run after the kits were issued (the verifier checks the coordinator certificate was valid then). */
    final Instant base = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    ManifestFixture(Path dir, String project) {
        prov = dir.resolve("prov-" + project);
        Provisioner.init(new ProjectSpec(project, "localhost:8443", null, null,
                List.of("hospital-a", "hospital-b", "hospital-c"), List.of()), prov, Clock.systemUTC());
        coordinator = Kit.load(prov.resolve("coordinator"));
        for (String s : List.of("hospital-a", "hospital-b", "hospital-c")) {
            sites.add(Kit.load(prov.resolve("sites/" + s)));
        }
    }

    CertifiedKey coordinatorKey() {
        return CertifiedKey.of(coordinator);
    }

    CertifiedKey siteKey(int i) {
        return CertifiedKey.of(sites.get(i));
    }

    static String h(String s) {
        return Sha256.hex(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Round {@code r} of job "job-1" with sites a and b (c does not take part), chained after {@code prev}. */
    RoundManifest round(int r, String prev) {
        List<RoundManifest.SiteEntry> entries = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Kit k = sites.get(i);
            byte[] contribution = ("contribution " + k.identity().name() + " round " + r).getBytes();
            entries.add(new RoundManifest.SiteEntry(k.identity().name(), k.fingerprint(), "dua-" + k.identity().name(),
                    new RoundManifest.DataDescriptor(List.of(
                            new RoundManifest.GradeCount("clinical-structural", 2, 100 + i),
                            new RoundManifest.GradeCount("clinical-structural", 3, 7)), h("profile"), h("dataset-" + i)),
                    new RoundManifest.Contribution(Sha256.hex(contribution),
                            Base64.getEncoder().encodeToString(CertifiedKey.of(k).sign(contribution)))));
        }
        Instant start = base.plusSeconds(3600L * r);
        return RoundManifest.of(coordinator.identity().project(), "job-1", h("job"), r, entries, h("aggregate " + r),
                List.of("hospital-a", "hospital-b"), h("he-params").substring(0, 32), h("model " + (r - 1)), h("model " + r),
                Map.of("accuracy", "0.8" + r, "auc", "0.9" + r, "n", "207"), start, start.plusSeconds(600), prev);
    }

    /** Writes rounds 1..n, each countersigned by both participants. */
    Path writeChain(Path dir, int n) {
        String prev = RoundManifest.GENESIS;
        for (int r = 1; r <= n; r++) {
            RoundManifest m = round(r, prev);
            ManifestWriter.write(dir, m, coordinatorKey());
            ManifestWriter.countersign(dir, r, siteKey(0));
            ManifestWriter.countersign(dir, r, siteKey(1));
            prev = m.digest();
        }
        return dir;
    }
}
