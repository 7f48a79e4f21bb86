package org.medveil.governance.audit;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.medveil.governance.crypto.Signatures;
import org.medveil.governance.pki.Certificates;
import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.PkiException;

/**
 * Signed checkpoints: an ECDSA P-256 signature by the site's key over the checkpoint's seq, time
 * and {@code prev} (the SHA-256 of the line before it, which by the chain commits to every earlier
 * record). The checkpoint carries the signer's DER certificate, so checking it needs only the CA.
 */
final class Checkpoints {

    static final String CERTIFICATE = "certificate";
    static final String SIGNATURE = "signature";

    private Checkpoints() {
    }

    static byte[] message(long seq, String time, String prev) {
        return ("medveil-audit-checkpoint/v1\nseq=" + seq + "\ntime=" + time + "\nprev=" + prev + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    static AuditRecord create(AuditSigner signer, long seq, Instant time, String prev) {
        String t = time.toString();
        byte[] sig = signer.sign(message(seq, t, prev));
        try {
            return AuditRecord.create(seq, time, AuditRecord.CHECKPOINT, signer.fingerprint(), Map.of(
                    CERTIFICATE, Base64.getEncoder().encodeToString(signer.certificate().getEncoded()),
                    SIGNATURE, Base64.getEncoder().encodeToString(sig)), prev);
        } catch (CertificateEncodingException e) {
            throw new AuditException("cannot encode the audit signer's certificate", e);
        }
    }

    /** Null when the checkpoint verifies under a certificate issued by {@code ca}; else why not. */
    static String problem(AuditRecord r, X509Certificate ca) {
        String certB64 = r.fields().get(CERTIFICATE);
        String sigB64 = r.fields().get(SIGNATURE);
        if (certB64 == null || sigB64 == null) {
            return "checkpoint has no " + (certB64 == null ? CERTIFICATE : SIGNATURE) + " field";
        }
        X509Certificate cert;
        byte[] sig;
        try {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(certB64)));
            sig = Base64.getDecoder().decode(sigB64);
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            return "checkpoint's certificate or signature is not readable (" + e.getMessage() + ")";
        }
        String issuer = Certificates.issuerProblem(cert, ca, Instant.parse(r.time()));
        if (issuer != null) {
            return "checkpoint " + issuer;
        }
        String site = siteProblem(cert);
        if (site != null) {
            return "checkpoint " + site;
        }
        if (!Certificates.fingerprint(cert).equals(r.actor())) {
            return "checkpoint actor " + r.actor() + " is not the fingerprint of the certificate it carries";
        }
        if (!Signatures.verify(cert.getPublicKey(), message(r.seq(), r.time(), r.prev()), sig)) {
            return "checkpoint signature does not verify: a record it covers was edited, removed or reordered"
                    + " and the chain recomputed, or the signature itself was altered";
        }
        return null;
    }

    /** Null when {@code cert} names a site; only a site's key signs its audit trail and certificates. */
    static String siteProblem(X509Certificate cert) {
        try {
            Identity id = Certificates.identity(cert);
            return id.kind() == Kind.SITE ? null : "is signed by " + id.describe() + " (certificate sha256:"
                    + Certificates.fingerprint(cert) + "); only a site signs its audit trail";
        } catch (PkiException e) {
            return "is signed by a certificate without a MedVeil identity (sha256:" + Certificates.fingerprint(cert) + ")";
        }
    }

    /** The site name in a certificate that passed {@link #siteProblem}. */
    static String siteName(X509Certificate cert) {
        return Certificates.identity(cert).name();
    }

    static X509Certificate certificate(AuditRecord checkpoint) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(Base64.getDecoder().decode(checkpoint.fields().get(CERTIFICATE))));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

}
