package org.medveil.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.audit.AuditSigner;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code medveil audit verify} on a real audit folder written with a provisioned site kit. */
class AuditCommandTest {

    @TempDir
    Path tmp;
    private Path audit;
    private String ca;

    @BeforeEach
    void writeLog() {
        Path prov = tmp.resolve("prov");
        Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null, List.of("hospital-a"), null), prov,
                Clock.systemUTC());
        Kit site = Kit.load(prov.resolve("sites/hospital-a"));
        ca = prov.resolve("ca/ca.pem").toString();
        audit = tmp.resolve("audit");
        try (AuditLog log = AuditLog.open(audit, AuditSigner.of(site), AuditLog.Options.DEFAULTS.withCheckpointEvery(4))) {
            for (int i = 0; i < 10; i++) {
                log.append("ingest", "system", Map.of("object", "obj-" + i));
            }
        }
    }

    @Test
    @Tag("REQ-USE-4")
    @DisplayName("an intact trail: exit 0 and a summary; a removed record: exit 1 naming file, line and seq")
    void intactThenTampered() throws Exception {
        CliRun ok = CliRun.run("audit", "verify", audit.toString(), "--ca", ca);
        assertEquals(0, ok.exit(), ok.out() + ok.err());
        assertTrue(ok.out().startsWith("OK: " + audit + ": 13 records, 3 checkpoints signed by site hospital-a (last at seq 13), 0 destruction"),
                ok.out());

        Path file = audit.resolve("audit-000001.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        lines.remove(6); // seq 7
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        CliRun bad = CliRun.run("audit", "verify", audit.toString(), "--ca", ca);
        assertEquals(1, bad.exit(), bad.out() + bad.err());
        String[] out = bad.out().split("\n");
        assertEquals("TAMPERED: audit-000001.jsonl line 7 (seq 8): expected seq 7: record(s) before this one were"
                + " removed or reordered", out[0]);
        assertTrue(out[out.length - 1].startsWith("FAILED: " + audit + ": 1 problem(s); first: audit-000001.jsonl line 7"),
                bad.out());
    }

    @Test
    @DisplayName("a CA of another project: exit 1, the first checkpoint is named as signed by a foreign certificate")
    void foreignCa() {
        Path other = tmp.resolve("other");
        Provisioner.init(new ProjectSpec("other", "localhost:8443", null, null, List.of("x"), null), other, Clock.systemUTC());
        CliRun r = CliRun.run("audit", "verify", audit.toString(), "--ca", other.resolve("ca/ca.pem").toString());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().startsWith("TAMPERED: audit-000001.jsonl line 5 (seq 5): checkpoint is signed by certificate"
                + " sha256:") && r.out().contains("not issued by the project CA"), r.out());
    }

    @Test
    @DisplayName("--known-head: a head noted earlier that the log no longer holds is exit 1; a malformed one exit 2")
    void knownHead() throws Exception {
        String head = Files.readString(audit.resolve("audit.head"));
        String noted = head.replace("seq=", "").replace("\nline-sha256=", ":").strip();
        assertEquals(0, CliRun.run("audit", "verify", audit.toString(), "--ca", ca, "--known-head", noted).exit());
        String unknown = "14:" + "ab".repeat(32);
        CliRun r = CliRun.run("audit", "verify", audit.toString(), "--ca", ca, "--known-head", unknown);
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().startsWith("TAMPERED: the head noted earlier (14:abababababab…) (seq 14): names checkpoint"
                + " seq 14 but the log ends at seq 13"), r.out());
        CliRun bad = CliRun.run("audit", "verify", audit.toString(), "--ca", ca, "--known-head", "7");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().startsWith("medveil: error: --known-head: '7' is not SEQ:SHA256"), bad.err());
    }

    @Test
    @DisplayName("usage errors exit 2: no --ca, a missing folder, an unreadable CA file")
    void usageErrors() {
        CliRun noCa = CliRun.run("audit", "verify", audit.toString());
        assertEquals(2, noCa.exit());
        assertTrue(noCa.err().contains("Missing required option: '--ca=CA.pem'"), noCa.err());

        CliRun noDir = CliRun.run("audit", "verify", tmp.resolve("nope").toString(), "--ca", ca);
        assertEquals(2, noDir.exit());
        assertTrue(noDir.err().startsWith("medveil: error: audit folder ") && noDir.err().contains("does not exist"),
                noDir.err());

        CliRun badCa = CliRun.run("audit", "verify", audit.toString(), "--ca", tmp.resolve("missing.pem").toString());
        assertEquals(2, badCa.exit());
        assertTrue(badCa.err().startsWith("medveil: error: --ca: "), badCa.err());

        assertEquals(2, CliRun.run("audit").exit(), "bare 'audit' needs a subcommand");
    }

    @Test
    @DisplayName("--help describes the check and the exit codes")
    void help() {
        CliRun top = CliRun.run("--help");
        assertTrue(top.out().contains("audit") && top.out().contains("tamper-evident audit trail"), top.out());
        CliRun r = CliRun.run("audit", "verify", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("--ca=CA.pem") && r.out().contains("Exit 0 when the trail is intact, 1 when tampering"),
                r.out());
    }
}
