package org.medveil.governance.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.medveil.governance.canonical.CanonicalException;
import org.medveil.governance.canonical.Jcs;
import org.medveil.governance.config.ConfigException;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.crypto.Signatures;
import org.medveil.governance.pki.Certificates;
import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.PkiException;
import org.medveil.governance.pki.RevocationList;
import org.medveil.governance.pki.Role;

/**
 * A job as the researcher signed it (REQ-TX-1): the exact signed bytes, a DER ECDSA P-256
 * signature over them ({@code openssl dgst -sha256 -verify} accepts it) and the researcher's
 * certificate. The signed bytes are the RFC 8785 canonical JSON of
 * {@code {format, spec, initialModelDigest, submittedAt, researcher}}, {@code researcher} being the
 * SHA-256 fingerprint of the certificate. Everything a site uses ({@link #spec()}, the initial
 * model digest) is read back from the signed bytes, never from a separately sent copy; protobuf
 * re-encoding is not canonical, so these bytes travel unchanged.
 */
public final class SignedJob {

    public static final String FORMAT = "medveil-job/v1";
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> FIELDS = Set.of("format", "spec", "initialModelDigest", "submittedAt", "researcher");

    private final byte[] signedBytes;
    private final byte[] signature;
    private final X509Certificate researcher;
    private final JobSpec spec;
    private final String initialModelDigest;
    private final Instant submittedAt;
    private final String researcherFingerprint;

    private SignedJob(byte[] signedBytes, byte[] signature, X509Certificate researcher) {
        this.signedBytes = signedBytes.clone();
        this.signature = signature.clone();
        this.researcher = researcher;
        JsonNode doc;
        try {
            doc = Jcs.parseCanonical(this.signedBytes);
        } catch (CanonicalException e) {
            throw malformed("the signed job bytes are " + e.getMessage(), e);
        }
        if (!doc.isObject()) {
            throw malformed("the signed job is not a JSON object", null);
        }
        Set<String> names = new TreeSet<>();
        doc.fieldNames().forEachRemaining(names::add);
        if (!names.equals(FIELDS)) {
            throw malformed("the signed job has fields " + names + "; " + FORMAT + " has exactly " + new TreeSet<>(FIELDS), null);
        }
        if (!FORMAT.equals(doc.get("format").asText(null))) {
            throw malformed("the signed job's format is not " + FORMAT + "; upgrade this node or resubmit the job", null);
        }
        try {
            this.spec = JobSpec.fromCanonical(doc.get("spec"));
        } catch (ConfigException e) {
            throw malformed(e.getMessage(), e);
        }
        this.initialModelDigest = text(doc, "initialModelDigest");
        if (!HEX64.matcher(initialModelDigest).matches()) {
            throw malformed("initialModelDigest must be 64 lower-case hex digits (SHA-256)", null);
        }
        this.researcherFingerprint = text(doc, "researcher");
        if (!HEX64.matcher(researcherFingerprint).matches()) {
            throw malformed("researcher must be the SHA-256 fingerprint of the researcher's certificate", null);
        }
        try {
            this.submittedAt = Instant.parse(text(doc, "submittedAt"));
        } catch (DateTimeParseException e) {
            throw malformed("submittedAt must be an ISO-8601 UTC instant", e);
        }
    }

    /**
     * Signs a job as the researcher whose key and certificate are given. {@code initialModelDigest}
     * is the SHA-256 hex of the initial parameter bytes the researcher built from the spec.
     */
    public static SignedJob sign(JobSpec spec, String initialModelDigest, CertifiedKey researcherKey, Instant now) {
        if (initialModelDigest == null || !HEX64.matcher(initialModelDigest).matches()) {
            throw new IllegalArgumentException("initialModelDigest must be the SHA-256 of the initial parameters, 64 lower-case hex digits");
        }
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("format", FORMAT);
        doc.set("spec", spec.canonicalTree());
        doc.put("initialModelDigest", initialModelDigest);
        doc.put("submittedAt", now.truncatedTo(ChronoUnit.MILLIS).toString());
        doc.put("researcher", researcherKey.fingerprint());
        byte[] bytes = Jcs.canonicalize(doc);
        return new SignedJob(bytes, researcherKey.sign(bytes), researcherKey.certificate());
    }

    /** A job as received: parses the signed bytes (does not verify; call {@link #verify}). */
    public static SignedJob of(byte[] signedBytes, byte[] signature, byte[] certificateDer) {
        if (signedBytes == null || signature == null || certificateDer == null) {
            throw new JobException(JobException.Problem.MALFORMED, "a signed job needs its signed bytes, signature and certificate");
        }
        X509Certificate cert;
        try {
            cert = Certificates.fromDer(certificateDer);
        } catch (PkiException e) {
            throw new JobException(JobException.Problem.MALFORMED, "the job's researcher certificate is " + e.getMessage(), e);
        }
        return new SignedJob(signedBytes, signature, cert);
    }

