package org.medveil.site.admin;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.audit.AuditRecord;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.PeerVerifier;
import org.medveil.governance.pki.RevocationList;
import org.medveil.proto.siteadmin.*;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** The admin API over real gRPC, real mTLS on loopback, a real store and a real audit log. */
class SiteAdminServerTest {

    static final String PATIENT_1 = "PATSECRET-0001";
    static final String PATIENT_2 = "PATSECRET-0002";
    static final String CONSENTS = "patient_id,purposes,joint_modeling,valid_from,expires\n"
            + PATIENT_1 + ",research;teaching,yes,2020-01-01,\n"
            + "PATSECRET-0003,research,no,2020-01-01,2099-01-01\n";

    @TempDir
    Path tmp;
    AdminFixture fx;

    @BeforeEach
    void setUp() {
        fx = new AdminFixture(tmp, PATIENT_1, PATIENT_2);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private static ByteString utf8(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }

    /**
     * Who may call what, written from the standard's roles (governance README), not read from the
     * policy table: status for everyone; the index and the store check for data managers and
     * compliance officers; consent, labels and use decisions for data managers only.
     */
    private static final Map<String, Set<String>> MAY = Map.of(
            "status", Set.of("data-manager", "researcher", "compliance-officer", "project-admin"),
            "objects", Set.of("data-manager", "compliance-officer"),
            "consent-import", Set.of("data-manager"),
            "consent-list", Set.of("data-manager"),
            "consent-withdraw", Set.of("data-manager"),
            "labels-import", Set.of("data-manager"),
            "requests", Set.of("data-manager"),
            "approve", Set.of("data-manager"),
            "reject", Set.of("data-manager"),
            "verify", Set.of("data-manager", "compliance-officer"));

    private Map<String, Consumer<SiteAdminGrpc.SiteAdminBlockingStub>> calls(String role) {
        Map<String, Consumer<SiteAdminGrpc.SiteAdminBlockingStub>> m = new LinkedHashMap<>();
        m.put("status", s -> s.status(SiteStatusRequest.getDefaultInstance()));
        m.put("objects", s -> s.listObjects(ListObjectsRequest.getDefaultInstance()));
        m.put("consent-import", s -> s.importConsents(ImportConsentsRequest.newBuilder().setCsv(utf8(CONSENTS)).build()));
        m.put("consent-list", s -> s.listConsents(ListConsentsRequest.getDefaultInstance()));
        m.put("consent-withdraw", s -> s.withdrawConsent(WithdrawConsentRequest.newBuilder().setPatientId("PATSECRET-0003")
                .setPurpose("research").build()));
        m.put("labels-import", s -> s.importLabels(ImportLabelsRequest.newBuilder()
                .setCsv(utf8("sop_instance_uid,label\n" + AdminFixture.UID_1 + ",nodule\n")).build()));
        m.put("requests", s -> s.listUseRequests(ListUseRequestsRequest.getDefaultInstance()));
        m.put("approve", s -> s.approveUse(ApproveUseRequest.newBuilder().setJobId("a-" + role).build()));
        m.put("reject", s -> s.rejectUse(RejectUseRequest.newBuilder().setJobId("r-" + role).setReason("out of scope").build()));
        m.put("verify", s -> s.verifyStore(VerifyStoreRequest.getDefaultInstance()));
        return m;
    }

    @Test
    @Tag("REQ-USE-3")
    @Tag("REQ-STO-4")
    void everyRpcByEveryRoleIsDecidedByThePolicyAndAudited() {
        // consents exist before anyone withdraws (imported by the data manager, outside the matrix)
        try (SiteAdminClient c = fx.client(fx.dm)) {
            c.stub().importConsents(ImportConsentsRequest.newBuilder().setCsv(utf8(CONSENTS)).build());
        }
        for (Kit kit : List.of(fx.researcher, fx.compliance, fx.admin, fx.dm)) {
            String role = kit.identity().role().id();
            fx.job("a-" + role, "pending");
            fx.job("r-" + role, "pending");
            try (SiteAdminClient c = fx.client(kit)) {
                for (var call : calls(role).entrySet()) {
                    int before = fx.access().size();
                    boolean expected = MAY.get(call.getKey()).contains(role);
                    StatusRuntimeException refused = null;
                    try {
                        call.getValue().accept(c.stub());
                    } catch (StatusRuntimeException e) {
                        refused = e;
                    }
                    String cell = role + " x " + call.getKey();
                    if (expected) {
                        assertNull(refused, cell + " should be allowed, got " + refused);
                    } else {
                        assertNotNull(refused, cell + " should be refused");
                        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode(), cell);
                        assertTrue(refused.getStatus().getDescription().startsWith(role + " may not "),
                                cell + ": the refusal carries the policy's reason: " + refused.getStatus().getDescription());
                    }
                    List<AuditRecord> added = fx.access().subList(before, fx.access().size());
                    assertEquals(1, added.size(), cell + ": exactly one access record per decision");
                    AuditRecord r = added.get(0);
                    assertEquals(kit.fingerprint(), r.actor(), cell + ": actor is the caller's certificate");
                    assertEquals(role, r.fields().get("role"), cell);
                    assertEquals(expected ? "allow" : "deny", r.fields().get("decision"), cell);
                    assertTrue(r.fields().get("rule").startsWith(role + ":"), cell + ": rule id " + r.fields().get("rule"));
                }
            }
        }
        // the data manager's approve/reject really changed the jobs; nobody else's did
        try (SiteAdminClient c = fx.client(fx.dm)) {
            Map<String, String> states = c.stub().listUseRequests(ListUseRequestsRequest.getDefaultInstance())
                    .getRequestsList().stream().collect(Collectors.toMap(UseRequestEntry::getJobId, UseRequestEntry::getState));
            assertEquals("approved", states.get("a-data-manager"));
            assertEquals("rejected", states.get("r-data-manager"));
            assertEquals("pending", states.get("a-researcher"));
            assertEquals("pending", states.get("r-project-admin"));
        }
    }

