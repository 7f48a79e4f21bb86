package org.medveil.governance.pki;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Decides whether a peer's certificate is acceptable and who it names. Checks, in order:
 * issued by the project CA, within its validity, not revoked, carries a MedVeil identity of
 * this project, and is of an allowed kind with the matching extended key usage. Each failure
 * has its own reason so operators can tell an expired kit from a foreign one.
 */
public final class PeerVerifier {

    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    private final X509Certificate ca;
    private final String project;
    private final RevocationList crl;
    private final Clock clock;

    public PeerVerifier(X509Certificate ca, String project, RevocationList crl, Clock clock) {
        this.ca = ca;
        this.project = project;
        this.crl = crl;
        this.clock = clock;
    }

    public Identity verify(X509Certificate[] chain, Set<Kind> allowedKinds) throws PeerRefusedException {
        if (chain == null || chain.length == 0) {
            throw new PeerRefusedException(PeerRefusedException.Reason.NO_CERTIFICATE, null, null);
        }
        return verify(chain[0], allowedKinds);
    }

    public Identity verify(X509Certificate cert, Set<Kind> allowedKinds) throws PeerRefusedException {
        String fp = Certificates.fingerprint(cert);
        try {
            cert.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new PeerRefusedException(PeerRefusedException.Reason.UNKNOWN_CA, fp,
                    "issuer " + cert.getIssuerX500Principal().getName());
        }
        try {
            cert.checkValidity(Date.from(clock.instant()));
        } catch (CertificateExpiredException e) {
            throw new PeerRefusedException(PeerRefusedException.Reason.EXPIRED, fp,
                    "not after " + cert.getNotAfter().toInstant(), cert.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new PeerRefusedException(PeerRefusedException.Reason.NOT_YET_VALID, fp,
                    "not before " + cert.getNotBefore().toInstant(), cert.getNotBefore().toInstant());
        }
        var revoked = crl.revocation(cert);
        if (revoked.isPresent()) {
            Instant when = revoked.get().at();
            throw new PeerRefusedException(PeerRefusedException.Reason.REVOKED, fp, "on " + when, when);
        }
        Identity id;
        try {
            id = Certificates.identity(cert);
        } catch (PkiException e) {
            throw new PeerRefusedException(PeerRefusedException.Reason.NO_IDENTITY, fp, null);
        }
        if (!id.project().equals(project)) {
            throw new PeerRefusedException(PeerRefusedException.Reason.WRONG_PROJECT, fp, "project " + id.project());
        }
        if (!allowedKinds.contains(id.kind()) || !hasUsage(cert, id.kind() == Kind.COORDINATOR ? SERVER_AUTH : CLIENT_AUTH)) {
            throw new PeerRefusedException(PeerRefusedException.Reason.WRONG_KIND, fp,
                    id.describe() + "; expected " + allowedKinds);
        }
        return id;
    }

    private static boolean hasUsage(X509Certificate cert, String oid) {
        try {
            List<String> eku = cert.getExtendedKeyUsage();
            return eku != null && eku.contains(oid);
        } catch (CertificateParsingException e) {
            return false;
        }
    }
}
