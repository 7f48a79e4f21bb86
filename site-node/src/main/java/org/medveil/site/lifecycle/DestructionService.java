package org.medveil.site.lifecycle;

import java.nio.file.Files;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.audit.AuditSigner;
import org.medveil.governance.audit.DestructionCertificate;
import org.medveil.governance.consent.Purpose;
import org.medveil.governance.pki.Role;
import org.medveil.governance.policy.AccessPolicy;
import org.medveil.governance.policy.AccessRequest;
import org.medveil.governance.policy.Decision;
import org.medveil.governance.policy.Operation;
import org.medveil.governance.policy.PolicyOptions;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.StoredObject;
import org.medveil.site.store.StoredObjectKind;

/**
 * Destruction with approval and a signed certificate (REQ-DEL-1, DEL-2, DEL-6).
 *
 * <ol>
 *   <li>{@link #request}: scope = objects, a dataset or a patient (pseudonymous key); a
 *       {@code destruction-request} audit record; the request is kept in the index.</li>
 *   <li>{@link #approve}: only a role the access policy lets approve destructions (data managers);
 *       an {@code approval} audit record with the approver's certificate fingerprint as actor. With
 *       {@link PolicyOptions#secondPersonForDestruction()} two different data managers must approve.</li>
 *   <li>{@link #execute}: resolves the scope (originals and every derivative made from them), saves
 *       that list with the request (an interrupted execution resumes the same list), destroys each
 *       object ({@link ObjectStore#destroy}: data key deleted, so backup and archive copies sealed
 *       under it die too; live file overwritten), appends the {@code destruction} record
 *       ({@link DestructionCertificate#auditFields}), signs the certificate with the site key and
 *       writes it to the audit folder's {@code certificates/}.</li>
 * </ol>
 * Methods are serialized; one service per store.
 */
public final class DestructionService {

    /** What a request covers. */
    public enum Scope {
        PATIENT, DATASET, OBJECT;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** An approver: certificate fingerprint and role (from the client certificate). */
    public record Approver(String fingerprint, Role role) {
        public Approver {
            Objects.requireNonNull(fingerprint, "fingerprint");
            Objects.requireNonNull(role, "role");
        }
    }

    /** A destruction request as kept in the index. {@code subject} is pseudonymous. */
    public record Request(String id, Scope scope, String subject, List<String> objectIds, boolean derivedOnly,
                          String purpose, String requestedBy, Instant requestedAt, String state,
                          List<Approver> approvals) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    static final List<String> COPIES = List.of("live store", "backups", "archives");
    static final String METHOD = "per-object data keys deleted from keys.db (SQLite secure_delete, WAL truncated);"
            + " live ciphertext files overwritten with random bytes, fsynced and deleted; backup and archive copies"
            + " are sealed under the same data keys and can no longer be decrypted (key-folder backups made before"
            + " this destruction still hold the keys and fall under their own destruction rules)";

    private final ObjectStore store;
    private final AuditLog audit;
    private final AuditSigner signer;
    private final String site;
    private final AccessPolicy policy;

    /**
     * @param site the site name of {@code signer}'s certificate (what the certificate names)
     */
    public DestructionService(ObjectStore store, AuditLog audit, AuditSigner signer, String site, PolicyOptions options) {
        this.store = store;
        this.audit = audit;
        this.signer = signer;
        this.site = site;
        this.policy = new AccessPolicy(options);
    }

    /** Approvals an execution needs: two different data managers when the second-person option is on. */
    public int approvalsNeeded() {
        return policy.options().secondPersonForDestruction() ? 2 : 1;
    }

    /**
     * Files a request. {@code subjects}: one patient key (PATIENT), one dataset (DATASET) or the
     * object ids (OBJECT). Returns the request id.
     */
    public synchronized String request(Scope scope, List<String> subjects, String requestedBy) {
        return newRequest(scope, subjects, false, null, requestedBy);
    }

