package org.medveil.governance.crypto;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.medveil.governance.pki.Certificates;
import org.medveil.governance.pki.Kit;

/**
 * A private key with the certificate it belongs to: what signs an artefact that carries (or sits
 * next to) its signer's certificate, so a verifier needs only the project CA.
 */
public record CertifiedKey(PrivateKey key, X509Certificate certificate) {

    public CertifiedKey {
        if (key == null || certificate == null) {
            throw new IllegalArgumentException("a signer needs a private key and its certificate");
        }
        if (!Certificates.keyMatches(key, certificate)) {
            throw new IllegalArgumentException("the private key does not belong to certificate sha256:"
                    + Certificates.fingerprint(certificate));
        }
    }

    public static CertifiedKey of(Kit kit) {
        return new CertifiedKey(kit.privateKey(), kit.certificate());
    }

    public String fingerprint() {
        return Certificates.fingerprint(certificate);
    }

    /** DER ECDSA P-256 signature over {@code message} (see {@link Signatures}). */
    public byte[] sign(byte[] message) {
        return Signatures.sign(key, message);
    }
}
