package org.medveil.site.lifecycle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.audit.AuditReport;
import org.medveil.governance.audit.AuditVerifier;
import org.medveil.governance.audit.DestructionCertificate;
import org.medveil.governance.consent.Purpose;
import org.medveil.governance.pki.Role;
import org.medveil.governance.policy.PolicyOptions;
import org.medveil.site.store.ObjectDestroyedException;
import org.medveil.site.store.ObjectMeta;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.StoredObject;
import org.medveil.site.store.StoredObjectKind;

/**
 * Destruction end to end on a real site: approval, every copy (live, a backup made before, an
 * archive) unreadable afterwards, a signed certificate that {@link AuditVerifier} accepts, and the
 * two-person rule.
 */
class DestructionServiceTest {

    @TempDir
    Path tmp;
    private LifecycleFixture fx;

    @BeforeEach
    void site() {
        fx = new LifecycleFixture(tmp);
    }

    private DestructionService service(ObjectStore store, AuditLog audit, boolean secondPerson) {
        return new DestructionService(store, audit, fx.signer(), LifecycleFixture.SITE,
                new PolicyOptions(secondPerson, Duration.ofMinutes(1)));
    }

    @Test
    @Tag("REQ-DEL-6")
    @Tag("REQ-DEL-2")
    void destroyCoversLiveBackupAndArchiveAndCertificateVerifies() throws Exception {
        byte[] keepContent = LifecycleFixture.marked("KEEP", 10_000, 4);
        StoredObject a;
        StoredObject aDerived;
        StoredObject aArchived;
        StoredObject keep;
        Backups.BackupSet before;
        String archiveId;
        DestructionCertificate cert;
        try (ObjectStore store = fx.openStore(); AuditLog audit = fx.openAudit()) {
            a = store.put(StoredObjectKind.ORIGINAL, LifecycleFixture.marked("A", 10_000, 1),
                    ObjectMeta.of("ds1").withPatientKey("pk-one"));
            aDerived = store.put(StoredObjectKind.DERIVATIVE, LifecycleFixture.marked("AD", 5_000, 2),
                    ObjectMeta.of("ds-deid").withParent(a.id()));
            aArchived = store.put(StoredObjectKind.ORIGINAL, LifecycleFixture.marked("AA", 8_000, 3),
                    ObjectMeta.of("ds-old").withPatientKey("pk-one"));
            keep = store.put(StoredObjectKind.ORIGINAL, keepContent, ObjectMeta.of("ds1").withPatientKey("pk-two"));
            before = Backups.backup(store, audit, tmp.resolve("backups"), fx.dm1.fingerprint());
            Archiver archiver = new Archiver(store, audit, tmp.resolve("archives"));
            archiveId = archiver.archive(new ArchivePolicy(Duration.ZERO, null, "ds-old"), Instant.now(), "system")
                    .orElseThrow().archiveId();

            DestructionService svc = service(store, audit, false);
            String req = svc.request(DestructionService.Scope.PATIENT, List.of("pk-one"), fx.dm1.fingerprint());
            svc.approve(req, fx.dm2.fingerprint(), Role.DATA_MANAGER);
            cert = svc.execute(req);
            // while the site runs (log still open): the destruction is already under a signed checkpoint
            AuditReport live = AuditVerifier.verify(fx.auditDir(), fx.site.caCertificate());
            assertTrue(live.ok() && live.warnings().isEmpty(), live.problems() + " " + live.warnings());

            // the certificate names the patient's objects and the derivative made from one of them
            assertEquals(Set.of(a.id(), aDerived.id(), aArchived.id()),
                    Set.copyOf(cert.statement().objects().stream().map(DestructionCertificate.DestroyedObject::id).toList()));
            assertEquals(3, cert.statement().method().dataKeysDestroyed());
            assertEquals(2, cert.statement().method().liveFilesOverwritten(), "the archived object has no live file");
            // live: destroyed, files gone; the other patient's object still reads
            for (StoredObject o : List.of(a, aDerived, aArchived)) {
                assertThrows(ObjectDestroyedException.class, () -> store.read(o.id()));
                assertFalse(Files.exists(store.pathOf(o.id())));
                assertFalse(store.hasDataKey(o.id()));
            }
            assertArrayEquals(keepContent, store.read(keep.id()));
            // archive: the copy sealed under the destroyed key does not open, and restore refuses it
            byte[] archived = Files.readAllBytes(archiver.archiveFile(archiveId, aArchived.id()));
            assertThrows(ObjectDestroyedException.class, () -> store.openUnderObjectKey(aArchived.id(), archiveId, archived));
            Archiver.RestoreArchiveResult r = archiver.restoreArchive(archiveId, fx.dm1.fingerprint(), Role.DATA_MANAGER);
            assertEquals(List.of(), r.restored());
            assertEquals("is destroyed", r.refused().get(aArchived.id()));
            assertThrows(ObjectDestroyedException.class, () -> store.read(aArchived.id()));
            // executing twice is refused
            assertThrows(LifecycleException.class, () -> svc.execute(req));
        }
        // a backup made BEFORE the destruction, restored: the destroyed objects stay unreadable
        Path restored = tmp.resolve("data-restored");
        Backups.RestoreResult rr = Backups.restore(before.dir(), restored, fx.keystore, null);
        assertEquals(Set.of(a.id(), aDerived.id(), aArchived.id()), Set.copyOf(rr.destroyedSinceBackup()));
        assertTrue(rr.verification().ok(), rr.verification().lines().toString());
        try (ObjectStore store = fx.openStore(restored)) {
            for (StoredObject o : List.of(a, aDerived, aArchived)) {
                assertThrows(ObjectDestroyedException.class, () -> store.read(o.id()));
                assertFalse(Files.exists(store.pathOf(o.id())));
            }
            assertArrayEquals(keepContent, store.read(keep.id()));
        }
        // the certificate verifies together with the audit log (log closed: checkpoint signed)
        AuditReport report = AuditVerifier.verify(fx.auditDir(), fx.site.caCertificate());
        assertTrue(report.ok(), report.problems().toString());
        Path certFile = fx.auditDir().resolve("certificates").resolve(cert.statement().id() + ".json");
        DestructionCertificate.read(certFile).verify(fx.site.caCertificate());
        // no patient key or object plaintext in the audit folder besides the pseudonymous subject
        assertEquals(List.of(), LifecycleFixture.filesContaining(fx.auditDir(), "KEEP".getBytes(StandardCharsets.US_ASCII)));

        // a tampered certificate fails
        String json = Files.readString(certFile);
        Files.writeString(certFile, json.replace(a.digest(), "0".repeat(64)));
        AuditReport tampered = AuditVerifier.verify(fx.auditDir(), fx.site.caCertificate());
        assertFalse(tampered.ok());
        assertTrue(tampered.problems().toString().contains("certificates/" + cert.statement().id() + ".json"),
                tampered.problems().toString());
    }

