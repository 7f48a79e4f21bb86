package org.medveil.governance.audit;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.medveil.governance.crypto.Signatures;
import org.medveil.governance.pki.Certificates;
import org.medveil.governance.pki.Kit;

/**
 * The key that signs audit checkpoints and destruction certificates, with the certificate that
 * goes into every signed artefact so a verifier needs only the project CA.
 */
public record AuditSigner(PrivateKey key, X509Certificate certificate) {

    public AuditSigner {
        if (key == null || certificate == null) {
            throw new IllegalArgumentException("an audit signer needs a private key and its certificate");
        }
        if (!Certificates.keyMatches(key, certificate)) {
            throw new IllegalArgumentException("the private key does not belong to certificate sha256:"
                    + Certificates.fingerprint(certificate));
        }
    }

    public static AuditSigner of(Kit kit) {
        return new AuditSigner(kit.privateKey(), kit.certificate());
    }

    public String fingerprint() {
        return Certificates.fingerprint(certificate);
    }

    byte[] sign(byte[] message) {
        return Signatures.sign(key, message);
    }
}
