package org.medveil.governance.pki;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("REQ-USE-3")
class PeerVerifierTest {

    @TempDir
    Path dir;
    private Provisioner provisioner;
    private PeerVerifier verifier;

    @BeforeEach
    void setUp() {
        provisioner = Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null,
                List.of("hospital-a"), List.of(new ProjectSpec.User("rita", "researcher"))), dir, Clock.systemUTC());
        Kit coordinator = Kit.load(dir.resolve("coordinator"));
        RevocationList crl = new RevocationList(coordinator.crlFile(), coordinator.caCertificate(),
                Clock.systemUTC(), Duration.ZERO);
        verifier = new PeerVerifier(coordinator.caCertificate(), "demo", crl, Clock.systemUTC());
    }

    private PeerRefusedException.Reason refusal(Path kit, Set<Kind> kinds) {
        return assertThrows(PeerRefusedException.class,
                () -> verifier.verify(Kit.load(kit).certificate(), kinds)).reason();
    }

    @Test
    void acceptsAProvisionedSiteAndNamesIt() throws Exception {
        Identity id = verifier.verify(Kit.load(dir.resolve("sites/hospital-a")).certificate(), Set.of(Kind.SITE));
        assertEquals(Identity.site("demo", "hospital-a"), id);
    }

    @Test
    void refusesACertificateFromAnotherCa(@TempDir Path other) {
        Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null, List.of("hospital-a"), null),
                other, Clock.systemUTC());
        assertEquals(PeerRefusedException.Reason.UNKNOWN_CA, refusal(other.resolve("sites/hospital-a"), Set.of(Kind.SITE)));
    }

    @Test
    void refusesAnExpiredCertificate() {
        Instant past = Instant.now().minus(Duration.ofDays(10));
        provisioner.add(Identity.site("demo", "old-site"), past, past.plus(Duration.ofDays(1)));
        assertEquals(PeerRefusedException.Reason.EXPIRED, refusal(dir.resolve("sites/old-site"), Set.of(Kind.SITE)));
    }

    @Test
    void refusesARevokedCertificateAsSoonAsTheCrlFileChanges() throws Exception {
        Path kit = dir.resolve("sites/hospital-a");
        verifier.verify(Kit.load(kit).certificate(), Set.of(Kind.SITE));
        provisioner.revoke("hospital-a");
        assertEquals(PeerRefusedException.Reason.REVOKED, refusal(kit, Set.of(Kind.SITE)));
    }

    @Test
    void refusesAUserWhereASiteIsRequiredAndTheCoordinatorAsAClient() {
        assertEquals(PeerRefusedException.Reason.WRONG_KIND, refusal(dir.resolve("users/rita"), Set.of(Kind.SITE)));
        assertEquals(PeerRefusedException.Reason.WRONG_KIND,
                refusal(dir.resolve("coordinator"), Set.of(Kind.SITE, Kind.USER)));
    }

    @Test
    void aSiteCertificateCannotPassAsTheCoordinator() throws Exception {
        // Site certificates carry serverAuth for their DICOM SCP; the identity still decides.
        assertEquals(PeerRefusedException.Reason.WRONG_KIND,
                refusal(dir.resolve("sites/hospital-a"), Set.of(Kind.COORDINATOR)));
        assertEquals(Kind.COORDINATOR,
                verifier.verify(Kit.load(dir.resolve("coordinator")).certificate(), Set.of(Kind.COORDINATOR)).kind());
    }

    @Test
    void refusalMessageCarriesTheFingerprint() {
        Path kit = dir.resolve("sites/hospital-a");
        provisioner.revoke("hospital-a");
        PeerRefusedException e = assertThrows(PeerRefusedException.class,
                () -> verifier.verify(Kit.load(kit).certificate(), Set.of(Kind.SITE)));
        String fp = Kit.load(kit).fingerprint();
        assertEquals(fp, e.fingerprint());
        assertTrue(e.getMessage().contains("revoked") && e.getMessage().contains(fp), e.getMessage());
    }

    @Test
    void aCrlNotSignedByTheProjectCaIsIgnored(@TempDir Path other) throws Exception {
        Provisioner foreign = Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null,
                List.of("x"), null), other, Clock.systemUTC());
        foreign.revoke("x");
        java.nio.file.Files.copy(other.resolve("ca/crl.pem"), dir.resolve("coordinator/crl.pem"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        // the project's own site is still admitted: the foreign CRL did not replace the real one
        Identity id = verifier.verify(Kit.load(dir.resolve("sites/hospital-a")).certificate(), Set.of(Kind.SITE));
        assertEquals("hospital-a", id.name());
    }

    @Test
    void aRevocationCarriesItsDateAndTheCrlInForceSurvivesItsFileVanishing() throws Exception {
        Path kit = dir.resolve("sites/hospital-a");
        Instant before = Instant.now().minusSeconds(1);
        provisioner.revoke("hospital-a");
        PeerRefusedException e = assertThrows(PeerRefusedException.class,
                () -> verifier.verify(Kit.load(kit).certificate(), Set.of(Kind.SITE)));
        assertTrue(e.at() != null && !e.at().isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)),
                "revocation date " + e.at());
        assertEquals(PeerRefusedException.Reason.REVOKED, e.reason());
        assertEquals(23, e.reason().x509Error(), "X509_V_ERR_CERT_REVOKED, which BoringSSL sends as certificate_revoked");
        java.nio.file.Files.delete(dir.resolve("coordinator/crl.pem"));
        assertEquals(PeerRefusedException.Reason.REVOKED, refusal(kit, Set.of(Kind.SITE)));
    }

    @Test
    void identityUriRoundTripsForEveryRole() {
        for (Role r : Role.values()) {
            Identity id = Identity.user("demo", "u1", r);
            assertEquals(id, Identity.parse(id.toUri().toString()));
        }
        assertEquals(Identity.site("demo", "h1"), Identity.parse("medveil://demo/site/h1"));
        assertThrows(PkiException.class, () -> Identity.site("demo", "Bad Name"));
    }
}