    private String newRequest(Scope scope, List<String> subjects, boolean derivedOnly, String purpose, String requestedBy) {
        if (subjects == null || subjects.isEmpty() || (scope != Scope.OBJECT && subjects.size() != 1)) {
            throw new LifecycleException("a " + scope.id() + " destruction request names exactly one "
                    + scope.id() + (scope == Scope.OBJECT ? " or more" : ""));
        }
        if (scope == Scope.OBJECT) {
            for (String id : subjects) {
                if (store.find(id).isEmpty()) {
                    throw new LifecycleException("no object " + id + " in the index; nothing to destroy");
                }
            }
        }
        byte[] rand = new byte[8];
        RANDOM.nextBytes(rand);
        String id = "del-" + HexFormat.of().formatHex(rand);
        String subject = subject(scope, subjects);
        Instant now = Instant.now();
        store.index().transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO destruction_requests(id, scope, subject,"
                    + " object_ids, derived_only, purpose, requested_by, requested_at, state)"
                    + " VALUES (?,?,?,?,?,?,?,?,'pending')")) {
                ps.setString(1, id);
                ps.setString(2, scope.id());
                ps.setString(3, subject);
                ps.setString(4, scope == Scope.OBJECT ? String.join(",", subjects) : null);
                ps.setInt(5, derivedOnly ? 1 : 0);
                ps.setString(6, purpose);
                ps.setString(7, requestedBy);
                ps.setString(8, now.toString());
                ps.executeUpdate();
            }
            return null;
        });
        Map<String, String> fields = new java.util.TreeMap<>(Map.of("request", id, "scope", scope.id(), "subject", subject));
        if (derivedOnly) {
            fields.put("derivedOnly", "true");
            fields.put("purpose", purpose);
        }
        audit.append("destruction-request", requestedBy, fields);
        return id;
    }

    private static String subject(Scope scope, List<String> subjects) {
        if (scope != Scope.OBJECT || subjects.size() == 1) {
            return subjects.get(0);
        }
        List<String> sorted = new ArrayList<>(subjects);
        Collections.sort(sorted);
        return "objects-sha256:" + SealedManifest.sha256(String.join(",", sorted).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Records an approval of {@code requestId} by {@code fingerprint} with {@code role}; returns the
     * seq of its {@code approval} audit record. Refuses a role the policy does not let approve, the
     * same person twice, and approvals beyond what is needed.
     */
    public synchronized long approve(String requestId, String fingerprint, Role role) {
        Request r = find(requestId);
        if (!"pending".equals(r.state())) {
            throw new LifecycleException("destruction request " + requestId + " is " + r.state() + "; it takes no more approvals");
        }
        Decision d = policy.decide(AccessRequest.site(fingerprint, role, Operation.APPROVE_DESTRUCTION, Instant.now()).build());
        if (!d.allowed()) {
            audit.append("access", fingerprint, Map.of("operation", Operation.APPROVE_DESTRUCTION.id(),
                    "decision", "deny", "rule", d.ruleId(), "request", requestId));
            throw new LifecycleException("approval of " + requestId + " refused: " + d.reason());
        }
        if (r.approvals().stream().anyMatch(a -> a.fingerprint().equals(fingerprint))) {
            throw new LifecycleException("sha256:" + fingerprint + " already approved " + requestId
                    + "; a second approval must come from a different data manager");
        }
        if (r.approvals().size() >= approvalsNeeded()) {
            throw new LifecycleException("destruction request " + requestId + " already has the " + approvalsNeeded()
                    + " approval(s) it needs; execute it");
        }
        long seq = audit.append(DestructionCertificate.APPROVAL_TYPE, fingerprint,
                Map.of("role", role.id(), "request", requestId)).seq();
        store.index().transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO destruction_approvals(request_id, fingerprint,"
                    + " role, audit_seq, approved_at) VALUES (?,?,?,?,?)")) {
                ps.setString(1, requestId);
                ps.setString(2, fingerprint);
                ps.setString(3, role.id());
                ps.setLong(4, seq);
                ps.setString(5, Instant.now().toString());
                ps.executeUpdate();
            }
            return null;
        });
        return seq;
    }

    /**
     * Destroys everything in the request's scope (originals and their derivatives, or only the
     * derivatives for a consent withdrawal), then audits and signs. Refuses without the needed
     * approvals. Returns the written certificate.
     */
    public synchronized DestructionCertificate execute(String requestId) {
        Request r = find(requestId);
        if ("executed".equals(r.state())) {
            throw new LifecycleException("destruction request " + requestId + " was already executed; its certificate is "
                    + audit.dir().resolve(DestructionCertificate.FOLDER).resolve(requestId + ".json"));
        }
        if (r.approvals().size() < approvalsNeeded()) {
            throw new LifecycleException("destruction request " + requestId + " has " + r.approvals().size() + " of the "
                    + approvalsNeeded() + " data-manager approval(s) it needs"
                    + (approvalsNeeded() == 2 ? " (this site requires a second person)" : "") + "; nothing was destroyed");
        }
        List<DestructionCertificate.DestroyedObject> plan = planned(r);
        if (plan.isEmpty()) {
            throw new LifecycleException("destruction request " + requestId + " covers no object that is not already"
                    + " destroyed; nothing to do");
        }
        int keys = 0;
        int files = 0;
        for (DestructionCertificate.DestroyedObject o : plan) {
            if (store.hasDataKey(o.id())) {
                keys++;
            }
            if (Files.exists(store.pathOf(o.id()))) {
                files++;
            }
            store.destroy(o.id());
        }
        long seq = audit.append(DestructionCertificate.AUDIT_TYPE, signer.fingerprint(),
                DestructionCertificate.auditFields(requestId, r.scope().id(), plan)).seq();
        List<DestructionCertificate.Approval> approvals = new ArrayList<>();
        for (Approver a : r.approvals()) {
            approvals.add(new DestructionCertificate.Approval(a.fingerprint(), a.role().id(), approvalSeq(requestId, a)));
        }
        String description = r.derivedOnly() ? "consent withdrawn for " + r.purpose() + ": derivatives only; " + METHOD
                : METHOD;
        DestructionCertificate cert = DestructionCertificate.sign(new DestructionCertificate.Statement(requestId, site,
                Instant.now().toString(), r.scope().id(), r.subject(), plan,
                new DestructionCertificate.Method(keys, files, COPIES, description), approvals, seq), signer);
        cert.write(audit.dir());
        // sign the chain up to the destruction record now: the certificate then verifies at once,
        // not only after the next periodic checkpoint or a clean stop
        audit.checkpoint();
        setState(requestId, "executed", null);
        return cert;
    }

    /**
     * Consent withdrawn for {@code purpose}: destroys the derivatives made from the patient's objects
     * (the originals stay), with the given approvals, in one call: request, approvals, execute.
     */
    public synchronized DestructionCertificate destroyDerivedForPurpose(String patientKey, Purpose purpose,
                                                                      String requestedBy, List<Approver> approvals) {
        String id = newRequest(Scope.PATIENT, List.of(patientKey), true, purpose.id(), requestedBy);
        for (Approver a : approvals) {
            approve(id, a.fingerprint(), a.role());
        }
        return execute(id);
    }

    /**
     * Consent withdrawn for {@code purpose} where a second person must approve: files the
     * derivatives-only request for the patient and returns its id; {@link #approve} and
     * {@link #execute} follow as for any request.
     */
    public synchronized String requestDerivedForPurpose(String patientKey, Purpose purpose, String requestedBy) {
        return newRequest(Scope.PATIENT, List.of(patientKey), true, purpose.id(), requestedBy);
    }

    /** The objects {@link #execute} would destroy now (not yet destroyed), for a per-object access decision. */
    public synchronized List<StoredObject> inScope(String requestId) {
        Request r = find(requestId);
        List<StoredObject> out = new ArrayList<>();
        for (String id : resolve(r)) {
            store.find(id).filter(o -> o.state() != StoredObject.State.DESTROYED
                    && (!r.derivedOnly() || o.kind() == StoredObjectKind.DERIVATIVE)).ifPresent(out::add);
        }
        return out;
    }

    /** Every request, oldest first, with its approvals. */
    public List<Request> list() {
        List<String> ids = store.index().read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM destruction_requests ORDER BY requested_at, rowid");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
        return ids.stream().map(this::find).toList();
    }

    /** The stored plan, or the scope resolved now and stored (so a resumed execution destroys the same list). */
    private List<DestructionCertificate.DestroyedObject> planned(Request r) {
        String stored = store.index().read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT planned FROM destruction_requests WHERE id = ?")) {
                ps.setString(1, r.id());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
        List<DestructionCertificate.DestroyedObject> plan = new ArrayList<>();
        if (stored != null) {
            for (String s : stored.split(",")) {
                String[] p = s.split(":");
                plan.add(new DestructionCertificate.DestroyedObject(p[0], p[1]));
            }
            return plan;
        }
        for (String id : resolve(r)) {
            StoredObject o = store.find(id).orElseThrow();
            if (o.state() != StoredObject.State.DESTROYED && (!r.derivedOnly() || o.kind() == StoredObjectKind.DERIVATIVE)) {
                plan.add(new DestructionCertificate.DestroyedObject(o.id(), o.digest()));
            }
        }
        if (!plan.isEmpty()) {
            setState(r.id(), "executing", String.join(",", plan.stream().map(p -> p.id() + ":" + p.sha256()).toList()));
        }
        return plan;
    }

    /** The scope's objects and, transitively, every object made from them; derivatives first. */
    private List<String> resolve(Request r) {
        List<String> roots = switch (r.scope()) {
            case OBJECT -> r.objectIds();
            case DATASET -> ids("SELECT id FROM objects WHERE dataset = ? AND state <> 'destroyed' ORDER BY rowid", r.subject());
            case PATIENT -> ids("SELECT id FROM objects WHERE patient_key = ? AND state <> 'destroyed' ORDER BY rowid",
                    r.subject());
        };
        Set<String> all = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            String id = todo.poll();
            if (all.add(id)) {
                todo.addAll(ids("SELECT id FROM objects WHERE parent_id = ? ORDER BY rowid", id));
            }
        }
        List<String> out = new ArrayList<>(all);
        Collections.reverse(out);
        return out;
    }

    private List<String> ids(String sql, String arg) {
        return store.index().read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, arg);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    private long approvalSeq(String requestId, Approver a) {
        return store.index().read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT audit_seq FROM destruction_approvals WHERE request_id = ? AND fingerprint = ?")) {
                ps.setString(1, requestId);
                ps.setString(2, a.fingerprint());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    private void setState(String id, String state, String planned) {
        store.index().transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE destruction_requests SET state = ?, planned = COALESCE(?, planned) WHERE id = ?")) {
                ps.setString(1, state);
                ps.setString(2, planned);
                ps.setString(3, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The request {@code id} with its approvals; refuses an unknown id. */
    public Request find(String id) {
        Request r = store.index().read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM destruction_requests WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    List<Approver> approvals = new ArrayList<>();
                    try (PreparedStatement pa = c.prepareStatement("SELECT fingerprint, role FROM destruction_approvals"
                            + " WHERE request_id = ? ORDER BY audit_seq")) {
                        pa.setString(1, id);
                        try (ResultSet ra = pa.executeQuery()) {
                            while (ra.next()) {
                                approvals.add(new Approver(ra.getString(1), Role.fromId(ra.getString(2))));
                            }
                        }
                    }
                    String objs = rs.getString("object_ids");
                    return new Request(id, Scope.valueOf(rs.getString("scope").toUpperCase(Locale.ROOT)),
                            rs.getString("subject"), objs == null ? List.of() : List.of(objs.split(",")),
                            rs.getInt("derived_only") == 1, rs.getString("purpose"), rs.getString("requested_by"),
                            Instant.parse(rs.getString("requested_at")), rs.getString("state"), approvals);
                }
            }
        });
        if (r == null) {
            throw new LifecycleException("no destruction request " + id + "; list requests with the admin API");
        }
        return r;
    }
}
