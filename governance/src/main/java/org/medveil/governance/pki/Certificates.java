package org.medveil.governance.pki;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

/** Small facts about certificates that several parts need. */
public final class Certificates {

    private static final int SAN_URI = 6;

    private Certificates() {
    }

    /** SHA-256 of the DER encoding, lower-case hex: what logs and manifests print to name a certificate. */
    public static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot fingerprint certificate", e);
        }
    }

    /** The MedVeil identity in the certificate's subject alternative names, or an error saying it has none. */
    public static Identity identity(X509Certificate cert) {
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new PkiException("certificate has an unreadable subject alternative name extension", e);
        }
        if (sans != null) {
            for (List<?> san : sans) {
                if (((Integer) san.get(0)) == SAN_URI) {
                    Identity id = Identity.parse((String) san.get(1));
                    if (id != null) {
                        return id;
                    }
                }
            }
        }
        throw new PkiException("certificate " + cert.getSubjectX500Principal().getName()
                + " carries no MedVeil identity (no medveil:// subject alternative name)");
    }

    /** True when the private key belongs to the certificate: a fresh challenge signed by one verifies with the other. */
    public static boolean keyMatches(PrivateKey key, X509Certificate cert) {
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            String alg = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256with" + key.getAlgorithm();
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(challenge);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(challenge);
            return v.verify(sig);
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Null when {@code cert} was issued by {@code ca} and was valid at {@code when}; otherwise why
     * not, naming the certificate by fingerprint only (no PHI). Audit checkpoints, destruction
     * certificates, round manifests and data use agreements all check their signer this way.
     */
    public static String issuerProblem(X509Certificate cert, X509Certificate ca, Instant when) {
        try {
            cert.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            return "is signed by certificate sha256:" + fingerprint(cert)
                    + ", which was not issued by the project CA given";
        }
        try {
            cert.checkValidity(Date.from(when));
        } catch (GeneralSecurityException e) {
            return "is signed by certificate sha256:" + fingerprint(cert)
                    + ", which was not valid at " + when + " (" + e.getMessage() + ")";
        }
        return null;
    }

    /** Parses a DER certificate; a {@link PkiException} when the bytes are not one. */
    public static X509Certificate fromDer(byte[] der) {
        try {
            return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(der));
        } catch (java.security.cert.CertificateException | ClassCastException e) {
            throw new PkiException("not an X.509 certificate: " + e.getMessage(), e);
        }
    }
}
