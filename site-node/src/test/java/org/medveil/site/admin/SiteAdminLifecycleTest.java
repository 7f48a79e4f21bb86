package org.medveil.site.admin;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.audit.AuditRecord;
import org.medveil.governance.audit.AuditReport;
import org.medveil.governance.audit.AuditVerifier;
import org.medveil.governance.audit.DestructionCertificate;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.policy.AccessPolicy;
import org.medveil.governance.policy.PolicyOptions;
import org.medveil.proto.siteadmin.*;
import org.medveil.site.lifecycle.Backups;
import org.medveil.site.store.ObjectDestroyedException;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.StoredObjectKind;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Backups, archives, destruction and consent withdrawal through the admin API: real gRPC and mTLS
 * on loopback with provisioned user kits, a real store, audit log and key folder.
 */
class SiteAdminLifecycleTest {

    static final String PATIENT_1 = "PATSECRET-0001";
    static final String PATIENT_2 = "PATSECRET-0002";

    @TempDir
    Path tmp;
    AdminFixture fx;

    private AdminFixture site(boolean secondPerson) {
        fx = new AdminFixture(tmp, PATIENT_1, PATIENT_2,
                new AccessPolicy(new PolicyOptions(secondPerson, Duration.ofMinutes(1))), true);
        return fx;
    }

    @AfterEach
    void tearDown() {
        if (fx != null) {
            fx.close();
        }
    }

    /** Written from the standard's roles: the life cycle is the data manager's; compliance may see the archive list. */
    private static final Map<String, Set<String>> MAY = Map.of(
            "backup", Set.of("data-manager"),
            "verify-backup", Set.of("data-manager"),
            "archive", Set.of("data-manager"),
            "list-archives", Set.of("data-manager", "compliance-officer"),
            "restore-archive", Set.of("data-manager"),
            "request-destruction", Set.of("data-manager"),
            "approve-destruction", Set.of("data-manager"),
            "execute-destruction", Set.of("data-manager"),
            "list-destructions", Set.of("data-manager"));

