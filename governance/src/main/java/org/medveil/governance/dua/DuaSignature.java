package org.medveil.governance.dua;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.pki.Certificates;
import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.Pem;
import org.medveil.governance.pki.PkiException;
import org.medveil.governance.pki.Role;

/**
 * One party's detached signature on an agreement: DER ECDSA P-256 over its canonical bytes, with
 * the signer's certificate. On disk next to {@code DUA.yaml}: {@code DUA.yaml.ROLE.sig} and
 * {@code DUA.yaml.ROLE.pem}, ROLE being {@code data-manager} or {@code researcher}.
 */
public record DuaSignature(Role role, byte[] signature, X509Certificate certificate) {

    /** Signs as the kit's user, after checking the kit is the party the agreement names for its role. */
    public static DuaSignature sign(DataUseAgreement dua, Kit userKit) {
        Identity id = userKit.identity();
        if (id.kind() != Kind.USER || (id.role() != Role.DATA_MANAGER && id.role() != Role.RESEARCHER)) {
            throw new PkiException("kit " + userKit.dir() + " belongs to " + id.describe()
                    + "; an agreement is signed by the site's data manager and the researcher");
        }
        String named = id.role() == Role.DATA_MANAGER ? dua.parties().dataManager() : dua.parties().researcher();
        if (!named.equals(id.name()) || !dua.project().equals(id.project())) {
            throw new PkiException("agreement " + dua.id() + " names " + named + " as its " + id.role() + " in project "
                    + dua.project() + ", not " + id.describe() + " of project " + id.project());
        }
        return new DuaSignature(id.role(), CertifiedKey.of(userKit).sign(dua.canonicalBytes()), userKit.certificate());
    }

    public static Path signatureFile(Path duaFile, Role role) {
        return duaFile.resolveSibling(duaFile.getFileName() + "." + role.id() + ".sig");
    }

    public static Path certificateFile(Path duaFile, Role role) {
        return duaFile.resolveSibling(duaFile.getFileName() + "." + role.id() + ".pem");
    }

    public void write(Path duaFile) {
        try {
            Files.write(signatureFile(duaFile, role), signature);
            Files.write(certificateFile(duaFile, role), Pem.encode(certificate).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new PkiException("cannot write the signature next to " + duaFile + ": " + e.getMessage(), e);
        }
    }

    /** The signature of {@code role} next to {@code duaFile}, or null when there is none. */
    public static DuaSignature read(Path duaFile, Role role) {
        Path sig = signatureFile(duaFile, role);
        if (!Files.exists(sig)) {
            return null;
        }
        try {
            return new DuaSignature(role, Files.readAllBytes(sig), Pem.readCertificate(certificateFile(duaFile, role)));
        } catch (IOException e) {
            throw new PkiException("cannot read " + sig + ": " + e.getMessage(), e);
        }
    }

    public String fingerprint() {
        return Certificates.fingerprint(certificate);
    }
}
