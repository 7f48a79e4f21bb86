package org.medveil.site.lifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.audit.AuditSigner;
import org.medveil.governance.crypto.CipherSuite;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.SiteKeystore;

/**
 * A real site for lifecycle tests: a provisioned project (site kit hospital-a, two data managers,
 * a researcher, a compliance officer), a keystore in {@code root/keys}, data in {@code root/data},
 * the audit log in {@code root/audit}.
 */
final class LifecycleFixture {

    static final String PASSWORD = "correct horse battery staple";
    static final String SITE = "hospital-a";

    final Path root;
    final Kit site;
    final Kit dm1;
    final Kit dm2;
    final Kit researcher;
    final Kit compliance;
    final SiteKeystore keystore;

    LifecycleFixture(Path root) {
        this.root = root;
        Path prov = root.resolve("prov");
        Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null, List.of(SITE),
                List.of(new ProjectSpec.User("dm-one", "data-manager"), new ProjectSpec.User("dm-two", "data-manager"),
                        new ProjectSpec.User("res-one", "researcher"),
                        new ProjectSpec.User("co-one", "compliance-officer"))), prov, Clock.systemUTC());
        site = Kit.load(prov.resolve("sites/" + SITE));
        dm1 = Kit.load(prov.resolve("users/dm-one"));
        dm2 = Kit.load(prov.resolve("users/dm-two"));
        researcher = Kit.load(prov.resolve("users/res-one"));
        compliance = Kit.load(prov.resolve("users/co-one"));
        keystore = SiteKeystore.create(root.resolve("keys/site.p12"), PASSWORD.toCharArray(), CipherSuite.AES_256_GCM);
    }

    Path dataDir() {
        return root.resolve("data");
    }

    Path auditDir() {
        return root.resolve("audit");
    }

    ObjectStore openStore() {
        return ObjectStore.open(dataDir(), keystore);
    }

    ObjectStore openStore(Path dataDir) {
        return ObjectStore.open(dataDir, keystore);
    }

    AuditSigner signer() {
        return AuditSigner.of(site);
    }

    AuditLog openAudit() {
        return AuditLog.open(auditDir(), signer(), AuditLog.Options.DEFAULTS.withCheckpointEvery(5));
    }

    /** Random bytes with {@code marker} every 4 KiB (incompressible apart from the marker). */
    static byte[] marked(String marker, int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
        for (int off = 0; off + m.length <= size; off += 4096) {
            System.arraycopy(m, 0, b, off, m.length);
        }
        return b;
    }

    /** Every regular file under {@code dir} containing {@code needle}. */
    static List<Path> filesContaining(Path dir, byte[] needle) {
        List<Path> hits = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                byte[] hay = Files.readAllBytes(p);
                outer:
                for (int i = 0; i + needle.length <= hay.length; i++) {
                    for (int j = 0; j < needle.length; j++) {
                        if (hay[i + j] != needle[j]) {
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

    static void deleteTree(Path dir) {
        try {
            Files2.deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
