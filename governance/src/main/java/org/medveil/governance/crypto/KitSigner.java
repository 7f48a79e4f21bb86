package org.medveil.governance.crypto;

import java.security.cert.CertificateEncodingException;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.PkiException;
import org.medveil.he.verify.ContributionSigner;

/**
 * A site signs its encrypted contributions and key-setup messages with its kit's private key; the
 * credential is its DER certificate, which {@link CertificateVerifier} checks.
 */
public final class KitSigner implements ContributionSigner {

    private final Kit kit;
    private final byte[] certificate;

    public KitSigner(Kit kit) {
        if (kit.identity().kind() != Kind.SITE) {
            throw new PkiException("kit " + kit.dir() + " belongs to " + kit.identity().describe()
                    + "; only a site signs contributions");
        }
        this.kit = kit;
        try {
            this.certificate = kit.certificate().getEncoded();
        } catch (CertificateEncodingException e) {
            throw new PkiException("certificate of kit " + kit.dir() + " cannot be encoded", e);
        }
    }

    @Override
    public String site() {
        return kit.identity().name();
    }

    @Override
    public byte[] credential() {
        return certificate.clone();
    }

    @Override
    public byte[] sign(byte[] message) {
        return Signatures.sign(kit.privateKey(), message);
    }
}
