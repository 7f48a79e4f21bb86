package org.medveil.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.audit.AuditSigner;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.governance.policy.AccessPolicy;
import org.medveil.governance.policy.PolicyOptions;
import org.medveil.site.admin.AdminLifecycle;
import org.medveil.site.admin.SiteAdminServer;
import org.medveil.site.config.SiteConfig;
import org.medveil.site.config.SiteConfigTemplate;
import org.medveil.site.store.ObjectDestroyedException;
import org.medveil.site.store.ObjectMeta;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.SiteKeystore;
import org.medveil.site.store.StoredObjectKind;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The life-cycle commands against a real site: a site folder from {@code site init}'s template,
 * the admin API on loopback with mTLS, a real store, key folder and audit log in DATA/audit.
 */
class SiteLifecycleCommandTest {

    @TempDir
    Path tmp;
    Path prov;
    Path siteKit;
    Path dm;
    Path researcher;
    Path config;
    SiteConfig cfg;
    SiteKeystore keystore;
    ObjectStore store;
    AuditLog audit;
    SiteAdminServer server;
    String admin;
    String keep;
    String doomed;

    @BeforeEach
    void setUp() throws Exception {
        prov = tmp.resolve("prov");
        Provisioner.init(new ProjectSpec("proj", "localhost:8443", null, null, List.of("hospital-a"),
                List.of(new ProjectSpec.User("dana", "data-manager"), new ProjectSpec.User("rita", "researcher"))),
                prov, Clock.systemUTC());
        siteKit = prov.resolve("sites/hospital-a");
        dm = prov.resolve("users/dana");
        researcher = prov.resolve("users/rita");
        Path siteDir = tmp.resolve("site");
        config = SiteConfigTemplate.write(siteDir, "HOSP_A", 11112);
        Files.writeString(config, Files.readString(config).replace("env:MEDVEIL_KEYSTORE_PASSWORD", "file:keys/keystore.pass"));
        Files.createDirectories(siteDir.resolve("keys"));
        Path pass = siteDir.resolve("keys/keystore.pass");
        Files.writeString(pass, "restore test password\n");
        Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
        cfg = SiteConfig.load(config);
        keystore = SiteKeystore.create(cfg.store().keystore(), "restore test password".toCharArray(),
                org.medveil.governance.crypto.CipherSuite.AES_256_GCM);
        store = ObjectStore.open(cfg.store().dataFolder(), keystore);
        ObjectMeta meta = ObjectMeta.of("chest-ct").withDicom("1.2.840.10008.5.1.4.1.1.2", "CT", "CHEST")
                .withClassification("clinical-structural", 2);
        keep = store.put(StoredObjectKind.ORIGINAL, "keep these bytes".getBytes(StandardCharsets.UTF_8), meta).id();
        doomed = store.put(StoredObjectKind.ORIGINAL, "doomed bytes".getBytes(StandardCharsets.UTF_8), meta).id();
        start();
    }

    private void start() {
        Kit site = Kit.load(siteKit);
        audit = AuditLog.open(AdminLifecycle.auditFolder(cfg), AuditSigner.of(site));
        AccessPolicy policy = new AccessPolicy(PolicyOptions.defaults());
        server = SiteAdminServer.start(site, new SiteConfig.AdminSettings("127.0.0.1", 0), store, keystore, audit, policy,
                Clock.systemUTC(), AdminLifecycle.of(site, store, audit, AdminLifecycle.defaultArchiveRoot(cfg), policy.options()));
        admin = "127.0.0.1:" + server.port();
    }

    private void stop() {
        if (server != null) {
            server.close();
            audit.close();
            store.close();
            server = null;
        }
    }

    @AfterEach
    void tearDown() {
        stop();
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

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in: " + text);
        return m.group(1);
    }