    @Test
    @Tag("REQ-STO-4")
    void researcherSeesOnlyDerivativesItsApprovedUseMayRead() {
        fx.job("job-ok", "approved");
        fx.job("job-wait", "pending");
        try (SiteAdminClient c = fx.client(fx.dm)) {
            c.stub().importConsents(ImportConsentsRequest.newBuilder().setCsv(utf8(CONSENTS)).build());
        }
        try (SiteAdminClient c = fx.client(fx.researcher)) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> c.stub().listObjects(ListObjectsRequest.getDefaultInstance()));
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());

            int before = fx.access().size();
            ListObjectsResponse ok = c.stub().listObjects(ListObjectsRequest.newBuilder().setJobId("job-ok")
                    .setPurpose("research").build());
            // d1: grade 2, consent for research → visible. d2: biometric grade 3, d4: grade 4,
            // d1b: no consent → withheld. Originals are never considered.
            assertEquals(List.of(fx.d1), ok.getObjectsList().stream().map(ObjectEntry::getId).toList());
            assertEquals("", ok.getObjects(0).getParentId(), "a researcher does not learn the original's id");
            assertEquals(3, ok.getWithheld());
            List<AuditRecord> decisions = fx.access().subList(before, fx.access().size());
            assertEquals(4, decisions.size(), "one audited decision per derivative");
            Map<String, String> rule = decisions.stream().collect(Collectors.toMap(r -> r.fields().get("object"),
                    r -> r.fields().get("decision") + " " + r.fields().get("rule")));
            assertEquals("allow researcher:read-derivative", rule.get(fx.d1));
            assertEquals("deny researcher:read-derivative:not-biometric", rule.get(fx.d2));
            assertEquals("deny researcher:read-derivative:grade-4", rule.get(fx.d4));
            assertEquals("deny researcher:read-derivative:consent", rule.get(fx.d1b));

            ListObjectsResponse pending = c.stub().listObjects(ListObjectsRequest.newBuilder().setJobId("job-wait")
                    .setPurpose("research").build());
            assertEquals(0, pending.getObjectsCount(), "no approved use, nothing visible");
            ListObjectsResponse quality = c.stub().listObjects(ListObjectsRequest.newBuilder().setJobId("job-ok")
                    .setPurpose("quality-control").build());
            assertEquals(0, quality.getObjectsCount(), "no consent for that purpose, nothing visible");
        }
    }

    @Test
    // not tagged REQ-ACQ-3: the derived data is not destroyed yet (WithdrawalHandler is a no-op)
    void consentImportKeepsOnlyPseudonymsAndWithdrawalMakesDerivativesUnselectable() {
        fx.job("job-ok", "approved");
        try (SiteAdminClient c = fx.client(fx.dm)) {
            ImportConsentsResponse r = c.stub().importConsents(ImportConsentsRequest.newBuilder()
                    .setCsv(utf8(CONSENTS)).setFileName("consents.csv").build());
            assertEquals(2, r.getPatients());
            assertEquals(3, r.getAdded());
            List<ConsentEntry> list = c.stub().listConsents(ListConsentsRequest.getDefaultInstance()).getConsentsList();
            assertEquals(3, list.size());
            assertTrue(list.stream().allMatch(e -> e.getPatient().matches("[0-9a-f]{64}")), "pseudonyms only");
            assertTrue(list.stream().anyMatch(e -> e.getPatient().equals(fx.p1) && e.getPurpose().equals("research")
                    && e.getJointModeling() && e.getWithdrawnAt().isEmpty()));

            WithdrawConsentResponse w = c.stub().withdrawConsent(WithdrawConsentRequest.newBuilder()
                    .setPatientId(PATIENT_1).setPurpose("research").build());
            assertEquals(fx.p1, w.getPatient());
            assertEquals(3, w.getDerivatives(), "d1, d2 and d4 belong to patient 1");
            assertEquals(1, fx.withdrawals.size(), "the withdrawal handler was called once");
            assertEquals(Set.of(fx.d1, fx.d2, fx.d4), Set.copyOf(fx.withdrawals.get(0).derivatives()));
            assertEquals("research", fx.withdrawals.get(0).purpose());
            assertTrue(c.stub().listConsents(ListConsentsRequest.getDefaultInstance()).getConsentsList().stream()
                    .anyMatch(e -> e.getPatient().equals(fx.p1) && e.getPurpose().equals("research")
                            && !e.getWithdrawnAt().isEmpty()));
            assertTrue(c.stub().listConsents(ListConsentsRequest.getDefaultInstance()).getConsentsList().stream()
                    .anyMatch(e -> e.getPatient().equals(fx.p1) && e.getPurpose().equals("teaching")
                            && e.getWithdrawnAt().isEmpty()), "the other purpose stays in force");
            // a re-import of the same file does not revive the withdrawn consent
            c.stub().importConsents(ImportConsentsRequest.newBuilder().setCsv(utf8(CONSENTS)).build());
            assertTrue(c.stub().listConsents(ListConsentsRequest.getDefaultInstance()).getConsentsList().stream()
                    .anyMatch(e -> e.getPatient().equals(fx.p1) && e.getPurpose().equals("research")
                            && !e.getWithdrawnAt().isEmpty()));
        }
        try (SiteAdminClient c = fx.client(fx.researcher)) {
            assertEquals(0, c.stub().listObjects(ListObjectsRequest.newBuilder().setJobId("job-ok")
                    .setPurpose("research").build()).getObjectsCount(), "withdrawn: d1 no longer selectable");
            assertEquals(List.of(fx.d1), c.stub().listObjects(ListObjectsRequest.newBuilder().setJobId("job-ok")
                    .setPurpose("teaching").build()).getObjectsList().stream().map(ObjectEntry::getId).toList());
        }
        assertTrue(fx.records().stream().anyMatch(r -> r.type().equals("consent-withdrawal")
                && fx.p1.equals(r.fields().get("patient"))), "the withdrawal is audited by pseudonym");
        fx.audit.checkpoint();
        for (String id : List.of(PATIENT_1, "PATSECRET-0003", "PATSECRET")) {
            assertEquals(List.of(), AdminFixture.filesContaining(tmp.resolve("data"), id), "patient ID under the data folder");
            assertEquals(List.of(), AdminFixture.filesContaining(tmp.resolve("audit"), id), "patient ID in the audit trail");
            assertEquals(List.of(), AdminFixture.filesContaining(tmp.resolve("keys"), id), "patient ID in the key folder");
        }
    }

    @Test
    void badConsentFileIsRefusedWithoutEchoingCells() {
        try (SiteAdminClient c = fx.client(fx.dm)) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> c.stub().importConsents(
                    ImportConsentsRequest.newBuilder().setFileName("consents.csv").setCsv(utf8(
                            "patient_id,purposes,joint_modeling,valid_from,expires\nPATSECRET-0009,dancing,yes,2020-01-01,\n"))
                            .build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("consents.csv:2"), e.getStatus().getDescription());
            assertFalse(e.getStatus().getDescription().contains("PATSECRET"), e.getStatus().getDescription());
            assertEquals(0, c.stub().listConsents(ListConsentsRequest.getDefaultInstance()).getConsentsCount());
        }
    }

    @Test
    void labelsByUidAndByAccessionGoToOriginalAndDerivatives() {
        try (SiteAdminClient c = fx.client(fx.dm)) {
            ImportLabelsResponse byUid = c.stub().importLabels(ImportLabelsRequest.newBuilder().setCsv(utf8(
                    "sop_instance_uid,label\n" + AdminFixture.UID_1 + ",nodule\n1.2.3.999,normal\n")).build());
            assertEquals(2, byUid.getRows());
            assertEquals(1, byUid.getMatched());
            assertEquals(1, byUid.getUnmatched());
            assertEquals(2, byUid.getLabelledObjects(), "the original and its derivative");
            ImportLabelsResponse byAcc = c.stub().importLabels(ImportLabelsRequest.newBuilder().setCsv(utf8(
                    "accession_number,label\n" + AdminFixture.ACC_2 + ",benign\n")).build());
            assertEquals(1, byAcc.getMatched());
            assertEquals(0, byAcc.getUnmatched());
            Map<String, List<String>> labels = c.stub().listObjects(ListObjectsRequest.getDefaultInstance())
                    .getObjectsList().stream().collect(Collectors.toMap(ObjectEntry::getId, ObjectEntry::getLabelsList));
            assertEquals(List.of("nodule"), labels.get(fx.o1));
            assertEquals(List.of("nodule"), labels.get(fx.d1));
            assertEquals(List.of("benign"), labels.get(fx.o2));
            assertEquals(List.of("benign"), labels.get(fx.d2));
            assertEquals(List.of(), labels.get(fx.o4));

            StatusRuntimeException bad = assertThrows(StatusRuntimeException.class, () -> c.stub().importLabels(
                    ImportLabelsRequest.newBuilder().setFileName("labels.csv").setCsv(utf8(
                            "sop_instance_uid,label\n\n" + AdminFixture.UID_1 + ",Patient John Doe born 1950/01/01!\n")).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
            assertTrue(bad.getStatus().getDescription().startsWith("labels.csv:3: label must be"),
                    bad.getStatus().getDescription());
            assertFalse(bad.getStatus().getDescription().contains(AdminFixture.UID_1));
            assertFalse(bad.getStatus().getDescription().contains("John"));
        }
        for (String v : List.of(AdminFixture.UID_1, AdminFixture.ACC_2)) {
            assertEquals(List.of(), AdminFixture.filesContaining(tmp.resolve("data"), v));
            assertEquals(List.of(), AdminFixture.filesContaining(tmp.resolve("audit"), v));
        }
    }

    @Test
    @Tag("REQ-STO-2")
    void verifyNamesAFlippedObject() throws Exception {
        try (SiteAdminClient c = fx.client(fx.compliance)) {
            assertTrue(c.stub().verifyStore(VerifyStoreRequest.getDefaultInstance()).getOk());
            try (RandomAccessFile f = new RandomAccessFile(fx.store.pathOf(fx.d1).toFile(), "rw")) {
                f.seek(f.length() - 20);
                int b = f.read();
                f.seek(f.length() - 20);
                f.write(b ^ 0x01);
            }
            VerifyStoreResponse r = c.stub().verifyStore(VerifyStoreRequest.getDefaultInstance());
            assertFalse(r.getOk());
            assertEquals(1, r.getFindingsCount());
            assertEquals("altered", r.getFindings(0).getKind());
            assertEquals(fx.d1, r.getFindings(0).getObjectId());
        }
        assertTrue(fx.records().stream().anyMatch(r -> r.type().equals("store-verify") && "false".equals(r.fields().get("ok"))));
    }

    @Test
    void approveIsFinalAndUnknownJobsAreNamed() {
        fx.job("job-1", "pending");
        try (SiteAdminClient c = fx.client(fx.dm)) {
            UseRequestEntry e = c.stub().approveUse(ApproveUseRequest.newBuilder().setJobId("job-1").build()).getRequest();
            assertEquals("approved", e.getState());
            assertTrue(e.getDecidedBy().startsWith("dana sha256:"));
            StatusRuntimeException again = assertThrows(StatusRuntimeException.class,
                    () -> c.stub().rejectUse(RejectUseRequest.newBuilder().setJobId("job-1").setReason("no").build()));
            assertEquals(Status.Code.FAILED_PRECONDITION, again.getStatus().getCode());
            StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                    () -> c.stub().approveUse(ApproveUseRequest.newBuilder().setJobId("job-404").build()));
            assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
            assertTrue(unknown.getStatus().getDescription().contains("job-404"));
        }
        assertTrue(fx.records().stream().anyMatch(r -> r.type().equals("use-approval") && "job-1".equals(r.fields().get("job"))));
    }

    @Test
    @Tag("REQ-USE-3")
    void foreignCaClientIsRefusedInTheHandshakeAndNothingIsDone() {
        int before = fx.records().size();
        try (SiteAdminClient c = fx.client(fx.foreign)) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> c.stub().listConsents(ListConsentsRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        }
        assertEquals(before, fx.records().size(), "no call reached the service");
    }

    @Test
    @Tag("REQ-USE-3")
    void siteKitAsClientIsRefused() {
        int before = fx.records().size();
        Clock clock = Clock.systemUTC();
        PeerVerifier v = new PeerVerifier(fx.site.caCertificate(), "proj", RevocationList.of(fx.site, clock,
                java.time.Duration.ZERO), clock);
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", fx.server.port())
                .sslContext(AdminTls.client(fx.site, v)).build();
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> SiteAdminGrpc.newBlockingStub(ch).status(SiteStatusRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        } finally {
            ch.shutdownNow();
        }
        assertEquals(before, fx.records().size());
        assertThrows(org.medveil.governance.pki.PkiException.class, () -> fx.client(fx.site),
                "the client refuses a site kit before dialling");
    }

    @Test
    void statusSaysWhoTheCallerIs() {
        try (SiteAdminClient c = fx.client(fx.admin)) {
            SiteStatusResponse s = c.stub().status(SiteStatusRequest.getDefaultInstance());
            assertEquals("hospital-a", s.getSite());
            assertEquals("project-admin", s.getCallerRole());
            assertEquals(3, s.getOriginals());
            assertEquals(4, s.getDerivatives());
        }
    }
}