    /** Verifies now; see {@link #verify(X509Certificate, RevocationList, Instant)}. */
    public void verify(X509Certificate ca, RevocationList crl) {
        verify(ca, crl, Instant.now());
    }

    /**
     * Refuses the job with a {@link JobException} unless: the certificate was issued by {@code ca},
     * is the one the signed bytes name, verifies the signature, is valid at {@code at}, is not
     * revoked in {@code crl} (null: no CRL) and names a researcher of the job's project.
     */
    public void verify(X509Certificate ca, RevocationList crl, Instant at) {
        String fp = Certificates.fingerprint(researcher);
        try {
            researcher.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new JobException(JobException.Problem.NOT_FROM_CA, "job " + jobId() + " is signed with certificate sha256:"
                    + fp + ", which the project CA did not issue; sign with your kit of this project");
        }
        if (!fp.equals(researcherFingerprint)) {
            throw new JobException(JobException.Problem.WRONG_CERTIFICATE, "job " + jobId() + " names researcher certificate sha256:"
                    + researcherFingerprint + " but carries sha256:" + fp + "; send the certificate that signed it");
        }
        if (!Signatures.verify(researcher.getPublicKey(), signedBytes, signature)) {
            throw new JobException(JobException.Problem.BAD_SIGNATURE, "job " + jobId() + ": the signature does not verify"
                    + " over the signed bytes; they were changed after signing or the signature belongs to another job");
        }
        try {
            researcher.checkValidity(Date.from(at));
        } catch (CertificateExpiredException e) {
            throw new JobException(JobException.Problem.EXPIRED, "job " + jobId() + " is signed with certificate sha256:" + fp
                    + ", which expired " + researcher.getNotAfter().toInstant() + "; renew the kit and resubmit");
        } catch (CertificateNotYetValidException e) {
            throw new JobException(JobException.Problem.NOT_YET_VALID, "job " + jobId() + " is signed with certificate sha256:"
                    + fp + ", which is valid only from " + researcher.getNotBefore().toInstant() + "; check the clocks");
        }
        if (crl != null) {
            crl.revocation(researcher).ifPresent(r -> {
                throw new JobException(JobException.Problem.REVOKED, "job " + jobId() + " is signed with certificate sha256:"
                        + fp + ", revoked " + r.at() + (r.shutOut() ? "; the researcher is no longer admitted"
                        : " (renewed); sign again with the renewed kit"));
            });
        }
        Identity id;
        try {
            id = Certificates.identity(researcher);
        } catch (PkiException e) {
            throw new JobException(JobException.Problem.NOT_RESEARCHER, "job " + jobId() + " is signed with certificate sha256:"
                    + fp + ", which carries no MedVeil identity; jobs are signed by a researcher's kit");
        }
        if (id.kind() != Kind.USER || id.role() != Role.RESEARCHER) {
            throw new JobException(JobException.Problem.NOT_RESEARCHER, "job " + jobId() + " is signed by " + id.describe()
                    + "; only a researcher's kit signs jobs");
        }
        if (!id.project().equals(spec.project())) {
            throw new JobException(JobException.Problem.WRONG_PROJECT, "job " + jobId() + " is for project " + spec.project()
                    + " but signed by a researcher of project " + id.project());
        }
    }

    /** The researcher's identity as the certificate names it; a {@link PkiException} if it names none. */
    public Identity researcherIdentity() {
        return Certificates.identity(researcher);
    }

    public byte[] signedBytes() {
        return signedBytes.clone();
    }

    public byte[] signature() {
        return signature.clone();
    }

    public X509Certificate researcher() {
        return researcher;
    }

    public byte[] researcherDer() {
        try {
            return researcher.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode the researcher certificate", e);
        }
    }

    /** "job-" and the first 16 hex digits of SHA-256 over the signed bytes. */
    public String jobId() {
        return "job-" + digest().substring(0, 16);
    }

    /** SHA-256 of the signed bytes, lower-case hex: the job digest manifests carry. */
    public String digest() {
        return Sha256.hex(signedBytes);
    }

    /** The spec as signed. */
    public JobSpec spec() {
        return spec;
    }

    public String initialModelDigest() {
        return initialModelDigest;
    }

    public Instant submittedAt() {
        return submittedAt;
    }

    /** The certificate fingerprint the signed bytes name. */
    public String researcherFingerprint() {
        return researcherFingerprint;
    }

    private static String text(JsonNode doc, String field) {
        JsonNode n = doc.get(field);
        if (n == null || !n.isTextual()) {
            throw malformed("the signed job's " + field + " must be a string", null);
        }
        return n.textValue();
    }

    private static JobException malformed(String what, Throwable cause) {
        return new JobException(JobException.Problem.MALFORMED, what, cause);
    }
}
