package org.medveil.governance.crypto;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.PeerRefusedException;
import org.medveil.governance.pki.PeerVerifier;
import org.medveil.governance.pki.RevocationList;
import org.medveil.he.SignatureRefusedException;
import org.medveil.he.SignatureRefusedException.Reason;
import org.medveil.he.verify.ContributionVerifier;

/**
 * Checks a site's signature on an he-crypto message: the credential must be a certificate issued
 * by the project CA, valid now, not revoked, of kind site, of this project, whose URI identity
 * names exactly the claimed site; then the ECDSA signature must verify under its key. Anything
 * about the certificate is {@link Reason#UNKNOWN_SIGNER}; a signature that does not verify is
 * {@link Reason#BAD_SIGNATURE}.
 *
 * <p>The CA signature and identity of a certificate are checked once and cached by the
 * certificate's SHA-256 (a holder sees the same 100 certificates thousands of times per round);
 * validity and revocation are checked on every call. Thread-safe.
 */
public final class CertificateVerifier implements ContributionVerifier {

    private record Admitted(X509Certificate cert, Identity identity) {
    }

    private final PeerVerifier peers;
    private final RevocationList crl;
    private final Clock clock;
    private final Map<String, Admitted> admitted = new ConcurrentHashMap<>();

    public CertificateVerifier(X509Certificate projectCa, String project, RevocationList crl, Clock clock) {
        this.peers = new PeerVerifier(projectCa, project, crl, clock);
        this.crl = crl;
        this.clock = clock;
    }

    @Override
    public void verify(String site, byte[] message, byte[] signature, byte[] credential) {
        Admitted a = admit(credential);
        if (!a.identity().name().equals(site)) {
            throw new SignatureRefusedException(Reason.UNKNOWN_SIGNER, "the certificate names "
                    + a.identity().describe() + ", not site " + site + "; a site signs only as itself");
        }
        if (!Signatures.verify(a.cert().getPublicKey(), message, signature)) {
            throw new SignatureRefusedException(Reason.BAD_SIGNATURE, "the signature does not verify under the"
                    + " certificate of site " + site + "; the message was altered or signed with another key");
        }
    }

    private Admitted admit(byte[] der) {
        if (der == null || der.length == 0) {
            throw new SignatureRefusedException(Reason.UNKNOWN_SIGNER, "no certificate came with the signature");
        }
        String key = sha256(der);
        Admitted a = admitted.get(key);
        if (a == null) {
            X509Certificate cert = parse(der);
            try {
                a = new Admitted(cert, peers.verify(cert, Set.of(Kind.SITE)));
            } catch (PeerRefusedException e) {
                throw new SignatureRefusedException(Reason.UNKNOWN_SIGNER, "the signer's certificate is refused: "
                        + e.getMessage(), e);
            }
            admitted.put(key, a);
            return a;
        }
        try {
            a.cert().checkValidity(Date.from(clock.instant()));
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new SignatureRefusedException(Reason.UNKNOWN_SIGNER, "the certificate of " + a.identity().describe()
                    + " is not valid now (" + e.getMessage() + ")", e);
        }
        if (crl.isRevoked(a.cert())) {
            throw new SignatureRefusedException(Reason.UNKNOWN_SIGNER, "the certificate of " + a.identity().describe()
                    + " is revoked; certificate sha256:" + key);
        }
        return a;
    }

    private static X509Certificate parse(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | ClassCastException e) {
            throw new SignatureRefusedException(Reason.UNKNOWN_SIGNER, "the credential is not an X.509 certificate", e);
        }
    }

    private static String sha256(byte[] der) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
