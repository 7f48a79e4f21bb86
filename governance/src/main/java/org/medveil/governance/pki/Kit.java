package org.medveil.governance.pki;

import org.medveil.governance.config.ConfigException;
import org.medveil.governance.config.YamlFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.Set;

/**
 * A loaded, checked startup kit: the holder's identity, certificate and private key, the project
 * CA certificate, and the config. Loading fails with a message naming the file at fault when a
 * file is missing or unreadable, the key is readable by others, the key does not match the
 * certificate, or the certificate does not belong to the kit's CA or identity.
 */
public record Kit(Path dir, KitConfig config, Identity identity, X509Certificate certificate,
                  PrivateKey privateKey, X509Certificate caCertificate) {

    private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    public static Kit load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new PkiException("kit folder " + dir + " does not exist or is not a folder");
        }
        Path configFile = dir.resolve(KitConfig.FILE);
        KitConfig c = YamlFiles.read(configFile, KitConfig.class);
        require(c.project(), "project", configFile);
        require(c.name(), "name", configFile);
        require(c.kind(), "kind", configFile);
        require(c.certificate(), "certificate", configFile);
        require(c.privateKey(), "privateKey", configFile);
        require(c.caCertificate(), "caCertificate", configFile);
        Kind kind = Kind.fromId(c.kind());
        Identity declared = new Identity(c.project(), c.name(), kind, c.role() == null ? null : Role.fromId(c.role()));

        Path certFile = dir.resolve(c.certificate());
        Path keyFile = dir.resolve(c.privateKey());
        Path caFile = dir.resolve(c.caCertificate());
        X509Certificate cert = Pem.readCertificate(certFile);
        X509Certificate ca = Pem.readCertificate(caFile);
        checkOwnerOnly(keyFile);
        PrivateKey key = Pem.readPrivateKey(keyFile);
        if (!Certificates.keyMatches(key, cert)) {
            throw new PkiException("private key " + keyFile + " does not match certificate " + certFile
                    + "; re-issue the kit with 'medveil provision renew " + c.name() + "'");
        }
        try {
            cert.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new PkiException("certificate " + certFile + " was not issued by the CA in " + caFile);
        }
        Identity inCert = Certificates.identity(cert);
        if (!inCert.equals(declared)) {
            throw new PkiException("certificate " + certFile + " names " + inCert.describe() + " of project "
                    + inCert.project() + ", but " + configFile + " says " + declared.describe() + " of project "
                    + declared.project());
        }
        return new Kit(dir, c, inCert, cert, key, ca);
    }

    /** The daemon's own {@code settings} section, bound strictly; {@code defaults} when absent. */
    public <T> T settings(Class<T> type, T defaults) {
        if (config.settings() == null || config.settings().isNull()) {
            return defaults;
        }
        return YamlFiles.convert(config.settings(), type, dir.resolve(KitConfig.FILE) + " section 'settings'");
    }

    public HostNames.HostPort coordinatorAddress() {
        require(config.coordinator(), "coordinator", dir.resolve(KitConfig.FILE));
        try {
            return HostNames.parse(config.coordinator());
        } catch (PkiException e) {
            throw new ConfigException(dir.resolve(KitConfig.FILE) + ": field 'coordinator': " + e.getMessage());
        }
    }

    /**
     * The kit's copy of the project CRL, or null when the kit has none. Kits issued before every
     * kit carried a CRL have no {@code crl} field; a {@code crl.pem} copied into them is used.
     */
    public Path crlFile() {
        if (config.crl() != null) {
            return dir.resolve(config.crl());
        }
        Path dflt = dir.resolve(KitConfig.CRL);
        return Files.isRegularFile(dflt) ? dflt : null;
    }

    public String fingerprint() {
        return Certificates.fingerprint(certificate);
    }

    private static void require(String value, String field, Path file) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(file + ": required field '" + field + "' is missing");
        }
    }

    private static void checkOwnerOnly(Path keyFile) {
        try {
            if (Files.exists(keyFile) && !Files.isReadable(keyFile)) {
                throw new PkiException("private key file " + keyFile + " is not readable by this user");
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(keyFile);
            perms.retainAll(NOT_OWNER);
            if (!perms.isEmpty()) {
                throw new PkiException("private key file " + keyFile + " is accessible by group or others;"
                        + " run: chmod 600 " + keyFile);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // Non-POSIX file systems and missing files: readPrivateKey reports the actual problem.
        }
    }
}