    @Test
    @Tag("REQ-USE-3")
    @Tag("REQ-STO-4")
    void everyLifecycleRpcByEveryRoleIsDecidedAndAudited() {
        site(false);
        String set;
        String archive;
        Map<String, String> requests = new LinkedHashMap<>();
        String archivedObject = fx.put(StoredObjectKind.DERIVATIVE, null, "clinical-structural", 2, fx.p2);
        try (SiteAdminClient c = fx.client(fx.dm)) {
            set = c.stub().backup(BackupRequest.newBuilder().setDestination(tmp.resolve("backups").toString()).build()).getPath();
            fx.sql("UPDATE objects SET dataset = 'old-ds' WHERE id = ?", archivedObject);
            archive = c.stub().archive(ArchiveRequest.newBuilder().setOlderThanDays(0).setDataset("old-ds").build()).getArchiveId();
            assertFalse(archive.isEmpty());
            for (Kit k : List.of(fx.researcher, fx.compliance, fx.admin, fx.dm)) {
                String victim = fx.put(StoredObjectKind.DERIVATIVE, null, "clinical-structural", 1, fx.p2);
                requests.put(k.identity().role().id(), c.stub().requestDestruction(RequestDestructionRequest.newBuilder()
                        .setObjects(ObjectIds.newBuilder().addIds(victim)).build()).getRequest().getId());
            }
        }
        for (Kit kit : List.of(fx.researcher, fx.compliance, fx.admin, fx.dm)) {
            String role = kit.identity().role().id();
            String req = requests.get(role);
            Map<String, Consumer<SiteAdminGrpc.SiteAdminBlockingStub>> calls = new LinkedHashMap<>();
            calls.put("backup", s -> s.backup(BackupRequest.newBuilder().setDestination(tmp.resolve("b-" + role).toString()).build()));
            calls.put("verify-backup", s -> assertTrue(s.verifyBackup(VerifyBackupRequest.newBuilder().setSet(set).build()).getOk()));
            calls.put("archive", s -> s.archive(ArchiveRequest.newBuilder().setOlderThanDays(0).setDataset("no-such-ds").build()));
            calls.put("list-archives", s -> assertEquals(archive, s.listArchives(ListArchivesRequest.getDefaultInstance())
                    .getArchives(0).getArchiveId()));
            calls.put("restore-archive", s -> assertEquals(List.of(archivedObject), s.restoreArchive(
                    RestoreArchiveRequest.newBuilder().setArchiveId(archive).build()).getRestoredList()));
            calls.put("request-destruction", s -> s.requestDestruction(RequestDestructionRequest.newBuilder()
                    .setDataset("ds-" + role).build()));
            calls.put("approve-destruction", s -> s.approveDestruction(ApproveDestructionRequest.newBuilder().setRequestId(req).build()));
            calls.put("execute-destruction", s -> assertEquals(1, s.executeDestruction(ExecuteDestructionRequest.newBuilder()
                    .setRequestId(req).build()).getObjects()));
            calls.put("list-destructions", s -> s.listDestructionRequests(ListDestructionRequestsRequest.getDefaultInstance()));
            try (SiteAdminClient c = fx.client(kit)) {
                for (var call : calls.entrySet()) {
                    String cell = role + " x " + call.getKey();
                    int before = fx.access().size();
                    boolean expected = MAY.get(call.getKey()).contains(role);
                    StatusRuntimeException refused = null;
                    try {
                        call.getValue().accept(c.stub());
                    } catch (StatusRuntimeException e) {
                        refused = e;
                    }
                    if (expected) {
                        assertNull(refused, cell + " should be allowed, got " + refused);
                    } else {
                        assertNotNull(refused, cell + " should be refused");
                        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode(), cell);
                        assertTrue(refused.getStatus().getDescription().startsWith(role + " may not "),
                                cell + ": " + refused.getStatus().getDescription());
                    }
                    List<AuditRecord> added = fx.access().subList(before, fx.access().size());
                    assertEquals(1, added.size(), cell + ": exactly one access record per call");
                    AuditRecord r = added.get(0);
                    assertEquals(kit.fingerprint(), r.actor(), cell);
                    assertEquals(role, r.fields().get("role"), cell);
                    assertEquals(expected ? "allow" : "deny", r.fields().get("decision"), cell);
                }
            }
        }
        // what the data manager did left its own records; refused callers changed nothing
        List<String> types = fx.records().stream().map(AuditRecord::type).toList();
        for (String t : List.of("backup", "backup-verify", "archive", "restore-archive", "destruction-request",
                "approval", "destruction")) {
            assertTrue(types.contains(t), t + " recorded: " + types);
        }
        try (SiteAdminClient c = fx.client(fx.dm)) {
            Map<String, String> states = new LinkedHashMap<>();
            c.stub().listDestructionRequests(ListDestructionRequestsRequest.getDefaultInstance()).getRequestsList()
                    .forEach(e -> states.put(e.getId(), e.getState()));
            assertEquals("executed", states.get(requests.get("data-manager")));
            assertEquals("pending", states.get(requests.get("researcher")));
        }
    }

    @Test
    @Tag("REQ-DEL-2")
    @Tag("REQ-DEL-6")
    void twoDataManagersDestroyAPatientEveryCopyAndTheCertificateVerifies() throws Exception {
        site(true);
        Backups.BackupSet before;
        String req;
        ExecuteDestructionResponse done;
        try (SiteAdminClient dana = fx.client(fx.dm); SiteAdminClient dora = fx.client(fx.dm2);
             SiteAdminClient rita = fx.client(fx.researcher)) {
            BackupResponse b = dana.stub().backup(BackupRequest.newBuilder().setDestination(tmp.resolve("backups").toString()).build());
            assertEquals(7, b.getObjects());
            assertTrue(b.getBytes() > 0);
            before = new Backups.BackupSet(Path.of(b.getPath()), b.getSetId(), null, b.getObjects(), Map.of());

            DestructionRequestEntry e = dana.stub().requestDestruction(RequestDestructionRequest.newBuilder()
                    .setPatientId(PATIENT_1).build()).getRequest();
            req = e.getId();
            assertEquals("patient", e.getScope());
            assertEquals(fx.p1, e.getSubject(), "the request names the pseudonym");
            assertEquals(2, e.getApprovalsNeeded());
            dana.stub().approveDestruction(ApproveDestructionRequest.newBuilder().setRequestId(req).build());

            StatusRuntimeException one = assertThrows(StatusRuntimeException.class, () -> dana.stub()
                    .executeDestruction(ExecuteDestructionRequest.newBuilder().setRequestId(req).build()));
            assertEquals(Status.Code.PERMISSION_DENIED, one.getStatus().getCode(), one.toString());
            assertTrue(one.getStatus().getDescription().contains("second data manager"), one.getStatus().getDescription());
            StatusRuntimeException twice = assertThrows(StatusRuntimeException.class, () -> dana.stub()
                    .approveDestruction(ApproveDestructionRequest.newBuilder().setRequestId(req).build()));
            assertTrue(twice.getStatus().getDescription().contains("already approved"), twice.getStatus().getDescription());
            assertDoesNotThrow(() -> fx.store.read(fx.o1), "nothing destroyed with one approval");

            DestructionRequestEntry approved = dora.stub().approveDestruction(ApproveDestructionRequest.newBuilder()
                    .setRequestId(req).build()).getRequest();
            assertEquals(List.of("data-manager sha256:" + fx.dm.fingerprint(), "data-manager sha256:" + fx.dm2.fingerprint()),
                    approved.getApprovedByList(), "approvers are the callers' certificates");
            StatusRuntimeException researcher = assertThrows(StatusRuntimeException.class, () -> rita.stub()
                    .executeDestruction(ExecuteDestructionRequest.newBuilder().setRequestId(req).build()));
            assertEquals(Status.Code.PERMISSION_DENIED, researcher.getStatus().getCode());

            done = dora.stub().executeDestruction(ExecuteDestructionRequest.newBuilder().setRequestId(req).build());
        }
        assertEquals(6, done.getObjects(), "the patient's three originals and three derivatives");
        assertEquals(6, done.getDataKeysDestroyed());
        for (String id : List.of(fx.o1, fx.d1, fx.o2, fx.d2, fx.o4, fx.d4)) {
            assertThrows(ObjectDestroyedException.class, () -> fx.store.read(id), id);
            assertFalse(Files.exists(fx.store.pathOf(id)), id);
        }
        assertDoesNotThrow(() -> fx.store.read(fx.d1b), "the other patient's object stays");
        Path certFile = Path.of(done.getCertificatePath());
        DestructionCertificate cert = DestructionCertificate.read(certFile);
        cert.verify(fx.site.caCertificate());
        assertEquals(Set.of(fx.dm.fingerprint(), fx.dm2.fingerprint()),
                Set.copyOf(cert.statement().approvals().stream().map(DestructionCertificate.Approval::fingerprint).toList()));
        // the backup made before: restored with the same key folder, the objects stay unreadable
        Path restored = tmp.resolve("restored-data");
        Backups.RestoreResult rr = Backups.restore(before.dir(), restored, fx.keystore, null);
        assertEquals(6, rr.destroyedSinceBackup().size());
        try (ObjectStore copy = ObjectStore.open(restored, fx.keystore)) {
            for (String id : List.of(fx.o1, fx.d1, fx.o2, fx.d2, fx.o4, fx.d4)) {
                assertThrows(ObjectDestroyedException.class, () -> copy.read(id), id);
            }
        }
        fx.close();
        AuditReport report = AuditVerifier.verify(tmp.resolve("audit"), fx.site.caCertificate());
        assertTrue(report.ok(), report.problems().toString());
        assertEquals(List.of(), AdminFixture.filesContaining(tmp, PATIENT_1), "the patient ID is stored nowhere");
    }

    @Test
    @Tag("REQ-ACQ-3")
    @Tag("REQ-DEL-2")
    void withdrawalDestroysThePatientsDerivativesAtOnceWithOneApproval() throws Exception {
        site(false);
        String csv = "patient_id,purposes,joint_modeling,valid_from,expires\n" + PATIENT_1 + ",research,yes,2020-01-01,\n";
        WithdrawConsentResponse w;
        try (SiteAdminClient c = fx.client(fx.dm)) {
            c.stub().importConsents(ImportConsentsRequest.newBuilder().setCsv(ByteString.copyFrom(csv, StandardCharsets.UTF_8)).build());
            w = c.stub().withdrawConsent(WithdrawConsentRequest.newBuilder().setPatientId(PATIENT_1).setPurpose("research").build());
        }
        assertEquals(3, w.getDerivatives());
        assertEquals(3, w.getDestroyed());
        assertFalse(w.getCertificate().isEmpty());
        for (String id : List.of(fx.d1, fx.d2, fx.d4)) {
            assertThrows(ObjectDestroyedException.class, () -> fx.store.read(id), id);
        }
        for (String id : List.of(fx.o1, fx.o2, fx.o4, fx.d1b)) {
            assertDoesNotThrow(() -> fx.store.read(id), "originals and other patients stay: " + id);
        }
        DestructionCertificate cert = DestructionCertificate.read(Path.of(w.getCertificatePath()));
        cert.verify(fx.site.caCertificate());
        assertEquals(fx.dm.fingerprint(), cert.statement().approvals().get(0).fingerprint(),
                "the withdrawing data manager is the approver");
        List<String> types = fx.records().stream().map(AuditRecord::type).toList();
        assertTrue(types.indexOf("consent-withdrawal") < types.indexOf("destruction"), types.toString());
        fx.close();
        AuditReport report = AuditVerifier.verify(tmp.resolve("audit"), fx.site.caCertificate());
        assertTrue(report.ok(), report.problems().toString());
    }

    @Test
    @Tag("REQ-ACQ-3")
    void withdrawalWithSecondPersonWaitsForAnotherDataManager() {
        site(true);
        String csv = "patient_id,purposes,joint_modeling,valid_from,expires\n" + PATIENT_1 + ",research,yes,2020-01-01,\n";
        try (SiteAdminClient dana = fx.client(fx.dm); SiteAdminClient dora = fx.client(fx.dm2)) {
            dana.stub().importConsents(ImportConsentsRequest.newBuilder().setCsv(ByteString.copyFrom(csv, StandardCharsets.UTF_8)).build());
            WithdrawConsentResponse w = dana.stub().withdrawConsent(WithdrawConsentRequest.newBuilder()
                    .setPatientId(PATIENT_1).setPurpose("research").build());
            assertFalse(w.getDestructionRequest().isEmpty());
            assertTrue(w.getCertificate().isEmpty(), "waits for the second person");
            assertDoesNotThrow(() -> fx.store.read(fx.d1));
            StatusRuntimeException self = assertThrows(StatusRuntimeException.class, () -> dana.stub()
                    .approveDestruction(ApproveDestructionRequest.newBuilder().setRequestId(w.getDestructionRequest()).build()));
            assertTrue(self.getStatus().getDescription().contains("already approved"));
            dora.stub().approveDestruction(ApproveDestructionRequest.newBuilder().setRequestId(w.getDestructionRequest()).build());
            ExecuteDestructionResponse done = dora.stub().executeDestruction(ExecuteDestructionRequest.newBuilder()
                    .setRequestId(w.getDestructionRequest()).build());
            assertEquals(3, done.getObjects());
        }
        for (String id : List.of(fx.d1, fx.d2, fx.d4)) {
            assertThrows(ObjectDestroyedException.class, () -> fx.store.read(id), id);
        }
        assertDoesNotThrow(() -> fx.store.read(fx.o1));
    }

    @Test
    void badInputIsNamedAndNothingHappens() {
        site(false);
        try (SiteAdminClient c = fx.client(fx.dm)) {
            StatusRuntimeException rel = assertThrows(StatusRuntimeException.class, () -> c.stub()
                    .backup(BackupRequest.newBuilder().setDestination("relative/dir").build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, rel.getStatus().getCode());
            StatusRuntimeException inside = assertThrows(StatusRuntimeException.class, () -> c.stub()
                    .backup(BackupRequest.newBuilder().setDestination(tmp.resolve("data/bk").toString()).build()));
            assertTrue(inside.getStatus().getDescription().contains("inside the data or key folder"));
            StatusRuntimeException none = assertThrows(StatusRuntimeException.class, () -> c.stub()
                    .executeDestruction(ExecuteDestructionRequest.newBuilder().setRequestId("del-0000000000000000").build()));
            assertEquals(Status.Code.FAILED_PRECONDITION, none.getStatus().getCode());
            StatusRuntimeException unknownObj = assertThrows(StatusRuntimeException.class, () -> c.stub()
                    .requestDestruction(RequestDestructionRequest.newBuilder().setObjects(ObjectIds.newBuilder().addIds("ffff")).build()));
            assertTrue(unknownObj.getStatus().getDescription().contains("no object ffff"));
        }
    }
}
