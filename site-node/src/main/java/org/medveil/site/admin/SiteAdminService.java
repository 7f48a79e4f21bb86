package org.medveil.site.admin;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.classify.ImagingCategory;
import org.medveil.governance.consent.ConsentCsv;
import org.medveil.governance.consent.ConsentDecision;
import org.medveil.governance.consent.ConsentImportException;
import org.medveil.governance.consent.ConsentRecord;
import org.medveil.governance.consent.ConsentRules;
import org.medveil.governance.consent.PatientPseudonym;
import org.medveil.governance.consent.PatientPseudonymizer;
import org.medveil.governance.consent.Purpose;
import org.medveil.governance.grade.SensitivityLevel;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.policy.AccessPolicy;
import org.medveil.governance.policy.AccessRequest;
import org.medveil.governance.policy.Decision;
import org.medveil.governance.policy.Operation;
import org.medveil.proto.BuildInfo;
import org.medveil.proto.siteadmin.*;
import org.medveil.governance.audit.DestructionCertificate;
import org.medveil.governance.policy.Approval;
import org.medveil.site.lifecycle.ArchivePolicy;
import org.medveil.site.lifecycle.Archiver;
import org.medveil.site.lifecycle.Backups;
import org.medveil.site.lifecycle.DestructionService;
import org.medveil.site.lifecycle.LifecycleException;
import org.medveil.site.store.ConsentRegistry;
import org.medveil.site.store.LookupKeys;
import org.medveil.site.store.ObjectFilter;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.SiteIndex;
import org.medveil.site.store.SiteKeystore;
import org.medveil.site.store.StoreVerifier;
import org.medveil.site.store.StoredObject;
import org.medveil.site.store.StoredObjectKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.stream.Stream;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The admin RPCs. Each one: the caller from the certificate ({@link AdminCaller}) → an
 * {@link AccessRequest} → {@link AccessPolicy#decide} → an {@code access} audit record (actor =
 * certificate fingerprint; role, operation, decision, rule, reason, and object ids or pseudonyms
 * only) → the work, or PERMISSION_DENIED with the decision's reason. Results that change the site
 * (imports, withdrawals, approvals) get a second audit record with their counts.
 */
