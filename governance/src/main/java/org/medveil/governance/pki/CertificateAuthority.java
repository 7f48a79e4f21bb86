package org.medveil.governance.pki;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * A project's certificate authority (ECDSA P-256). It lives in {@code DIR/ca/} of the
 * provisioning folder: {@code ca.pem}, {@code ca-key.pem} (0600, never copied into a kit) and
 * {@code crl.pem}. It issues leaf certificates whose identity is a {@code medveil://} URI
 * and keeps the revocation list.
 */
public final class CertificateAuthority {

    public static final String CA_CERT = "ca.pem";
    public static final String CA_KEY = "ca-key.pem";
    public static final String CRL = "crl.pem";
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final Duration CA_LIFETIME = Duration.ofDays(3650);
    /** How long a CRL is good for before relying parties should expect a fresh one. */
    private static final Duration CRL_LIFETIME = Duration.ofDays(30);

    private final Path dir;
    private final String project;
    private final X509Certificate certificate;
    private final PrivateKey key;
    private final SecureRandom random = new SecureRandom();

    private CertificateAuthority(Path dir, String project, X509Certificate certificate, PrivateKey key) {
        this.dir = dir;
        this.project = project;
        this.certificate = certificate;
        this.key = key;
    }

    /** Creates a new CA in {@code dir}, which must not already hold one. */
    public static CertificateAuthority create(Path dir, String project, Instant now) {
        Identity.checkName("project", project);
        if (Files.exists(dir.resolve(CA_KEY))) {
            throw new PkiException(dir.resolve(CA_KEY) + " already exists; refusing to overwrite an existing project CA");
        }
        try {
            Files.createDirectories(dir);
            KeyPair kp = newKeyPair();
            X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.O, "MedVeil project " + project)
                    .addRDN(BCStyle.CN, "MedVeil " + project + " CA").build();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(new SecureRandom()),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(CA_LIFETIME)), name, kp.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                    new GeneralName(GeneralName.uniformResourceIdentifier, Identity.SCHEME + "://" + project + "/ca")));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer(kp.getPrivate())));
            Pem.writePrivateKey(dir.resolve(CA_KEY), kp.getPrivate());
            Pem.writePublic(dir.resolve(CA_CERT), cert);
            CertificateAuthority ca = new CertificateAuthority(dir, project, cert, kp.getPrivate());
            ca.writeCrl(List.of(), now);
            return ca;
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException("cannot create the project CA in " + dir + ": " + e.getMessage(), e);
        }
    }

    public static CertificateAuthority load(Path dir, String project) {
        X509Certificate cert = Pem.readCertificate(dir.resolve(CA_CERT));
        PrivateKey key = Pem.readPrivateKey(dir.resolve(CA_KEY));
        if (!Certificates.keyMatches(key, cert)) {
            throw new PkiException(dir.resolve(CA_KEY) + " does not belong to " + dir.resolve(CA_CERT));
        }
        return new CertificateAuthority(dir, project, cert, key);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public Path crlFile() {
        return dir.resolve(CRL);
    }

    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks ECDSA P-256", e);
        }
    }

    /**
     * Issues a leaf certificate. The coordinator gets serverAuth and its host names; users get
     * clientAuth; sites get clientAuth and serverAuth (their DICOM SCP serves modalities). The identity URI is the authoritative name, the subject is for humans.
     */
    public X509Certificate issue(Identity id, PublicKey publicKey, Instant notBefore, Instant notAfter,
                                 List<String> hostNames) {
        if (!id.project().equals(project)) {
            throw new PkiException("identity belongs to project '" + id.project() + "', this CA to '" + project + "'");
        }
        if (!notAfter.isAfter(notBefore)) {
            throw new PkiException("certificate lifetime must be positive");
        }
        try {
            X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.O, "MedVeil project " + project)
                    .addRDN(BCStyle.OU, id.kind().id());
            if (id.role() != null) {
                subject.addRDN(BCStyle.T, id.role().id());
            }
            subject.addRDN(BCStyle.CN, id.name());
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), serial(random),
                    Date.from(notBefore), Date.from(notAfter), subject.build(), publicKey);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            // Sites also serve: their DICOM SCP presents the same certificate to modalities over TLS.
            KeyPurposeId[] usage = switch (id.kind()) {
                case COORDINATOR -> new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth};
                case SITE -> new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth};
                case USER -> new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth};
            };
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(publicKey));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            List<GeneralName> names = new ArrayList<>();
            names.add(new GeneralName(GeneralName.uniformResourceIdentifier, id.toUri().toString()));
            for (String host : hostNames) {
                names.add(HostNames.isIpLiteral(host)
                        ? new GeneralName(GeneralName.iPAddress, host)
                        : new GeneralName(GeneralName.dNSName, host));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            return new JcaX509CertificateConverter().getCertificate(b.build(signer(key)));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new PkiException("cannot issue a certificate for " + id.describe() + ": " + e.getMessage(), e);
        }
    }

    /** Adds a certificate to the CRL (idempotent) and rewrites {@code crl.pem}. */
    public X509CRL revoke(X509Certificate cert, int reason, Instant now) {
        X509CRL current = Pem.readCrl(crlFile());
        List<X509CRLEntry> entries = new ArrayList<>();
        Set<? extends X509CRLEntry> existing = current.getRevokedCertificates();
        if (existing != null) {
            entries.addAll(existing);
        }
        boolean already = entries.stream().anyMatch(e -> e.getSerialNumber().equals(cert.getSerialNumber()));
        List<Revoked> all = new ArrayList<>();
        for (X509CRLEntry e : entries) {
            all.add(new Revoked(e.getSerialNumber(), e.getRevocationDate().toInstant(),
                    e.getRevocationReason() == null ? CRLReason.unspecified : e.getRevocationReason().ordinal()));
        }
        if (!already) {
            all.add(new Revoked(cert.getSerialNumber(), now, reason));
        }
        return writeCrl(all, now);
    }

    private record Revoked(BigInteger serial, Instant at, int reason) {
    }

    private X509CRL writeCrl(List<Revoked> revoked, Instant now) {
        try {
            X509v2CRLBuilder b = new X509v2CRLBuilder(
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), Date.from(now));
            b.setNextUpdate(Date.from(now.plus(CRL_LIFETIME)));
            for (Revoked r : revoked) {
                b.addCRLEntry(r.serial(), Date.from(r.at()), r.reason());
            }
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(now.toEpochMilli())));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate));
            X509CRLHolder holder = b.build(signer(key));
            X509CRL crl = new JcaX509CRLConverter().getCRL(holder);
            Pem.writePublic(crlFile(), crl);
            return crl;
        } catch (GeneralSecurityException | CertIOException e) {
            throw new PkiException("cannot write the CRL " + crlFile() + ": " + e.getMessage(), e);
        }
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).setBit(126); // positive, 127 bits, never zero
    }

    private static ContentSigner signer(PrivateKey key) {
        try {
            return new JcaContentSignerBuilder(SIGNATURE).build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }
}
