package org.medveil.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.audit.AuditSigner;
import org.medveil.governance.crypto.CipherSuite;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.governance.policy.AccessPolicy;
import org.medveil.governance.policy.PolicyOptions;
import org.medveil.site.admin.SiteAdminServer;
import org.medveil.site.config.SiteConfig;
import org.medveil.site.store.LookupKeys;
import org.medveil.site.store.ObjectMeta;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.SiteKeystore;
import org.medveil.site.store.StoredObjectKind;

import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The operator commands against a real site admin API (mTLS on loopback, real store and audit). */
class SiteAdminCommandTest {

    @TempDir
    Path tmp;
    Path dm;
    Path researcher;
    SiteKeystore keystore;
    ObjectStore store;
    AuditLog audit;
    SiteAdminServer server;
    String admin;
    String original;
    String derivative;

    @BeforeEach
    void setUp() {
        Path prov = tmp.resolve("prov");
        Provisioner.init(new ProjectSpec("proj", "localhost:8443", null, null, List.of("hospital-a"),
                List.of(new ProjectSpec.User("dana", "data-manager"), new ProjectSpec.User("rita", "researcher"))),
                prov, Clock.systemUTC());
        Kit site = Kit.load(prov.resolve("sites/hospital-a"));
        dm = prov.resolve("users/dana");
        researcher = prov.resolve("users/rita");
        keystore = SiteKeystore.create(tmp.resolve("keys/site.p12"), "pw for tests".toCharArray(), CipherSuite.AES_256_GCM);
        store = ObjectStore.open(tmp.resolve("data"), keystore);
        ObjectMeta meta = ObjectMeta.of("chest-ct").withDicom("1.2.840.10008.5.1.4.1.1.2", "CT", "CHEST")
                .withClassification("clinical-structural", 2);
        original = store.put(StoredObjectKind.ORIGINAL, "original bytes".getBytes(StandardCharsets.UTF_8), meta).id();
        derivative = store.put(StoredObjectKind.DERIVATIVE, "derivative bytes".getBytes(StandardCharsets.UTF_8),
                meta.withParent(original)).id();
        sql("UPDATE objects SET sop_key = ? WHERE id = ?", LookupKeys.of(keystore).sopKey("1.2.3.4.5"), original);
        sql("INSERT INTO jobs(job_id, state) VALUES (?, 'pending')", "job-1");
        sql("INSERT INTO jobs(job_id, state) VALUES (?, 'pending')", "job-2");
        audit = AuditLog.open(tmp.resolve("audit"), AuditSigner.of(site));
        server = SiteAdminServer.start(site, new SiteConfig.AdminSettings("127.0.0.1", 0), store, keystore, audit,
                new AccessPolicy(PolicyOptions.defaults()), Clock.systemUTC());
        admin = "127.0.0.1:" + server.port();
    }