final class SiteAdminService extends SiteAdminGrpc.SiteAdminImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(SiteAdminService.class);
    static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Kit site;
    private final ObjectStore store;
    private final SiteIndex index;
    private final SiteKeystore keystore;
    private final AuditLog audit;
    private final AccessPolicy policy;
    private final Clock clock;
    private final ConsentRegistry consents;
    private final ConsentRules rules;
    private final WithdrawalHandler withdrawals;
    private final AdminLifecycle lifecycle;   // null: backups, archives and destruction are not served

    SiteAdminService(Kit site, ObjectStore store, SiteKeystore keystore, AuditLog audit, AccessPolicy policy,
                     Clock clock, WithdrawalHandler withdrawals, AdminLifecycle lifecycle) {
        this.site = site;
        this.store = store;
        this.index = store.index();
        this.keystore = keystore;
        this.audit = audit;
        this.policy = policy;
        this.clock = clock;
        this.consents = new ConsentRegistry(index);
        this.rules = new ConsentRules(clock.getZone());
        this.withdrawals = withdrawals;
        this.lifecycle = lifecycle;
    }

    // ------------------------------------------------------------ the decision step

    /** Decides a site-level operation, audits it, and throws PERMISSION_DENIED when refused. */
    private AdminCaller authorize(Operation op, Map<String, String> fields) {
        AdminCaller caller = AdminCaller.current();
        Decision d = policy.decide(AccessRequest.site(caller.identity().name(), caller.identity().role(), op,
                clock.instant()).build());
        record(caller, op, d, fields);
        if (!d.allowed()) {
            throw Status.PERMISSION_DENIED.withDescription(d.reason()).asRuntimeException();
        }
        return caller;
    }

    private void record(AdminCaller caller, Operation op, Decision d, Map<String, String> extra) {
        Map<String, String> f = new LinkedHashMap<>(extra);
        f.put("role", caller.identity().role().id());
        f.put("operation", op.id());
        f.put("decision", d.allowed() ? "allow" : "deny");
        f.put("rule", d.ruleId());
        f.put("reason", d.reason());
        audit.append("access", caller.fingerprint(), f);
    }

    /** Runs one RPC: maps known failures to a status with a message fit for the operator. */
    private <T> void run(StreamObserver<T> out, Supplier<T> work) {
        T result;
        try {
            result = work.get();
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        } catch (LifecycleException e) {
            out.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (IllegalArgumentException | ConsentImportException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (RuntimeException e) {
            LOG.error("admin RPC failed: {}", e.toString());
            out.onError(Status.INTERNAL.withDescription("the site node failed: " + e.getMessage()
                    + "; see its log").asRuntimeException());
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }

    // ------------------------------------------------------------ RPCs

    @Override
    public void status(SiteStatusRequest req, StreamObserver<SiteStatusResponse> out) {
        run(out, () -> {
            AdminCaller caller = authorize(Operation.VIEW_STATUS, Map.of());
            Map<String, Long> counts = index.read(c -> {
                Map<String, Long> m = new HashMap<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT kind, state, COUNT(*) FROM objects GROUP BY kind, state");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        m.merge(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3), Long::sum);
                    }
                }
                m.put("consents", scalar(c, "SELECT COUNT(*) FROM consents"));
                m.put("pending", scalar(c, "SELECT COUNT(*) FROM jobs WHERE state = 'pending'"));
                return m;
            });
            return SiteStatusResponse.newBuilder()
                    .setSite(site.identity().name()).setProject(site.identity().project())
                    .setSoftwareVersion(BuildInfo.current().version()).setCipherSuite(store.suite().configName())
                    .setSchemaVersion(index.schemaVersion())
                    .setOriginals(counts.getOrDefault("original/active", 0L))
                    .setDerivatives(counts.getOrDefault("derivative/active", 0L))
                    .setArchived(counts.getOrDefault("original/archived", 0L) + counts.getOrDefault("derivative/archived", 0L))
                    .setDestroyed(counts.getOrDefault("original/destroyed", 0L) + counts.getOrDefault("derivative/destroyed", 0L))
                    .setConsents(counts.get("consents")).setPendingUseRequests(counts.get("pending"))
                    .setCaller(caller.identity().name()).setCallerRole(caller.identity().role().id())
                    .build();
        });
    }

    @Override
    public void listObjects(ListObjectsRequest req, StreamObserver<ListObjectsResponse> out) {
        run(out, () -> {
            AdminCaller caller = AdminCaller.current();
            Decision d = policy.decide(AccessRequest.site(caller.identity().name(), caller.identity().role(),
                    Operation.LIST_OBJECTS, clock.instant()).build());
            if (d.allowed() || req.getJobId().isEmpty()) {
                record(caller, Operation.LIST_OBJECTS, d, Map.of());
                if (!d.allowed()) {
                    throw Status.PERMISSION_DENIED.withDescription(d.reason() + " (a researcher lists the derivatives"
                            + " an approved use may read: give its job id and purpose)").asRuntimeException();
                }
                ListObjectsResponse.Builder b = ListObjectsResponse.newBuilder();
                Map<String, List<String>> labels = labels();
                for (StoredObject o : store.list(ObjectFilter.all())) {
                    b.addObjects(entry(o, labels, true));
                }
                return b.build();
            }
            return listForUse(caller, req);
        });
    }

    /**
     * A caller without list-objects (a researcher) under a job: each active derivative is decided
     * as read-derivative with the job's approval and a fresh consent decision for the purpose;
     * every decision is audited; originals are never considered.
     */
    private ListObjectsResponse listForUse(AdminCaller caller, ListObjectsRequest req) {
        String job = checkJob(req.getJobId());
        Purpose purpose = purpose(req.getPurpose());
        boolean approved = "approved".equals(jobState(job).orElse(null));
        Map<String, List<String>> labels = labels();
        ListObjectsResponse.Builder b = ListObjectsResponse.newBuilder();
        int withheld = 0;
        Map<String, StoredObject> byId = new HashMap<>();
        List<StoredObject> all = store.list(ObjectFilter.all());
        all.forEach(o -> byId.put(o.id(), o));
        for (StoredObject o : all) {
            if (o.kind() != StoredObjectKind.DERIVATIVE || o.state() != StoredObject.State.ACTIVE) {
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("object", o.id());
            fields.put("job", job);
            fields.put("purpose", purpose.id());
            SensitivityLevel grade = o.meta().grade() == null ? null : SensitivityLevel.of(o.meta().grade());
            ImagingCategory category = category(o.meta().category());
            if (grade == null || category == null) {
                withheld++; // not classified: never selectable, no policy cell applies
                continue;
            }
            String patientKey = o.meta().patientKey() != null ? o.meta().patientKey()
                    : Optional.ofNullable(o.meta().parentId()).map(byId::get).map(p -> p.meta().patientKey()).orElse(null);
            Instant now = clock.instant();
            ConsentRecord consent = patientKey == null ? null
                    : consents.find(new PatientPseudonym(patientKey), purpose).map(ConsentRegistry.Entry::record).orElse(null);
            ConsentDecision cd = rules.permits(consent, purpose, false, now);
            Decision d = policy.decide(AccessRequest.object(caller.identity().name(), caller.identity().role(),
                    Operation.READ_DERIVATIVE, grade, category, false, now)
                    .purpose(purpose).consent(cd).approvedUse(approved).build());
            record(caller, Operation.READ_DERIVATIVE, d, fields);
            if (d.allowed()) {
                b.addObjects(entry(o, labels, false));
            } else {
                withheld++;
            }
        }
        return b.setWithheld(withheld).build();
    }

    @Override
    public void importConsents(ImportConsentsRequest req, StreamObserver<ImportConsentsResponse> out) {
        run(out, () -> {
            AdminCaller caller = authorize(Operation.MANAGE_CONSENT, Map.of("action", "import"));
            String name = req.getFileName().isBlank() ? "consent CSV" : req.getFileName();
            List<ConsentRecord> records;
            try {
                records = new ConsentCsv(pseudonymizer(), clock.getZone())
                        .read(new ByteArrayInputStream(req.getCsv().toByteArray()), name);
            } catch (IOException e) {
                throw new IllegalArgumentException(name + ": cannot read: " + e.getMessage());
            }
            ConsentRegistry.ImportResult r = consents.importAll(records);
            audit.append("consent-import", caller.fingerprint(), Map.of("patients", Integer.toString(r.patients()),
                    "added", Integer.toString(r.added()), "updated", Integer.toString(r.updated()),
                    "withdrawn", Integer.toString(r.withdrawn())));
            return ImportConsentsResponse.newBuilder().setPatients(r.patients()).setAdded(r.added())
                    .setUpdated(r.updated()).setWithdrawn(r.withdrawn()).build();
        });
    }

    @Override
    public void listConsents(ListConsentsRequest req, StreamObserver<ListConsentsResponse> out) {
        run(out, () -> {
            authorize(Operation.MANAGE_CONSENT, Map.of("action", "list"));
            ListConsentsResponse.Builder b = ListConsentsResponse.newBuilder();
            for (ConsentRegistry.Entry e : consents.list()) {
                b.addConsents(ConsentEntry.newBuilder().setPatient(e.patient().hex()).setPurpose(e.purpose().id())
                        .setJointModeling(e.jointModeling()).setValidFrom(e.validFrom().toString())
                        .setExpires(e.expires() == null ? "" : e.expires().toString())
                        .setWithdrawnAt(e.withdrawnAt() == null ? "" : e.withdrawnAt().toString()));
            }
            return b.build();
        });
    }

    @Override
    public void withdrawConsent(WithdrawConsentRequest req, StreamObserver<WithdrawConsentResponse> out) {
        run(out, () -> {
            if (req.getPatientId().isBlank()) {
                throw new IllegalArgumentException("give the patient ID whose consent is withdrawn");
            }
            Purpose purpose = purpose(req.getPurpose());
            PatientPseudonym patient = pseudonymizer().pseudonym(req.getPatientId());
            AdminCaller caller = authorize(Operation.MANAGE_CONSENT, Map.of("action", "withdraw",
                    "patient", patient.hex(), "purpose", purpose.id()));
            ConsentRegistry.Entry e = consents.withdraw(patient, purpose, clock.instant()).orElseThrow(() ->
                    Status.NOT_FOUND.withDescription("no consent for " + purpose.id() + " is recorded for patient "
                            + patient.hex() + " (pseudonym); 'medveil site consent list' shows what is recorded")
                            .asRuntimeException());
            List<String> derivatives = new ArrayList<>();
            for (StoredObject o : store.list(new ObjectFilter(null, null, null, patient.hex()))) {
                if (o.state() == StoredObject.State.DESTROYED) {
                    continue;
                }
                if (o.kind() == StoredObjectKind.ORIGINAL) {
                    for (StoredObject d : store.list(ObjectFilter.all())) {
                        if (o.id().equals(d.meta().parentId()) && d.state() != StoredObject.State.DESTROYED
                                && !derivatives.contains(d.id())) {
                            derivatives.add(d.id());
                        }
                    }
                } else if (!derivatives.contains(o.id())) {
                    derivatives.add(o.id());
                }
            }
            audit.append("consent-withdrawal", caller.fingerprint(), Map.of("patient", patient.hex(),
                    "purpose", purpose.id(), "withdrawn_at", e.withdrawnAt().toString(),
                    "derivatives", Integer.toString(derivatives.size())));
            WithdrawalHandler.Outcome done = withdrawals.withdrawn(patient, purpose, List.copyOf(derivatives),
                    caller.fingerprint(), caller.identity().role());
            WithdrawConsentResponse.Builder b = WithdrawConsentResponse.newBuilder().setPatient(patient.hex())
                    .setPurpose(purpose.id()).setWithdrawnAt(e.withdrawnAt().toString()).setDerivatives(derivatives.size());
            if (done != null) {
                b.setDestructionRequest(done.requestId());
                if (done.certificate() != null) {
                    b.setCertificate(done.certificate().statement().id())
                            .setCertificatePath(certificatePath(done.certificate().statement().id()).toString())
                            .setDestroyed(done.certificate().statement().objects().size());
                }
            }
            return b.build();
        });
    }

    @Override
    public void importLabels(ImportLabelsRequest req, StreamObserver<ImportLabelsResponse> out) {
        run(out, () -> {
            AdminCaller caller = authorize(Operation.MANAGE_LABELS, Map.of("action", "import"));
            String name = req.getFileName().isBlank() ? "label CSV" : req.getFileName();
            LabelImport.Result r = new LabelImport(index, LookupKeys.of(keystore)).importCsv(req.getCsv().toByteArray(), name);
            audit.append("labels-import", caller.fingerprint(), Map.of("rows", Integer.toString(r.rows()),
                    "matched", Integer.toString(r.matched()), "unmatched", Integer.toString(r.unmatched()),
                    "objects", Integer.toString(r.labelledObjects())));
            return ImportLabelsResponse.newBuilder().setRows(r.rows()).setMatched(r.matched())
                    .setUnmatched(r.unmatched()).setLabelledObjects(r.labelledObjects()).build();
        });
    }

    @Override
    public void listUseRequests(ListUseRequestsRequest req, StreamObserver<ListUseRequestsResponse> out) {
        run(out, () -> {
            // Seeing the queue is part of deciding it: the data manager (approve-use).
            authorize(Operation.APPROVE_USE, Map.of("action", "list"));
            ListUseRequestsResponse.Builder b = ListUseRequestsResponse.newBuilder();
            index.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT * FROM jobs ORDER BY rowid");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        b.addRequests(job(rs));
                    }
                }
                return null;
            });
            return b.build();
        });
    }

    @Override
    public void approveUse(ApproveUseRequest req, StreamObserver<ApproveUseResponse> out) {
        run(out, () -> ApproveUseResponse.newBuilder().setRequest(decideJob(req.getJobId(), true, null)).build());
    }

    @Override
    public void rejectUse(RejectUseRequest req, StreamObserver<RejectUseResponse> out) {
        run(out, () -> {
            if (req.getReason().isBlank()) {
                throw new IllegalArgumentException("give a reason for the rejection (--reason); it is shown to the"
                        + " requester, so write no patient data");
            }
            return RejectUseResponse.newBuilder().setRequest(decideJob(req.getJobId(), false, req.getReason().strip())).build();
        });
    }

    private UseRequestEntry decideJob(String jobId, boolean approve, String reason) {
        String job = checkJob(jobId);
        AdminCaller caller = authorize(Operation.APPROVE_USE, Map.of("action", approve ? "approve" : "reject", "job", job));
        String decidedBy = caller.identity().name() + " sha256:" + caller.fingerprint().substring(0, 16);
        Instant now = clock.instant();
        UseRequestEntry e = index.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM jobs WHERE job_id = ?")) {
                ps.setString(1, job);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw Status.NOT_FOUND.withDescription("no use request " + job + " at this site;"
                                + " 'medveil site requests' lists them").asRuntimeException();
                    }
                    if (!"pending".equals(rs.getString("state"))) {
                        throw Status.FAILED_PRECONDITION.withDescription("use request " + job + " was already "
                                + rs.getString("state") + " by " + rs.getString("decided_by") + " at "
                                + rs.getString("decided_at") + "; a decision is final").asRuntimeException();
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET state = ?, decided_by = ?, decided_at = ?,"
                    + " reason = ? WHERE job_id = ?")) {
                ps.setString(1, approve ? "approved" : "rejected");
                ps.setString(2, decidedBy);
                ps.setString(3, now.toString());
                ps.setString(4, reason);
                ps.setString(5, job);
                ps.executeUpdate();
            }
            return UseRequestEntry.newBuilder().setJobId(job).setState(approve ? "approved" : "rejected")
                    .setDecidedBy(decidedBy).setDecidedAt(now.toString()).setReason(reason == null ? "" : reason).build();
        });
        // The reason is free text: it stays in the jobs table, the audit trail only notes that one was given.
        audit.append(approve ? "use-approval" : "use-rejection", caller.fingerprint(), Map.of("job", job));
        return e;
    }

    @Override
    public void verifyStore(VerifyStoreRequest req, StreamObserver<VerifyStoreResponse> out) {
        run(out, () -> {
            AdminCaller caller = authorize(Operation.VERIFY_STORE, Map.of());
            StoreVerifier.Report r = new StoreVerifier(store).verify();
            VerifyStoreResponse.Builder b = VerifyStoreResponse.newBuilder().setOk(r.ok()).setChecked(r.checked())
                    .putAllDatasetRoots(r.roots());
            r.altered().forEach(f -> b.addFindings(finding("altered", f)));
            r.missing().forEach(f -> b.addFindings(finding("missing", f)));
            r.extra().forEach(f -> b.addFindings(finding("extra", f)));
            r.rootMismatches().forEach(m -> b.addFindings(StoreFinding.newBuilder().setKind("dataset-root").setReason(m)));
            audit.append("store-verify", caller.fingerprint(), Map.of("ok", Boolean.toString(r.ok()),
                    "checked", Integer.toString(r.checked()), "altered", Integer.toString(r.altered().size()),
                    "missing", Integer.toString(r.missing().size()), "extra", Integer.toString(r.extra().size()),
                    "root_mismatches", Integer.toString(r.rootMismatches().size())));
            return b.build();
        });
    }

    // ------------------------------------------------------------ life cycle (REQ-STO-3, ARC-1..3, DEL-2)

    private AdminLifecycle lifecycle() {
        if (lifecycle == null) {
            throw Status.UNIMPLEMENTED.withDescription("this site node runs without backups, archives and destruction"
                    + " (started without its life-cycle services); start it with 'medveil site serve --config'")
                    .asRuntimeException();
        }
        return lifecycle;
    }

    /**
     * Decides an operation about objects for a whole call (an archive run, a restore, a
     * destruction) once, at the most sensitive cell: a grade 5 original. A role allowed there is
     * allowed at every grade, so no object in scope is reached that a per-object decision would
     * refuse. One {@code access} record per call.
     */
    private AdminCaller authorizeObjects(Operation op, List<Approval> approvals, Map<String, String> fields) {
        AdminCaller caller = AdminCaller.current();
        Decision d = policy.decide(AccessRequest.object(caller.fingerprint(), caller.identity().role(), op,
                SensitivityLevel.L5, ImagingCategory.CLINICAL_STRUCTURAL, true, clock.instant())
                .approvals(approvals).build());
        record(caller, op, d, fields);
        if (!d.allowed()) {
            throw Status.PERMISSION_DENIED.withDescription(d.reason()).asRuntimeException();
        }
        return caller;
    }

    /**
     * Decides {@code destroy} for each object in a request's scope with its own grade, category and
     * kind, and the request's approvals; one {@code access} record for the call (the first refusal,
     * or the allow with the number of objects). An empty scope is decided at the most sensitive cell.
     */
    private void authorizeDestroy(List<StoredObject> objects, List<Approval> approvals, Map<String, String> fields) {
        if (objects.isEmpty()) {
            authorizeObjects(Operation.DESTROY, approvals, fields);
            return;
        }
        AdminCaller caller = AdminCaller.current();
        Decision decision = null;
        Map<String, String> f = new LinkedHashMap<>(fields);
        f.put("objects", Integer.toString(objects.size()));
        for (StoredObject o : objects) {
            SensitivityLevel grade = o.meta().grade() == null ? SensitivityLevel.L5 : SensitivityLevel.of(o.meta().grade());
            ImagingCategory category = category(o.meta().category());
            Decision d = policy.decide(AccessRequest.object(caller.fingerprint(), caller.identity().role(),
                    Operation.DESTROY, grade, category == null ? ImagingCategory.OTHER : category,
                    o.kind() == StoredObjectKind.ORIGINAL, clock.instant()).approvals(approvals).build());
            decision = d;
            if (!d.allowed()) {
                f.put("object", o.id());
                break;
            }
        }
        record(caller, Operation.DESTROY, decision, f);
        if (!decision.allowed()) {
            throw Status.PERMISSION_DENIED.withDescription(decision.reason()).asRuntimeException();
        }
    }

    @Override
    public void backup(BackupRequest req, StreamObserver<BackupResponse> out) {
        run(out, () -> {
            Path dest = hostPath(req.getDestination(), "backup destination");
            AdminCaller caller = authorize(Operation.BACKUP, Map.of("action", "backup"));
            lifecycle();
            Backups.BackupSet set = Backups.backup(store, audit, dest, caller.fingerprint());
            return BackupResponse.newBuilder().setSetId(set.id()).setPath(set.dir().toString())
                    .setObjects(set.objects()).setBytes(treeSize(set.dir())).build();
        });
    }

    @Override
    public void verifyBackup(VerifyBackupRequest req, StreamObserver<VerifyBackupResponse> out) {
        run(out, () -> {
            Path set = hostPath(req.getSet(), "backup set");
            AdminCaller caller = authorize(Operation.BACKUP, Map.of("action", "verify"));
            if (!Files.isDirectory(set)) {
                throw new IllegalArgumentException("no backup set folder " + set + " on the site host");
            }
            Backups.BackupReport r = Backups.verify(set, keystore);
            audit.append("backup-verify", caller.fingerprint(), Map.of("set", set.getFileName().toString(),
                    "ok", Boolean.toString(r.ok()), "problems", Integer.toString(r.lines().size())));
            return VerifyBackupResponse.newBuilder().setOk(r.ok()).addAllProblems(r.lines()).build();
        });
    }

    @Override
    public void archive(ArchiveRequest req, StreamObserver<ArchiveResponse> out) {
        run(out, () -> {
            if (req.getOlderThanDays() < 0) {
                throw new IllegalArgumentException("--older-than-days must be 0 or more");
            }
            String dataset = req.getDataset().isBlank() ? null : req.getDataset().strip();
            Map<String, String> f = new LinkedHashMap<>(Map.of("action", "archive",
                    "olderThanDays", Integer.toString(req.getOlderThanDays())));
            if (dataset != null) {
                f.put("dataset", dataset);
            }
            AdminCaller caller = authorizeObjects(Operation.ARCHIVE, List.of(), f);
            Optional<Archiver.ArchiveResult> r = lifecycle().archiver().archive(
                    new ArchivePolicy(Duration.ofDays(req.getOlderThanDays()), null, dataset), clock.instant(),
                    caller.fingerprint());
            ArchiveResponse.Builder b = ArchiveResponse.newBuilder();
            r.ifPresent(a -> b.setArchiveId(a.archiveId()).setObjects(a.objectIds().size())
                    .setPlaintextBytes(a.plaintextBytes()).setArchivedBytes(a.archivedBytes()));
            return b.build();
        });
    }

    @Override
    public void listArchives(ListArchivesRequest req, StreamObserver<ListArchivesResponse> out) {
        run(out, () -> {
            // the listing is index-like metadata (ids and counts)
            authorize(Operation.LIST_OBJECTS, Map.of("action", "list-archives"));
            AdminLifecycle l = lifecycle();
            ListArchivesResponse.Builder b = ListArchivesResponse.newBuilder();
            if (!Files.isDirectory(l.archiveRoot())) {
                return b.build();
            }
            try (Stream<Path> dirs = Files.list(l.archiveRoot())) {
                for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                    String id = d.getFileName().toString();
                    if (!id.startsWith("archive-")) {
                        continue;
                    }
                    List<String> ids = new ArrayList<>();
                    Path objs = d.resolve("objects");
                    if (Files.isDirectory(objs)) {
                        try (Stream<Path> fs = Files.list(objs)) {
                            fs.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".mva"))
                                    .forEach(n -> ids.add(n.substring(0, n.length() - 4)));
                        }
                    }
                    int still = (int) ids.stream().filter(o -> store.find(o)
                            .map(x -> x.state() == StoredObject.State.ARCHIVED).orElse(false)).count();
                    b.addArchives(ArchiveEntry.newBuilder().setArchiveId(id).setObjects(ids.size())
                            .setStillArchived(still).setOk(l.archiver().verify(id).ok()));
                }
            } catch (IOException e) {
                throw new LifecycleException("cannot list the archive folder " + l.archiveRoot() + ": " + e.getMessage(), e);
            }
            return b.build();
        });
    }

    @Override
    public void restoreArchive(RestoreArchiveRequest req, StreamObserver<RestoreArchiveResponse> out) {
        run(out, () -> {
            String id = req.getArchiveId().strip();
            AdminCaller caller = authorizeObjects(Operation.RESTORE_ARCHIVE, List.of(), Map.of("archive", id));
            Archiver.RestoreArchiveResult r = lifecycle().archiver().restoreArchive(id, caller.fingerprint(),
                    caller.identity().role());
            return RestoreArchiveResponse.newBuilder().setArchiveId(r.archiveId()).addAllRestored(r.restored())
                    .putAllRefused(r.refused()).build();
        });
    }

    @Override
    public void requestDestruction(RequestDestructionRequest req, StreamObserver<RequestDestructionResponse> out) {
        run(out, () -> {
            DestructionService.Scope scope;
            List<String> subjects;
            switch (req.getScopeCase()) {
                case PATIENT_ID -> {
                    if (req.getPatientId().isBlank()) {
                        throw new IllegalArgumentException("give the patient ID whose data is destroyed");
                    }
                    scope = DestructionService.Scope.PATIENT;
                    subjects = List.of(pseudonymizer().pseudonym(req.getPatientId()).hex());   // the ID goes no further
                }
                case DATASET -> {
                    scope = DestructionService.Scope.DATASET;
                    subjects = List.of(req.getDataset().strip());
                }
                case OBJECTS -> {
                    scope = DestructionService.Scope.OBJECT;
                    subjects = req.getObjects().getIdsList().stream().map(String::strip).toList();
                }
                default -> throw new IllegalArgumentException("name what to destroy: a patient, a dataset or object ids");
            }
            // who may approve destructions may file them (data managers)
            AdminCaller caller = authorize(Operation.APPROVE_DESTRUCTION, Map.of("action", "request",
                    "scope", scope.id(), "subject", scope == DestructionService.Scope.OBJECT
                            ? subjects.size() + " object(s)" : subjects.get(0)));
            DestructionService d = lifecycle().destruction();
            String id = d.request(scope, subjects, caller.fingerprint());
            return RequestDestructionResponse.newBuilder().setRequest(entry(d.find(id), d.approvalsNeeded())).build();
        });
    }

    @Override
    public void approveDestruction(ApproveDestructionRequest req, StreamObserver<ApproveDestructionResponse> out) {
        run(out, () -> {
            String id = req.getRequestId().strip();
            AdminCaller caller = authorize(Operation.APPROVE_DESTRUCTION, Map.of("action", "approve", "request", id));
            DestructionService d = lifecycle().destruction();
            // the approver is the caller's certificate: fingerprint and role, never a message field
            d.approve(id, caller.fingerprint(), caller.identity().role());
            return ApproveDestructionResponse.newBuilder().setRequest(entry(d.find(id), d.approvalsNeeded())).build();
        });
    }

    @Override
    public void executeDestruction(ExecuteDestructionRequest req, StreamObserver<ExecuteDestructionResponse> out) {
        run(out, () -> {
            String id = req.getRequestId().strip();
            DestructionService d = lifecycle().destruction();
            List<Approval> approvals = d.find(id).approvals().stream()
                    .map(a -> new Approval(a.fingerprint(), a.role())).toList();
            authorizeDestroy(d.inScope(id), approvals, Map.of("request", id,
                    "approvals", Integer.toString(approvals.size())));
            DestructionCertificate cert = d.execute(id);
            DestructionCertificate.Statement s = cert.statement();
            return ExecuteDestructionResponse.newBuilder().setRequestId(id).setCertificate(s.id())
                    .setCertificatePath(certificatePath(s.id()).toString()).setObjects(s.objects().size())
                    .setDataKeysDestroyed(s.method().dataKeysDestroyed())
                    .setFilesOverwritten(s.method().liveFilesOverwritten()).build();
        });
    }

    @Override
    public void listDestructionRequests(ListDestructionRequestsRequest req, StreamObserver<ListDestructionRequestsResponse> out) {
        run(out, () -> {
            authorize(Operation.APPROVE_DESTRUCTION, Map.of("action", "list"));
            DestructionService d = lifecycle().destruction();
            ListDestructionRequestsResponse.Builder b = ListDestructionRequestsResponse.newBuilder();
            for (DestructionService.Request r : d.list()) {
                b.addRequests(entry(r, d.approvalsNeeded()));
            }
            return b.build();
        });
    }

    private static DestructionRequestEntry entry(DestructionService.Request r, int needed) {
        DestructionRequestEntry.Builder b = DestructionRequestEntry.newBuilder().setId(r.id()).setScope(r.scope().id())
                .setSubject(r.subject()).setState(r.state()).setDerivedOnly(r.derivedOnly())
                .setPurpose(r.purpose() == null ? "" : r.purpose()).setRequestedBy(r.requestedBy())
                .setRequestedAt(r.requestedAt().toString()).setApprovalsNeeded(needed);
        r.approvals().forEach(a -> b.addApprovedBy(a.role().id() + " sha256:" + a.fingerprint()));
        return b.build();
    }

    private Path certificatePath(String id) {
        return audit.dir().resolve(DestructionCertificate.FOLDER).resolve(id + ".json");
    }

    /** A folder on the site host, named by the operator: absolute, so it never depends on the daemon's working folder. */
    private static Path hostPath(String s, String what) {
        if (s.isBlank()) {
            throw new IllegalArgumentException("give the " + what + " (a folder on the site host)");
        }
        Path p = Path.of(s.strip());
        if (!p.isAbsolute()) {
            throw new IllegalArgumentException("the " + what + " " + s + " must be an absolute path on the site host");
        }
        return p.normalize();
    }

    private static long treeSize(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    // ------------------------------------------------------------ helpers

    private PatientPseudonymizer pseudonymizer() {
        return new PatientPseudonymizer(keystore.pseudonymKey());
    }

    private static StoreFinding.Builder finding(String kind, StoreVerifier.Finding f) {
        return StoreFinding.newBuilder().setKind(kind).setObjectId(f.id() == null ? "" : f.id())
                .setPath(String.valueOf(f.path())).setReason(f.reason());
    }

    private static String checkJob(String job) {
        if (!JOB_ID.matcher(job).matches()) {
            throw new IllegalArgumentException("a job id is 1-64 letters, digits, '.', '_' or '-'");
        }
        return job;
    }

    private static Purpose purpose(String id) {
        Purpose p = Purpose.fromIdOrNull(id.strip());
        if (p == null) {
            throw new IllegalArgumentException("purpose must be one of " + Purpose.allIds());
        }
        return p;
    }

    private Optional<String> jobState(String job) {
        return index.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT state FROM jobs WHERE job_id = ?")) {
                ps.setString(1, job);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    private static ImagingCategory category(String s) {
        if (s == null) {
            return null;
        }
        for (ImagingCategory c : ImagingCategory.values()) {
            if (c.id().equals(s) || c.name().equalsIgnoreCase(s)) {
                return c;
            }
        }
        return null;
    }

    private Map<String, List<String>> labels() {
        return index.read(c -> {
            Map<String, List<String>> m = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT object_id, label FROM labels ORDER BY label");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    m.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
            return m;
        });
    }

    /** Index metadata only; a researcher does not learn which original a derivative came from. */
    private static ObjectEntry entry(StoredObject o, Map<String, List<String>> labels, boolean withParent) {
        ObjectEntry.Builder b = ObjectEntry.newBuilder().setId(o.id()).setKind(o.kind().column())
                .setDataset(o.meta().dataset()).setState(o.state().name().toLowerCase(Locale.ROOT))
                .addAllLabels(labels.getOrDefault(o.id(), List.of()));
        if (withParent && o.meta().parentId() != null) {
            b.setParentId(o.meta().parentId());
        }
        if (o.meta().modality() != null) {
            b.setModality(o.meta().modality());
        }
        if (o.meta().category() != null) {
            b.setCategory(o.meta().category());
        }
        if (o.meta().grade() != null) {
            b.setGrade(o.meta().grade());
        }
        return b.build();
    }

    private static UseRequestEntry job(ResultSet rs) throws java.sql.SQLException {
        return UseRequestEntry.newBuilder().setJobId(rs.getString("job_id")).setState(rs.getString("state"))
                .setDecidedBy(nz(rs.getString("decided_by"))).setDecidedAt(nz(rs.getString("decided_at")))
                .setReason(nz(rs.getString("reason"))).build();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static long scalar(java.sql.Connection c, String sql) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