    @Test
    @Tag("REQ-DEL-2")
    void twoPersonRule() {
        try (ObjectStore store = fx.openStore(); AuditLog audit = fx.openAudit()) {
            StoredObject o = store.put(StoredObjectKind.ORIGINAL, new byte[] {1, 2}, ObjectMeta.of("ds-x"));
            DestructionService svc = service(store, audit, true);
            assertEquals(2, svc.approvalsNeeded());
            String req = svc.request(DestructionService.Scope.DATASET, List.of("ds-x"), fx.dm1.fingerprint());
            LifecycleException none = assertThrows(LifecycleException.class, () -> svc.execute(req));
            assertTrue(none.getMessage().contains("0 of the 2"), none.getMessage());
            svc.approve(req, fx.dm1.fingerprint(), Role.DATA_MANAGER);
            LifecycleException one = assertThrows(LifecycleException.class, () -> svc.execute(req));
            assertTrue(one.getMessage().contains("1 of the 2"), one.getMessage());
            assertArrayEquals(new byte[] {1, 2}, store.read(o.id()), "nothing destroyed on refusal");
            // the same person twice does not count, nor does a researcher
            assertThrows(LifecycleException.class, () -> svc.approve(req, fx.dm1.fingerprint(), Role.DATA_MANAGER));
            LifecycleException res = assertThrows(LifecycleException.class,
                    () -> svc.approve(req, fx.researcher.fingerprint(), Role.RESEARCHER));
            assertTrue(res.getMessage().contains("refused"), res.getMessage());
            assertThrows(LifecycleException.class, () -> svc.execute(req));

            svc.approve(req, fx.dm2.fingerprint(), Role.DATA_MANAGER);
            DestructionCertificate cert = svc.execute(req);
            assertEquals(List.of(fx.dm1.fingerprint(), fx.dm2.fingerprint()),
                    cert.statement().approvals().stream().map(DestructionCertificate.Approval::fingerprint).toList());
            assertThrows(ObjectDestroyedException.class, () -> store.read(o.id()));
        }
        AuditReport report = AuditVerifier.verify(fx.auditDir(), fx.site.caCertificate());
        assertTrue(report.ok(), report.problems().toString());
    }

