package org.medveil.governance.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;

/** A provisioned project (site kit, two data managers) and helpers to write and tamper with audit files. */
final class AuditFixture {

    final Path prov;
    final Kit site;
    final Kit siteB;
    final Kit dm1;
    final Kit dm2;

    AuditFixture(Path dir, String project) {
        prov = dir.resolve("prov-" + project);
        Provisioner.init(new ProjectSpec(project, "localhost:8443", null, null, List.of("hospital-a", "hospital-b"),
                List.of(new ProjectSpec.User("dm-one", "data-manager"), new ProjectSpec.User("dm-two", "data-manager"))),
                prov, Clock.systemUTC());
        site = Kit.load(prov.resolve("sites/hospital-a"));
        siteB = Kit.load(prov.resolve("sites/hospital-b"));
        dm1 = Kit.load(prov.resolve("users/dm-one"));
        dm2 = Kit.load(prov.resolve("users/dm-two"));
    }

    X509Certificate ca() {
        return site.caCertificate();
    }

    AuditSigner signer() {
        return AuditSigner.of(site);
    }

    /** Writes {@code n} ordinary records with digests only, then closes (closing checkpoint). */
    Path writeLog(Path dir, int n, int checkpointEvery) {
        try (AuditLog log = AuditLog.open(dir, signer(), AuditLog.Options.DEFAULTS.withCheckpointEvery(checkpointEvery))) {
            for (int i = 0; i < n; i++) {
                log.append("ingest", "system", Map.of("object", "obj-" + i, "sha256", AuditRecord.sha256Hex(new byte[] {(byte) i})));
            }
        }
        return dir;
    }

    static List<String> lines(Path file) throws IOException {
        return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    static void write(Path file, List<String> lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    /** Rewrites lines from index {@code from} on so that every hash and prev is consistent again (signatures untouched). */
    static void rechain(List<String> lines, int from) {
        String prev = from == 0 ? AuditRecord.GENESIS
                : AuditRecord.sha256Hex(lines.get(from - 1).getBytes(StandardCharsets.UTF_8));
        for (int i = from; i < lines.size(); i++) {
            AuditRecord r = AuditRecord.parse(lines.get(i).getBytes(StandardCharsets.UTF_8));
            AuditRecord rechained = withHash(new AuditRecord(r.seq(), r.time(), r.type(), r.actor(), r.fields(), prev, ""));
            lines.set(i, new String(rechained.line(), StandardCharsets.UTF_8));
            prev = AuditRecord.sha256Hex(rechained.line());
        }
    }

    /** The record with its hash recomputed over its (possibly edited) content. */
    static AuditRecord withHash(AuditRecord r) {
        return new AuditRecord(r.seq(), r.time(), r.type(), r.actor(), r.fields(), r.prev(), AuditRecord.sha256Hex(r.body()));
    }

    /** The line of {@code r} with its hash recomputed, so that it parses. */
    static String line(AuditRecord r) {
        return new String(withHash(r).line(), StandardCharsets.UTF_8);
    }
}
