package org.medveil.governance.job;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.medveil.governance.config.YamlFiles;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.dua.DataUseAgreement;
import org.medveil.governance.dua.DuaSignature;
import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.governance.pki.RevocationList;
import org.medveil.governance.pki.Role;

/**
 * Real kits for job tests, provisioned into a folder: project {@code lung} with sites hospital-a
 * and hospital-b, researchers bob and alice, a revoked researcher eve, a researcher old whose
 * certificate expired yesterday, data manager dm-one; and a foreign CA's researcher bob.
 */
final class JobFixture {

    final Path prov;
    final Kit bob;
    final Kit alice;
    final Kit eve;
    final Kit old;
    final Kit dm;
    final Kit site;
    final Kit foreignBob;
    final RevocationList crl;

    static final String SPEC = """
            name: nodules
            project: lung
            model: cnn:input=32,filters=8
            seed: 7
            rounds: 3
            local: {epochs: 1}
            strategy: {name: fedavg}
            minSites: 2
            he: n4096
            selection:
              modalities: [CT]
              categories: [clinical-structural]
              maxGrade: 3
              purpose: research
            sites:
              - {site: hospital-a, dua: dua-a}
              - {site: hospital-b, dua: dua-b}
            """;

    static final String DUA = """
            id: dua-a
            project: lung
            parties: {site: hospital-a, dataManager: dm-one, researcher: bob, organisation: Example University}
            purpose: research
            waysOfUse: [federated-training]
            period: {from: %s, to: %s}
            protection: [de-identification to grade 3 or lower, HE-encrypted updates only]
            breachPlan: {contact: dpo@hospital-a.example, steps: [stop the job]}
            dataScope: {modalities: [CT, MR], categories: [clinical-structural], maxGrade: 3}
            """;

    /** Stands in for the initial parameter bytes the researcher's machine builds. */
    static final String MODEL_DIGEST = Sha256.hex(new byte[] {1, 2, 3, 4});

    JobFixture(Path dir) {
        prov = dir.resolve("prov");
        Provisioner p = Provisioner.init(new ProjectSpec("lung", "localhost:8443", null, null,
                List.of("hospital-a", "hospital-b"), List.of(
                new ProjectSpec.User("bob", "researcher"), new ProjectSpec.User("alice", "researcher"),
                new ProjectSpec.User("eve", "researcher"), new ProjectSpec.User("dm-one", "data-manager"))),
                prov, Clock.systemUTC());
        Instant now = Instant.now();
        p.add(Identity.user("lung", "old", Role.RESEARCHER), now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
        p.revoke("eve");
        bob = Kit.load(prov.resolve("users/bob"));
        alice = Kit.load(prov.resolve("users/alice"));
        eve = Kit.load(prov.resolve("users/eve"));
        old = Kit.load(prov.resolve("users/old"));
        dm = Kit.load(prov.resolve("users/dm-one"));
        site = Kit.load(prov.resolve("sites/hospital-a"));
        crl = RevocationList.of(site, Clock.systemUTC(), Duration.ZERO);
        Path foreign = dir.resolve("foreign");
        Provisioner.init(new ProjectSpec("lung", "localhost:8443", null, null, List.of(),
                List.of(new ProjectSpec.User("bob", "researcher"))), foreign, Clock.systemUTC());
        foreignBob = Kit.load(foreign.resolve("users/bob"));
    }

    static JobSpec spec(String yaml) {
        return JobSpec.parse(yaml, "job.yaml");
    }

    static SignedJob sign(String yaml, Kit kit) {
        return SignedJob.sign(spec(yaml), MODEL_DIGEST, CertifiedKey.of(kit), Instant.now());
    }

    static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }

    /** The agreement text with its period around today; tests replace parts of it. */
    static String duaYaml() {
        return DUA.formatted(today().minusDays(30), today().plusDays(30));
    }

    static DataUseAgreement dua(String yaml) {
        return YamlFiles.parse(yaml, DataUseAgreement.class, "DUA.yaml");
    }

    /** Both parties' signatures, made with the real kits. */
    List<DuaSignature> signatures(DataUseAgreement d) {
        return List.of(DuaSignature.sign(d, dm), DuaSignature.sign(d, d.parties().researcher().equals("alice") ? alice : bob));
    }
}
