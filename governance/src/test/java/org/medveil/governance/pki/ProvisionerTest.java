package org.medveil.governance.pki;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.config.ConfigException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("REQ-USE-3")
class ProvisionerTest {

    @TempDir
    Path dir;

    private Provisioner init() {
        ProjectSpec spec = new ProjectSpec("demo", "localhost:8443", List.of("fl.example.org"), 30,
                List.of("hospital-a", "hospital-b"),
                List.of(new ProjectSpec.User("alice", "project-admin"), new ProjectSpec.User("bob", "researcher")));
        return Provisioner.init(spec, dir, Clock.systemUTC());
    }

    @Test
    void initWritesOneLoadableKitPerParticipantWithOwnerOnlyKeys() throws IOException {
        init();
        Map<String, Kind> expected = Map.of("coordinator", Kind.COORDINATOR, "sites/hospital-a", Kind.SITE,
                "sites/hospital-b", Kind.SITE, "users/alice", Kind.USER, "users/bob", Kind.USER);
        for (var e : expected.entrySet()) {
            Kit kit = Kit.load(dir.resolve(e.getKey()));
            assertEquals(e.getValue(), kit.identity().kind());
            assertEquals("demo", kit.identity().project());
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(kit.dir().resolve(KitConfig.KEY))));
        }
        assertEquals(Role.RESEARCHER, Kit.load(dir.resolve("users/bob")).identity().role());
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("ca").resolve(CertificateAuthority.CA_KEY))));
    }

    @Test
    void coordinatorCertificateNamesItsHostsAndUsersCannotServe() throws Exception {
        init();
        X509Certificate coord = Kit.load(dir.resolve("coordinator")).certificate();
        List<String> names = coord.getSubjectAlternativeNames().stream()
                .filter(s -> (Integer) s.get(0) == 2).map(s -> (String) s.get(1)).toList();
        assertEquals(List.of("localhost", "fl.example.org"), names);
        assertTrue(coord.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"));
        X509Certificate site = Kit.load(dir.resolve("sites/hospital-a")).certificate();
        assertEquals(List.of("1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1"), site.getExtendedKeyUsage());
        X509Certificate user = Kit.load(dir.resolve("users/bob")).certificate();
        assertEquals(List.of("1.3.6.1.5.5.7.3.2"), user.getExtendedKeyUsage());
    }

    @Test
    void caPrivateKeyNeverAppearsInAnyKit() throws IOException {
        init();
        Provisioner.open(dir, Clock.systemUTC()).addSite("hospital-c");
        String caKey = Files.readString(dir.resolve("ca").resolve(CertificateAuthority.CA_KEY)).trim();
        String keyBody = caKey.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.startsWith(dir.resolve("ca"))).toList()) {
                String text = Files.readString(f).replace("\n", "");
                assertFalse(text.contains(keyBody), "CA key found in " + dir.relativize(f));
            }
        }
    }

    @Test
    void addSiteAndUserLeaveOtherKitsUntouched() throws Exception {
        init();
        Map<String, String> before = digests(dir.resolve("sites/hospital-a"));
        before.putAll(digests(dir.resolve("users/alice")));
        Provisioner p = Provisioner.open(dir, Clock.systemUTC());
        p.addSite("hospital-c");
        p.addUser("carol", Role.COMPLIANCE_OFFICER);
        Map<String, String> after = digests(dir.resolve("sites/hospital-a"));
        after.putAll(digests(dir.resolve("users/alice")));
        assertEquals(before, after);
        assertEquals(Role.COMPLIANCE_OFFICER, Kit.load(dir.resolve("users/carol")).identity().role());
        assertEquals(Kind.SITE, Kit.load(dir.resolve("sites/hospital-c")).identity().kind());
    }

    @Test
    void namesAreUniqueAcrossSitesAndUsers() {
        Provisioner p = init();
        PkiException e = assertThrows(PkiException.class, () -> p.addUser("hospital-a", Role.RESEARCHER));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }

    @Test
    void revokeAddsTheSerialToTheCrlAndTheCoordinatorKitCopy() {
        Provisioner p = init();
        X509Certificate site = Kit.load(dir.resolve("sites/hospital-b")).certificate();
        p.revoke("hospital-b");
        assertTrue(Pem.readCrl(dir.resolve("ca/crl.pem")).isRevoked(site));
        assertTrue(Pem.readCrl(dir.resolve("coordinator/crl.pem")).isRevoked(site));
        X509Certificate other = Kit.load(dir.resolve("sites/hospital-a")).certificate();
        assertFalse(Pem.readCrl(dir.resolve("coordinator/crl.pem")).isRevoked(other));
        assertEquals(ProjectRecord.Participant.REVOKED, Provisioner.open(dir, Clock.systemUTC())
                .current("hospital-b").orElseThrow().status());
    }

    @Test
    void renewIssuesANewKeyAndCertificateAndSupersedesTheOld() throws IOException {
        Provisioner p = init();
        Kit old = Kit.load(dir.resolve("sites/hospital-a"));
        String config = Files.readString(old.dir().resolve(KitConfig.FILE));
        p.renew("hospital-a");
        Kit renewed = Kit.load(dir.resolve("sites/hospital-a"));
        assertNotEquals(old.certificate().getSerialNumber(), renewed.certificate().getSerialNumber());
        assertNotEquals(old.certificate().getPublicKey(), renewed.certificate().getPublicKey());
        assertEquals(config, Files.readString(renewed.dir().resolve(KitConfig.FILE)));
        assertTrue(Pem.readCrl(dir.resolve("coordinator/crl.pem")).isRevoked(old.certificate()));
        assertFalse(Pem.readCrl(dir.resolve("coordinator/crl.pem")).isRevoked(renewed.certificate()));
    }

    @Test
    void everyKitCarriesTheCrlAndEveryChangeOfItReachesEveryKit() {
        Provisioner p = init();
        List<String> kits = List.of("coordinator", "sites/hospital-a", "sites/hospital-b", "users/alice", "users/bob");
        for (String k : kits) {
            assertEquals(dir.resolve(k).resolve(KitConfig.CRL), Kit.load(dir.resolve(k)).crlFile(), k);
        }
        X509Certificate b = Kit.load(dir.resolve("sites/hospital-b")).certificate();
        p.revoke("hospital-b");
        for (String k : kits) {
            assertTrue(Pem.readCrl(dir.resolve(k).resolve(KitConfig.CRL)).isRevoked(b), k + " has the new CRL");
        }
        X509Certificate alice = Kit.load(dir.resolve("users/alice")).certificate();
        p.renew("alice");
        for (String k : kits) {
            assertTrue(Pem.readCrl(dir.resolve(k).resolve(KitConfig.CRL)).isRevoked(alice), k + " has the renewal");
        }
        assertTrue(Pem.readCrl(Kit.load(p.addSite("hospital-c")).crlFile()).isRevoked(b),
                "a new kit starts with the current CRL");
    }

    @Test
    void aRevokedCoordinatorIsRenewedAndOnlyTheOldCertificateStaysRevoked() {
        Provisioner p = init();
        X509Certificate old = Kit.load(dir.resolve("coordinator")).certificate();
        p.revoke("coordinator");
        Kit site = Kit.load(dir.resolve("sites/hospital-a"));
        RevocationList crl = RevocationList.of(site, Clock.systemUTC(), java.time.Duration.ZERO);
        assertTrue(crl.revocation(old).orElseThrow().shutOut(), "sites see the coordinator revoked");
        p.renew("coordinator");
        X509Certificate renewed = Kit.load(dir.resolve("coordinator")).certificate();
        assertTrue(crl.revocation(old).orElseThrow().shutOut(), "the old one stays revoked, not merely superseded");
        assertTrue(crl.revocation(renewed).isEmpty());
        assertEquals(ProjectRecord.Participant.ACTIVE, Provisioner.open(dir, Clock.systemUTC())
                .current("coordinator").orElseThrow().status());
    }

    @Test
    void aKitThatLostItsCrlFileStillLoadsWithoutOne() throws IOException {
        init();
        Path kit = dir.resolve("users/bob");
        Files.writeString(kit.resolve(KitConfig.FILE),
                Files.readString(kit.resolve(KitConfig.FILE)).replaceAll("(?m)^crl:.*\\n", ""));
        Files.delete(kit.resolve(KitConfig.CRL));
        assertEquals(null, Kit.load(kit).crlFile(), "kits from before kits carried a CRL still work");
    }

    @Test
    void aRevokedParticipantCannotBeRenewedBackIn() {
        Provisioner p = init();
        p.revoke("hospital-b");
        PkiException e = assertThrows(PkiException.class, () -> p.renew("hospital-b"));
        assertTrue(e.getMessage().contains("revoked"), e.getMessage());
    }

    @Test
    void lifetimeCanBeSetPerCertificate() {
        Provisioner p = init();
        Kit kit = Kit.load(p.addSite("short-lived", 2));
        long days = java.time.Duration.between(kit.certificate().getNotBefore().toInstant(),
                kit.certificate().getNotAfter().toInstant()).toDays();
        assertEquals(2, days);
        assertThrows(PkiException.class, () -> p.addSite("never", 0));
    }

    @Test
    void initRefusesAFolderThatAlreadyHoldsAProject() {
        init();
        PkiException e = assertThrows(PkiException.class, this::init);
        assertTrue(e.getMessage().contains("already holds a provisioned project"), e.getMessage());
    }

    @Test
    void missingKitFileIsNamed() throws IOException {
        init();
        Path kit = dir.resolve("sites/hospital-a");
        Files.delete(kit.resolve(KitConfig.CA));
        PkiException e = assertThrows(PkiException.class, () -> Kit.load(kit));
        assertTrue(e.getMessage().contains(kit.resolve(KitConfig.CA).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void keyThatDoesNotMatchTheCertificateIsNamed() throws IOException {
        init();
        Path kit = dir.resolve("sites/hospital-a");
        Files.copy(dir.resolve("sites/hospital-b/key.pem"), kit.resolve(KitConfig.KEY),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        PkiException e = assertThrows(PkiException.class, () -> Kit.load(kit));
        assertTrue(e.getMessage().contains(kit.resolve(KitConfig.KEY).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    }

    @Test
    void keyReadableByOthersIsRefused() throws IOException {
        init();
        Path key = dir.resolve("sites/hospital-a").resolve(KitConfig.KEY);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        PkiException e = assertThrows(PkiException.class, () -> Kit.load(key.getParent()));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
    }

    @Test
    void garbageInAPemFileIsNamed() throws IOException {
        init();
        Path kit = dir.resolve("sites/hospital-a");
        Files.writeString(kit.resolve(KitConfig.CERT), "not a certificate\n");
        PkiException e = assertThrows(PkiException.class, () -> Kit.load(kit));
        assertTrue(e.getMessage().contains(kit.resolve(KitConfig.CERT).toString()), e.getMessage());
    }

    @Test
    void unknownConfigFieldIsNamedWithItsLine() throws IOException {
        init();
        Path kit = dir.resolve("sites/hospital-a");
        Files.writeString(kit.resolve(KitConfig.FILE), Files.readString(kit.resolve(KitConfig.FILE)) + "colour: blue\n");
        ConfigException e = assertThrows(ConfigException.class, () -> Kit.load(kit));
        assertTrue(e.getMessage().contains("unknown field 'colour'"), e.getMessage());
        assertTrue(e.getMessage().contains(" line "), e.getMessage());
    }

    @Test
    void certificateOfAnotherParticipantIsRefusedByName() throws IOException {
        init();
        Path kit = dir.resolve("sites/hospital-a");
        Files.copy(dir.resolve("sites/hospital-b/cert.pem"), kit.resolve(KitConfig.CERT),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(dir.resolve("sites/hospital-b/key.pem"), kit.resolve(KitConfig.KEY),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        PkiException e = assertThrows(PkiException.class, () -> Kit.load(kit));
        assertTrue(e.getMessage().contains("site hospital-b"), e.getMessage());
    }

    private static Map<String, String> digests(Path kit) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> files = Files.list(kit)) {
            for (Path f : files.toList()) {
                m.put(kit.getFileName() + "/" + f.getFileName(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
            }
        }
        return m;
    }
}