    @Test
    void oneApprovalSufficesWithoutTheSecondPersonOption() {
        try (ObjectStore store = fx.openStore(); AuditLog audit = fx.openAudit()) {
            StoredObject o = store.put(StoredObjectKind.ORIGINAL, new byte[] {3}, ObjectMeta.of("ds"));
            DestructionService svc = service(store, audit, false);
            String req = svc.request(DestructionService.Scope.OBJECT, List.of(o.id()), fx.dm1.fingerprint());
            svc.approve(req, fx.dm1.fingerprint(), Role.DATA_MANAGER);
            assertThrows(LifecycleException.class, () -> svc.approve(req, fx.dm2.fingerprint(), Role.DATA_MANAGER),
                    "no more approvals than needed");
            assertEquals("object", svc.execute(req).statement().scope());
            assertThrows(ObjectDestroyedException.class, () -> store.read(o.id()));
        }
    }

    @Test
    void consentWithdrawalDestroysOnlyThePatientsDerivatives() {
        byte[] original = LifecycleFixture.marked("ORIG", 4_000, 5);
        try (ObjectStore store = fx.openStore(); AuditLog audit = fx.openAudit()) {
            StoredObject orig = store.put(StoredObjectKind.ORIGINAL, original, ObjectMeta.of("ds").withPatientKey("pk-w"));
            StoredObject d1 = store.put(StoredObjectKind.DERIVATIVE, new byte[] {1}, ObjectMeta.of("ds-deid").withParent(orig.id()));
            StoredObject d2 = store.put(StoredObjectKind.DERIVATIVE, new byte[] {2}, ObjectMeta.of("ds-deid").withParent(d1.id()));
            StoredObject other = store.put(StoredObjectKind.DERIVATIVE, new byte[] {3}, ObjectMeta.of("ds-deid"));
            DestructionService svc = service(store, audit, false);
            DestructionCertificate cert = svc.destroyDerivedForPurpose("pk-w", Purpose.RESEARCH, fx.dm1.fingerprint(),
                    List.of(new DestructionService.Approver(fx.dm2.fingerprint(), Role.DATA_MANAGER)));
            assertEquals(Set.of(d1.id(), d2.id()),
                    Set.copyOf(cert.statement().objects().stream().map(DestructionCertificate.DestroyedObject::id).toList()));
            assertTrue(cert.statement().method().description().contains("research"));
            assertArrayEquals(original, store.read(orig.id()));
            assertArrayEquals(new byte[] {3}, store.read(other.id()));
            assertThrows(ObjectDestroyedException.class, () -> store.read(d2.id()));
            assertEquals(StoredObject.State.DESTROYED, store.find(d1.id()).orElseThrow().state());
        }
        assertTrue(AuditVerifier.verify(fx.auditDir(), fx.site.caCertificate()).ok());
    }
}
