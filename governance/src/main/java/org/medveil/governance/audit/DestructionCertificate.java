package org.medveil.governance.audit;

import org.medveil.governance.files.DurableFiles;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.medveil.governance.canonical.Jcs;
import org.medveil.governance.crypto.Signatures;
import org.medveil.governance.pki.Certificates;

/**
 * A signed statement that data was destroyed: what (object ids and digests under a scope — a
 * pseudonymous patient key, a dataset or single objects), how (data keys destroyed, live files
 * overwritten, which copies that covers), by whose approval (one or two approvers, each with the
 * seq of their {@code approval} audit record), when, and the seq of the {@code destruction} audit
 * record. The signature is ECDSA P-256 by the site key over the statement's RFC 8785 canonical
 * JSON ({@link Jcs}); the file carries the signer's certificate, so checking needs only the CA.
 * Stored as {@code certificates/ID.json} in the audit folder, where {@link AuditVerifier} checks it
 * against the audit records it names.
 */
public record DestructionCertificate(Statement statement, byte[] signature, X509Certificate signer) {

    public static final String FOLDER = "certificates";
    public static final String AUDIT_TYPE = "destruction";
    public static final String APPROVAL_TYPE = "approval";
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /** One destroyed object: its store id (pseudonymous) and content digest. */
    public record DestroyedObject(String id, String sha256) {
    }

    /** How: data keys destroyed, live files overwritten, and which copies that makes unreadable. */
    public record Method(int dataKeysDestroyed, int liveFilesOverwritten, List<String> copiesCovered, String description) {
    }

    /** An approver: certificate fingerprint, role, and the seq of their {@code approval} audit record. */
    public record Approval(String fingerprint, String role, long auditSeq) {
    }

    /** What is signed. {@code scope} is patient, dataset or object; {@code subject} its pseudonymous key. */
    public record Statement(String id, String site, String issuedAt, String scope, String subject,
                            List<DestroyedObject> objects, Method method, List<Approval> approvals, long auditSeq) {
    }

    /** Signs a statement after checking it is complete. */
    public static DestructionCertificate sign(Statement s, AuditSigner signer) {
        check(s);
        return new DestructionCertificate(s, signer.sign(canonical(s)), signer.certificate());
    }

    /**
     * The fields of the {@code destruction} audit record a certificate refers to: its id, scope,
     * number of objects and the SHA-256 of the canonical object list. Append that record first, then
     * sign a statement with its seq as {@code auditSeq}.
     */
    public static Map<String, String> auditFields(String id, String scope, List<DestroyedObject> objects) {
        return Map.of("certificate", id, "scope", scope, "objectCount", Integer.toString(objects.size()),
                "objectsSha256", objectsDigest(objects));
    }

    static String objectsDigest(List<DestroyedObject> objects) {
        return Jcs.sha256Hex(objects);
    }

    private static void check(Statement s) {
        if (s.id() == null || !ID.matcher(s.id()).matches()) {
            throw new IllegalArgumentException("certificate id must be 1-64 lower-case letters, digits or '-'");
        }
        if (s.site() == null || s.scope() == null || s.subject() == null || s.method() == null) {
            throw new IllegalArgumentException("a destruction statement names the site, scope, subject and method");
        }
        if (!List.of("patient", "dataset", "object").contains(s.scope())) {
            throw new IllegalArgumentException("scope must be patient, dataset or object, was " + s.scope());
        }
        Instant.parse(s.issuedAt());
        if (s.objects() == null || s.objects().isEmpty()) {
            throw new IllegalArgumentException("a destruction statement names at least one destroyed object");
        }
        if (s.approvals() == null || s.approvals().isEmpty() || s.approvals().size() > 2) {
            throw new IllegalArgumentException("a destruction statement names one or two approvers");
        }
        if (new HashSet<>(s.approvals().stream().map(Approval::fingerprint).toList()).size() != s.approvals().size()) {
            throw new IllegalArgumentException("the two approvers must be different people (different certificates)");
        }
        if (s.auditSeq() < 1 || s.approvals().stream().anyMatch(a -> a.auditSeq() < 1 || a.auditSeq() >= s.auditSeq())) {
            throw new IllegalArgumentException("the destruction audit seq must be set and come after every approval's");
        }
    }