    @Test
    @org.junit.jupiter.api.Tag("REQ-STO-3")
    void backupDestroyWipeRestoreVerify() throws Exception {
        Path backups = tmp.resolve("backups");
        CliRun b = site(dm, "backup", backups.toString());
        assertEquals(0, b.exit(), b.err());
        assertTrue(b.out().matches("(?s)backup set backup-\\S+: 2 object\\(s\\), \\d+ bytes, at .*"), b.out());
        Path set = Path.of(group(b.out(), "at (\\S+) \\(on the site host\\)"));
        CliRun v = site(dm, "backup", "verify", set.toString());
        assertEquals(0, v.exit(), v.err());
        assertTrue(v.out().contains("backup set intact"), v.out());

        // destroy one object after the backup: request, approve, execute (one data manager suffices here)
        CliRun req = site(dm, "destroy", "request", "--object", doomed);
        assertEquals(0, req.exit(), req.err());
        String id = group(req.out(), "destruction request (del-[0-9a-f]+) filed");
        CliRun refused = site(researcher, "destroy", "approve", id);
        assertEquals(1, refused.exit());
        assertTrue(refused.err().startsWith("medveil: error: refused by the site's access policy: researcher may not"
                + " approve-destruction"), refused.err());
        CliRun early = site(dm, "destroy", "execute", id);
        assertEquals(1, early.exit());
        assertTrue(early.err().contains("destruction needs a data manager's approval"), early.err());
        CliRun ap = site(dm, "destroy", "approve", id);
        assertEquals(0, ap.exit(), ap.err());
        assertTrue(ap.out().contains("1 of 1 approval(s); run 'medveil site destroy execute " + id + "'"), ap.out());
        CliRun ex = site(dm, "destroy", "execute", id);
        assertEquals(0, ex.exit(), ex.err());
        assertTrue(ex.out().startsWith("destroyed 1 object(s) (1 data key(s), 1 live file(s)); certificate " + id), ex.out());
        CliRun list = site(dm, "destroy", "list");
        assertTrue(list.out().contains(id) && list.out().contains("executed"), list.out());
        stop();
        CliRun av = CliRun.run("audit", "verify", AdminLifecycle.auditFolder(cfg).toString(), "--ca",
                prov.resolve("ca/ca.pem").toString());
        assertEquals(0, av.exit(), av.out() + av.err());

        // the site is down: wipe the data folder (audit included), restore offline from the set made before
        try (Stream<Path> s = Files.walk(cfg.store().dataFolder())) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        CliRun r = CliRun.run("site", "restore", set.toString(), "--config", config.toString(), "--kit", siteKit.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("2 object file(s)"), r.out());
        assertTrue(r.out().contains("1 object(s) were destroyed after this backup and stay destroyed"), r.out());
        assertTrue(r.out().contains("store intact: 1 object(s) checked"), r.out());   // the destroyed one is a tombstone
        CliRun again = CliRun.run("site", "restore", set.toString(), "--config", config.toString(), "--kit", siteKit.toString());
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("is not empty"), again.err());