    private void sql(String sql, String... args) {
        store.index().transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setString(i + 1, args[i]);
                }
                return ps.executeUpdate();
            }
        });
    }

    @AfterEach
    void tearDown() {
        server.close();
        audit.close();
        store.close();
    }

    private CliRun site(Path kit, String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "site";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--kit";
        all[args.length + 2] = kit.toString();
        all[args.length + 3] = "--admin";
        all[args.length + 4] = admin;
        return CliRun.run(all);
    }

    @Test
    void dataManagerRunsTheDailyCommands() throws Exception {
        CliRun status = site(dm, "status");
        assertEquals(0, status.exit(), status.err());
        assertTrue(status.out().contains("site hospital-a") && status.out().contains("you: dana (data-manager)"), status.out());

        Path consents = tmp.resolve("consents.csv");
        Files.writeString(consents, "patient_id,purposes,joint_modeling,valid_from,expires\nPATSECRET-77,research,yes,2020-01-01,\n");
        CliRun imp = site(dm, "consent", "import", consents.toString());
        assertEquals(0, imp.exit(), imp.err());
        assertTrue(imp.out().contains("imported 1 patient(s): 1 consent(s) added"), imp.out());
        CliRun list = site(dm, "consent", "list");
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().matches("(?s).*[0-9a-f]{64} research .*"), list.out());
        assertFalse(list.out().contains("PATSECRET"), list.out());
        CliRun w = site(dm, "consent", "withdraw", "--patient", "PATSECRET-77", "--purpose", "research");
        assertEquals(0, w.exit(), w.err());
        assertFalse(w.out().contains("PATSECRET"), w.out());
        CliRun unknown = site(dm, "consent", "withdraw", "--patient", "PATSECRET-78", "--purpose", "research");
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("no consent for research is recorded"), unknown.err());
        assertFalse(unknown.err().contains("PATSECRET"), unknown.err());

        Path labels = tmp.resolve("labels.csv");
        Files.writeString(labels, "sop_instance_uid,label\n1.2.3.4.5,nodule\n9.9.9,normal\n");
        CliRun l = site(dm, "labels", "import", labels.toString());
        assertEquals(0, l.exit(), l.err());
        assertEquals("2 row(s): 1 matched, 1 unmatched; 2 object(s) labelled", l.out().strip());
        CliRun objects = site(dm, "objects");
        assertEquals(0, objects.exit(), objects.err());
        assertTrue(objects.out().contains(derivative) && objects.out().contains("nodule"), objects.out());

        assertEquals(0, site(dm, "approve", "job-1").exit());
        CliRun rej = site(dm, "reject", "job-2", "--reason", "dataset not in the agreement");
        assertEquals(0, rej.exit(), rej.err());
        CliRun req = site(dm, "requests");
        assertTrue(req.out().contains("job-1") && req.out().contains("approved") && req.out().contains("rejected"), req.out());
        CliRun again = site(dm, "approve", "job-2");
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("already rejected"), again.err());
        assertEquals(2, site(dm, "reject", "job-1").exit(), "--reason is required");

        CliRun clean = site(dm, "verify");
        assertEquals(0, clean.exit(), clean.err());
        assertTrue(clean.out().contains("store intact: 2 object(s) checked"), clean.out());
        try (RandomAccessFile f = new RandomAccessFile(store.pathOf(derivative).toFile(), "rw")) {
            f.seek(f.length() - 1);
            int b = f.read();
            f.seek(f.length() - 1);
            f.write(b ^ 0x40);
        }
        CliRun bad = site(dm, "verify");
        assertEquals(1, bad.exit());
        assertTrue(bad.out().contains("altered: object " + derivative), bad.out());
        assertTrue(bad.err().contains("the store is not intact: 1 problem(s)"), bad.err());
    }

    @Test
    void refusalsAndUnreachableSiteAreOneLineAndExitOne() throws Exception {
        CliRun r = site(researcher, "consent", "list");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("medveil: error: refused by the site's access policy: researcher may not manage-consent"),
                r.err());
        CliRun v = site(researcher, "verify");
        assertEquals(1, v.exit());
        assertTrue(v.err().contains("researcher may not verify-store"), v.err());
        CliRun o = site(researcher, "objects");
        assertEquals(1, o.exit());
        assertTrue(o.err().contains("give its job id and purpose"), o.err());

        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        CliRun down = CliRun.run("site", "status", "--kit", dm.toString(), "--admin", "127.0.0.1:" + free);
        assertEquals(1, down.exit());
        assertTrue(down.err().contains("cannot reach the site node's admin API at 127.0.0.1:" + free), down.err());
    }

    @Test
    void everyOperatorCommandHasHelp() {
        for (List<String> cmd : List.of(List.of("status"), List.of("objects"), List.of("consent"),
                List.of("consent", "import"), List.of("consent", "list"), List.of("consent", "withdraw"),
                List.of("labels", "import"), List.of("requests"), List.of("approve"), List.of("reject"), List.of("verify"))) {
            String[] args = new String[cmd.size() + 2];
            args[0] = "site";
            for (int i = 0; i < cmd.size(); i++) {
                args[i + 1] = cmd.get(i);
            }
            args[args.length - 1] = "--help";
            CliRun h = CliRun.run(args);
            assertEquals(0, h.exit(), cmd + ": " + h.err());
            assertTrue(h.out().contains("Usage: medveil site " + String.join(" ", cmd)), h.out());
        }
        CliRun bare = CliRun.run("site", "consent");
        assertEquals(2, bare.exit());
        assertTrue(bare.err().contains("needs a subcommand"), bare.err());
    }
}
