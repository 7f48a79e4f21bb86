package org.medveil.site.ingest;

import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.TlsMaterial;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

/**
 * TLS for the storage SCP (DICOM PS3.15 Annex B): the site kit's certificate, and the CA
 * certificates of the hospital's modalities, which senders' client certificates must chain to.
 * Modalities carry hospital certificates, not project ones, so the trust list is the site's own.
 */
public final class ScpTls {

    private ScpTls() {
    }

    /**
     * @param trust PEM file of the CAs senders chain to; null: no client certificates are checked
     *              (callers that require them must pass one)
     */
    public static SSLContext context(Kit kit, Path trust) {
        try {
            TrustManagerFactory tmf = null;
            if (trust != null) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                int n = 0;
                try (InputStream in = Files.newInputStream(trust)) {
                    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        ks.setCertificateEntry("ca-" + n++, c);
                    }
                }
                if (n == 0) {
                    throw new IllegalArgumentException("the TLS trust file " + trust + " holds no PEM certificate");
                }
                tmf = TrustManagerFactory.getInstance("PKIX");
                tmf.init(ks);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(TlsMaterial.keyManagers(kit).getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("the TLS trust file " + trust + " does not exist", e);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS for the SCP: " + e.getMessage(), e);
        }
    }
}