        store = ObjectStore.open(cfg.store().dataFolder(), keystore);
        assertArrayEquals("keep these bytes".getBytes(StandardCharsets.UTF_8), store.read(keep));
        assertThrows(ObjectDestroyedException.class, () -> store.read(doomed));
        start();
        CliRun ver = site(dm, "verify");
        assertEquals(0, ver.exit(), ver.out() + ver.err());
        assertTrue(ver.out().contains("store intact"), ver.out());
        stop();
        // the restored trail verifies with the restore record in it
        CliRun av2 = CliRun.run("audit", "verify", AdminLifecycle.auditFolder(cfg).toString(), "--ca",
                prov.resolve("ca/ca.pem").toString());
        assertEquals(0, av2.exit(), av2.out() + av2.err());
        assertTrue(Files.readString(Files.list(AdminLifecycle.auditFolder(cfg)).filter(p -> p.toString().endsWith(".jsonl"))
                .sorted().reduce((a, c) -> c).orElseThrow()).contains("\"restore\""));
    }

    @Test
    void tamperedSetIsNamedAndArchivesRoundTrip() throws Exception {
        CliRun b = site(dm, "backup", tmp.resolve("backups").toString());
        Path set = Path.of(group(b.out(), "at (\\S+) \\(on the site host\\)"));
        Files.writeString(set.resolve("extra.txt"), "x");
        CliRun v = site(dm, "backup", "verify", set.toString());
        assertEquals(1, v.exit());
        assertTrue(v.out().contains("extra: extra.txt"), v.out());
        assertTrue(v.err().contains("is not intact: 1 problem(s)"), v.err());

        CliRun a = site(dm, "archive", "--older-than-days", "0");
        assertEquals(0, a.exit(), a.err());
        String id = group(a.out(), "archive (archive-\\S+): 2 object\\(s\\)");
        CliRun l = site(dm, "archive", "list");
        assertTrue(l.out().contains(id) && l.out().contains("yes"), l.out());
        CliRun rr = site(researcher, "archive", "restore", id);
        assertEquals(1, rr.exit());
        assertTrue(rr.err().contains("researcher may not restore-archive"), rr.err());
        CliRun ok = site(dm, "archive", "restore", id);
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("2 object(s) restored, 0 not restored"), ok.out());
        CliRun none = site(dm, "archive", "--older-than-days", "0", "--dataset", "nothing-here");
        assertEquals("nothing to archive: no active object matches", none.out().strip());
    }

    @Test
    void consentWithdrawalDestroysDerivativesAndSaysSo() throws Exception {
        String patientKey = new org.medveil.governance.consent.PatientPseudonymizer(keystore.pseudonymKey())
                .pseudonym("PATSECRET-9").hex();
        ObjectMeta meta = ObjectMeta.of("chest-ct").withDicom("1.2.840.10008.5.1.4.1.1.2", "CT", "CHEST")
                .withClassification("clinical-structural", 2).withPatientKey(patientKey);
        String original = store.put(StoredObjectKind.ORIGINAL, "o9".getBytes(StandardCharsets.UTF_8), meta).id();
        String derivative = store.put(StoredObjectKind.DERIVATIVE, "d9".getBytes(StandardCharsets.UTF_8),
                meta.withParent(original)).id();
        Path csv = tmp.resolve("consents.csv");
        Files.writeString(csv, "patient_id,purposes,joint_modeling,valid_from,expires\nPATSECRET-9,research,yes,2020-01-01,\n");
        assertEquals(0, site(dm, "consent", "import", csv.toString()).exit());
        CliRun w = site(dm, "consent", "withdraw", "--patient", "PATSECRET-9", "--purpose", "research");
        assertEquals(0, w.exit(), w.err());
        assertTrue(w.out().contains("destroyed 1 derivative(s); certificate del-"), w.out());
        assertFalse(w.out().contains("PATSECRET"), w.out());
        assertThrows(ObjectDestroyedException.class, () -> store.read(derivative));
        assertArrayEquals("o9".getBytes(StandardCharsets.UTF_8), store.read(original));
    }

    @Test
    void usageErrorsAndHelp() {
        for (List<String> cmd : List.of(List.of("backup"), List.of("backup", "verify"), List.of("restore"),
                List.of("archive"), List.of("archive", "list"), List.of("archive", "restore"), List.of("destroy"),
                List.of("destroy", "request"), List.of("destroy", "approve"), List.of("destroy", "execute"),
                List.of("destroy", "list"))) {
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
        assertTrue(CliRun.run("site", "restore", "--help").out().contains("keystore password is the trust anchor"));
        assertEquals(2, CliRun.run("site", "destroy").exit());
        assertEquals(2, site(dm, "destroy", "request").exit(), "a target is required");
        assertEquals(2, site(dm, "destroy", "request", "--dataset", "a", "--object", "b").exit(), "one target only");
        assertEquals(2, site(dm, "backup").exit(), "DEST is required");
        assertEquals(2, CliRun.run("site", "backup", "/tmp/x").exit(), "--kit is required");
        assertEquals(2, site(dm, "archive").exit(), "--older-than-days is required");
        assertEquals(2, CliRun.run("site", "restore", "/tmp/x").exit(), "--config is required");
    }
}
