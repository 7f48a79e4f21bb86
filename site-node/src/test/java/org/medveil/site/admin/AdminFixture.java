package org.medveil.site.admin;

import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.audit.AuditRecord;
import org.medveil.governance.audit.AuditSigner;
import org.medveil.governance.crypto.CipherSuite;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.governance.policy.AccessPolicy;
import org.medveil.governance.policy.PolicyOptions;
import org.medveil.site.config.SiteConfig;
import org.medveil.site.store.LookupKeys;
import org.medveil.site.store.ObjectMeta;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.SiteKeystore;
import org.medveil.site.store.StoredObjectKind;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A provisioned project (site hospital-a; users of the four roles; a second project's data
 * manager), a real encrypted store holding originals and derivatives of several grades, an audit
 * log signed with the site kit, and the admin API on a free loopback port.
 */
final class AdminFixture implements AutoCloseable {

    static final String UID_1 = "1.2.826.0.1.3680043.8.498.111";
    static final String ACC_2 = "ACC-20260002";

    final Path root;
    final Kit site;
    final Kit dm;
    /** A second data manager (two-person destruction). */
    final Kit dm2;
    final Kit researcher;
    final Kit compliance;
    final Kit admin;
    final Kit foreign;
    final SiteKeystore keystore;
    final ObjectStore store;
    final AuditLog audit;
    final SiteAdminServer server;
    final List<WithdrawalCall> withdrawals = new ArrayList<>();
    /** Patient keys: P1 consents to research (see consent CSV of the tests), P2 has none. */
    final String p1;
    final String p2;
    final String o1, d1, o2, d2, o4, d4, d1b;

    record WithdrawalCall(String patient, String purpose, List<String> derivatives) {}

    AdminFixture(Path root, String patient1, String patient2) {
        this(root, patient1, patient2, new AccessPolicy(PolicyOptions.defaults()));
    }

    AdminFixture(Path root, String patient1, String patient2, AccessPolicy policy) {
        this(root, patient1, patient2, policy, false);
    }

    /** With {@code lifecycle}: backups, archives (under ROOT/archive) and destruction are served, and a withdrawal destroys. */
    AdminFixture(Path root, String patient1, String patient2, AccessPolicy policy, boolean lifecycle) {
        this.root = root;
        Path prov = root.resolve("prov");
        Provisioner.init(new ProjectSpec("proj", "localhost:8443", null, null, List.of("hospital-a"),
                List.of(new ProjectSpec.User("dana", "data-manager"), new ProjectSpec.User("dora", "data-manager"),
                        new ProjectSpec.User("rita", "researcher"),
                        new ProjectSpec.User("carl", "compliance-officer"), new ProjectSpec.User("paul", "project-admin"))),
                prov, Clock.systemUTC());
        Provisioner.init(new ProjectSpec("proj", "localhost:8443", null, null, List.of("hospital-x"),
                List.of(new ProjectSpec.User("mallory", "data-manager"))), root.resolve("prov-foreign"), Clock.systemUTC());
        site = Kit.load(prov.resolve("sites/hospital-a"));
        dm = Kit.load(prov.resolve("users/dana"));
        dm2 = Kit.load(prov.resolve("users/dora"));
        researcher = Kit.load(prov.resolve("users/rita"));
        compliance = Kit.load(prov.resolve("users/carl"));
        admin = Kit.load(prov.resolve("users/paul"));
        foreign = Kit.load(root.resolve("prov-foreign/users/mallory"));

        keystore = SiteKeystore.create(root.resolve("keys/site.p12"), "test password".toCharArray(), CipherSuite.AES_256_GCM);
        store = ObjectStore.open(root.resolve("data"), keystore);
        var pseudo = new org.medveil.governance.consent.PatientPseudonymizer(keystore.pseudonymKey());
        p1 = pseudo.pseudonym(patient1).hex();
        p2 = pseudo.pseudonym(patient2).hex();
        o1 = put(StoredObjectKind.ORIGINAL, null, "clinical-structural", 2, p1);
        d1 = put(StoredObjectKind.DERIVATIVE, o1, "clinical-structural", 2, p1);
        o2 = put(StoredObjectKind.ORIGINAL, null, "personal-biometric", 3, p1);
        d2 = put(StoredObjectKind.DERIVATIVE, o2, "personal-biometric", 3, p1);
        o4 = put(StoredObjectKind.ORIGINAL, null, "clinical-structural", 4, p1);
        d4 = put(StoredObjectKind.DERIVATIVE, o4, "clinical-structural", 4, p1);
        d1b = put(StoredObjectKind.DERIVATIVE, null, "clinical-structural", 1, p2);
        LookupKeys keys = LookupKeys.of(keystore);
        sql("UPDATE objects SET sop_key = ? WHERE id = ?", keys.sopKey(UID_1), o1);
        sql("UPDATE objects SET accession_key = ? WHERE id = ?", keys.accessionKey(ACC_2), o2);

        audit = AuditLog.open(root.resolve("audit"), AuditSigner.of(site));
        server = lifecycle
                ? SiteAdminServer.start(site, new SiteConfig.AdminSettings("127.0.0.1", 0), store, keystore, audit,
                        policy, Clock.systemUTC(), AdminLifecycle.of(site, store, audit, root.resolve("archive"), policy.options()))
                : SiteAdminServer.start(site, new SiteConfig.AdminSettings("127.0.0.1", 0), store, keystore, audit,
                policy, Clock.systemUTC(),
                (patient, purpose, ids, fp, role) -> {
                    withdrawals.add(new WithdrawalCall(patient.hex(), purpose.id(), ids));
                    return null;
                });
    }

    String put(StoredObjectKind kind, String parent, String category, int grade, String patient) {
        byte[] bytes = ("object " + kind + " " + grade + " " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
        ObjectMeta m = ObjectMeta.of("chest-ct").withDicom("1.2.840.10008.5.1.4.1.1.2", "CT", "CHEST")
                .withClassification(category, grade).withPatientKey(patient);
        return store.put(kind, bytes, parent == null ? m : m.withParent(parent)).id();
    }

    void sql(String sql, String... args) {
        store.index().transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setString(i + 1, args[i]);
                }
                return ps.executeUpdate();
            }
        });
    }

    void job(String id, String state) {
        sql("INSERT INTO jobs(job_id, state) VALUES (?, ?)", id, state);
    }

    SiteAdminClient client(Kit kit) {
        return SiteAdminClient.connect(kit, new HostNames.HostPort("127.0.0.1", server.port()));
    }

    /** Every record in the audit folder, in order (the log forces each record to disk). */
    List<AuditRecord> records() {
        List<AuditRecord> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(root.resolve("audit"))) {
            for (Path f : s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    out.add(AuditRecord.parse(line.getBytes(StandardCharsets.UTF_8)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    List<AuditRecord> access() {
        return records().stream().filter(r -> r.type().equals("access")).toList();
    }

    /** Every regular file under {@code dir} whose bytes contain {@code needle}. */
    static List<Path> filesContaining(Path dir, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        List<Path> hits = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                byte[] b = Files.readAllBytes(p);
                outer:
                for (int i = 0; i + n.length <= b.length; i++) {
                    for (int j = 0; j < n.length; j++) {
                        if (b[i + j] != n[j]) {
                            continue outer;
                        }
                    }
                    hits.add(p);
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return hits;
    }

    private boolean closed;

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.close();
        audit.close();
        store.close();
    }
}
