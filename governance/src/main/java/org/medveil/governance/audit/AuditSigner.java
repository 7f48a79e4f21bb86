package org.medveil.governance.audit;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.crypto.Signatures;
import org.medveil.governance.pki.Certificates;
import org.medveil.governance.pki.Kit;

/**
 * The key that signs audit checkpoints and destruction certificates, with the certificate that
 * goes into every signed artefact so a verifier needs only the project CA.
 */
public record AuditSigner(PrivateKey key, X509Certificate certificate) {

    public AuditSigner {
        new CertifiedKey(key, certificate); // checks that the key belongs to the certificate
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

    /** The same key as a general signer (manifests, agreements). */
    public CertifiedKey asCertifiedKey() {
        return new CertifiedKey(key, certificate);
    }
}
