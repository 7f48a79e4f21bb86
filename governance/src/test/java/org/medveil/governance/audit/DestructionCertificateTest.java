package org.medveil.governance.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.audit.DestructionCertificate.Approval;
import org.medveil.governance.audit.DestructionCertificate.DestroyedObject;
import org.medveil.governance.audit.DestructionCertificate.Method;
import org.medveil.governance.audit.DestructionCertificate.Statement;

/**
 * Destruction certificates as the site node issues them: two data managers' approvals and the
 * destruction itself are audit records, the signed certificate names them, and
 * {@link AuditVerifier} checks certificate and records together.
 */
class DestructionCertificateTest {

    @TempDir
    Path tmp;
    private AuditFixture fx;
    private Path dir;
    private List<DestroyedObject> objects;
    private Statement statement;

    @BeforeEach
    void destroy() {
        fx = new AuditFixture(tmp, "demo");
        dir = tmp.resolve("audit");
        objects = List.of(new DestroyedObject("obj-7f3a", AuditRecord.sha256Hex(new byte[] {1})),
                new DestroyedObject("obj-91c2", AuditRecord.sha256Hex(new byte[] {2})));
        try (AuditLog log = AuditLog.open(dir, fx.signer())) {
            log.append("ingest", "system", Map.of("object", "obj-7f3a"));
            long a1 = log.append(DestructionCertificate.APPROVAL_TYPE, fx.dm1.fingerprint(),
                    Map.of("role", "data-manager", "request", "destroy-1")).seq();
            long a2 = log.append(DestructionCertificate.APPROVAL_TYPE, fx.dm2.fingerprint(),
                    Map.of("role", "data-manager", "request", "destroy-1")).seq();
            long d = log.append(DestructionCertificate.AUDIT_TYPE, fx.site.fingerprint(),
                    DestructionCertificate.auditFields("destroy-1", "patient", objects)).seq();
            statement = new Statement("destroy-1", "hospital-a", Instant.now().toString(), "patient",
                    "pk-" + AuditRecord.sha256Hex(new byte[] {9}).substring(0, 16), objects,
                    new Method(2, 2, List.of("live store", "backups", "archives"),
                            "per-object data keys erased from the keystore; live ciphertext files overwritten"),
                    List.of(new Approval(fx.dm1.fingerprint(), "data-manager", a1),
                            new Approval(fx.dm2.fingerprint(), "data-manager", a2)), d);
        }
    }

    private Path issue(Statement s) {
        return DestructionCertificate.sign(s, fx.signer()).write(dir);
    }

    private AuditReport.Problem onlyProblem() {
        AuditReport r = AuditVerifier.verify(dir, fx.ca());
        assertFalse(r.ok(), "not detected");
        assertEquals(1, r.problems().size(), r.problems().toString());
        return r.problems().get(0);
    }

    @Test
    @Tag("REQ-DEL-2")
    @DisplayName("a certificate naming objects, method and two approvals verifies with the audit records behind it")
    void issuedCertificateVerifies() {
        Path file = issue(statement);
        assertEquals(dir.resolve("certificates/destroy-1.json"), file);
        DestructionCertificate read = DestructionCertificate.read(file);
        read.verify(fx.ca());
        assertEquals(statement, read.statement());
        AuditReport r = AuditVerifier.verify(dir, fx.ca());
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(1, r.certificates());
    }

    @Test
    @DisplayName("an edited statement (an object removed from the list) no longer verifies")
    void editedStatement() throws Exception {
        Path file = issue(statement);
        String json = Files.readString(file, StandardCharsets.UTF_8);
        String edited = json.replace(objects.get(1).sha256(), AuditRecord.sha256Hex(new byte[] {3}));
        Files.writeString(file, edited, StandardCharsets.UTF_8);
        AuditException e = assertThrows(AuditException.class, () -> DestructionCertificate.read(file).verify(fx.ca()));
        assertTrue(e.getMessage().contains("signature does not verify"), e.getMessage());
        AuditReport.Problem p = onlyProblem();
        assertEquals("certificates/destroy-1.json", p.file());
        assertTrue(p.reason().contains("signature does not verify"), p.toString());
    }

    @Test
    @DisplayName("a certificate signed by a site of another CA is refused")
    void foreignSigner() {
        AuditFixture foreign = new AuditFixture(tmp, "other");
        DestructionCertificate.sign(statement, foreign.signer()).write(dir);
        assertTrue(onlyProblem().reason().contains("not issued by the project CA"));
    }

    @Test
    @DisplayName("a certificate signed by a data manager's kit, or by another site, is refused")
    void onlyTheSiteSigns() {
        DestructionCertificate.sign(statement, AuditSigner.of(fx.dm1)).write(dir);
        assertTrue(onlyProblem().reason().contains("only a site signs"));
        DestructionCertificate.sign(statement, AuditSigner.of(fx.siteB)).write(dir);
        assertTrue(onlyProblem().reason().contains("names site hospital-a but is signed by site hospital-b"));
    }

    @Test
    @Tag("REQ-DEL-2")
    @DisplayName("an approval the audit log does not hold (another person's fingerprint) is refused")
    void approvalNotInAudit() {
        Approval a = statement.approvals().get(1);
        Statement s = new Statement(statement.id(), statement.site(), statement.issuedAt(), statement.scope(),
                statement.subject(), statement.objects(), statement.method(),
                List.of(statement.approvals().get(0), new Approval(fx.site.fingerprint(), "data-manager", a.auditSeq())),
                statement.auditSeq());
        issue(s);
        assertTrue(onlyProblem().reason().contains("the log has no approval record by that certificate"));
    }

    @Test
    @DisplayName("a certificate whose destruction record names other objects is refused")
    void auditRecordMismatch() {
        Statement s = new Statement(statement.id(), statement.site(), statement.issuedAt(), statement.scope(),
                statement.subject(), List.of(objects.get(0)), statement.method(), statement.approvals(),
                statement.auditSeq());
        issue(s);
        assertTrue(onlyProblem().reason().contains("does not describe this certificate"));
    }

    @Test
    @DisplayName("a certificate referring to a seq that is no destruction record is refused")
    void auditSeqNotDestruction() {
        Statement s = new Statement(statement.id(), statement.site(), statement.issuedAt(), statement.scope(),
                statement.subject(), statement.objects(), statement.method(), statement.approvals().subList(0, 1), 3);
        issue(s);
        assertTrue(onlyProblem().reason().contains("refers to audit seq 3, which is not a 'destruction' record"));
    }

    @Test
    @DisplayName("a statement without approval, or approved twice by the same person, cannot be signed")
    void incompleteStatementsRefused() {
        Statement none = new Statement("destroy-2", "hospital-a", Instant.now().toString(), "dataset", "ds-1", objects,
                statement.method(), List.of(), 5);
        assertThrows(IllegalArgumentException.class, () -> DestructionCertificate.sign(none, fx.signer()));
        Approval a = statement.approvals().get(0);
        Statement same = new Statement("destroy-2", "hospital-a", Instant.now().toString(), "dataset", "ds-1", objects,
                statement.method(), List.of(a, new Approval(a.fingerprint(), "data-manager", a.auditSeq() + 1)), 5);
        assertThrows(IllegalArgumentException.class, () -> DestructionCertificate.sign(same, fx.signer()));
    }
}