    /** RFC 8785 canonical JSON of the statement (see {@link Jcs}): what the site key signs. */
    static byte[] canonical(Statement s) {
        return Jcs.canonicalize(s);
    }

    /** File form: the statement, the base64 signature and the base64 DER certificate of the signer. */
    record FileForm(Statement statement, String signatureAlgorithm, String signature, String signerCertificate) {
    }

    /** Writes {@code DIR/certificates/ID.json} atomically (temporary file, fsync, rename, fsync folder). */
    public Path write(Path auditDir) {
        Path folder = auditDir.resolve(FOLDER);
        Path file = folder.resolve(statement.id() + ".json");
        try {
            Files.createDirectories(folder);
            FileForm f = new FileForm(statement, Signatures.ALGORITHM, Base64.getEncoder().encodeToString(signature),
                    Base64.getEncoder().encodeToString(signer.getEncoded()));
            DurableFiles.replace(file, CANONICAL.writerWithDefaultPrettyPrinter().writeValueAsBytes(f));
            return file;
        } catch (IOException | CertificateEncodingException e) {
            throw new AuditException("cannot write destruction certificate " + file + ": " + e.getMessage(), e);
        }
    }

    public static DestructionCertificate read(Path file) {
        try {
            FileForm f = CANONICAL.readValue(file.toFile(), FileForm.class);
            if (f.statement() == null || f.signature() == null || f.signerCertificate() == null) {
                throw new AuditException(file + " lacks statement, signature or signerCertificate");
            }
            if (!Signatures.ALGORITHM.equals(f.signatureAlgorithm())) {
                throw new AuditException(file + " names signature algorithm " + f.signatureAlgorithm()
                        + "; only " + Signatures.ALGORITHM + " is accepted");
            }
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(Base64.getDecoder().decode(f.signerCertificate())));
            return new DestructionCertificate(f.statement(), Base64.getDecoder().decode(f.signature()), cert);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new AuditException(file + " is not a readable destruction certificate: " + e.getMessage(), e);
        }
    }

    /**
     * Checks the signature, that the signer's certificate was issued by {@code projectCa}, was valid
     * when the statement was issued and names the site the statement names; throws {@link AuditException} saying what failed.
     */
    public void verify(X509Certificate projectCa) {
        try {
            check(statement);
        } catch (RuntimeException e) {
            throw new AuditException("destruction certificate " + statement.id() + " is incomplete: " + e.getMessage());
        }
        String issuer = Certificates.issuerProblem(signer, projectCa, Instant.parse(statement.issuedAt()));
        if (issuer != null) {
            throw new AuditException("destruction certificate " + statement.id() + " " + issuer);
        }
        String site = Checkpoints.siteProblem(signer);
        if (site != null) {
            throw new AuditException("destruction certificate " + statement.id() + " " + site);
        }
        if (!Checkpoints.siteName(signer).equals(statement.site())) {
            throw new AuditException("destruction certificate " + statement.id() + " names site " + statement.site()
                    + " but is signed by site " + Checkpoints.siteName(signer));
        }
        if (!Signatures.verify(signer.getPublicKey(), canonical(statement), signature)) {
            throw new AuditException("destruction certificate " + statement.id() + ": the signature does not verify;"
                    + " the statement was altered after signing");
        }
    }

    public String signerFingerprint() {
        return Certificates.fingerprint(signer);
    }

    /** The canonical statement as text, for display. */
    public String statementJson() {
        return new String(canonical(statement), StandardCharsets.UTF_8);
    }
}
