package org.medveil.governance.manifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.medveil.governance.canonical.CanonicalException;
import org.medveil.governance.canonical.Jcs;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.pki.Certificates;
import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.Pem;

/**
 * Writes signed round manifests into a folder, one round after another, and adds site
 * countersignatures. {@link #write} refuses a signer that is not the project's coordinator, a
 * round that already exists, a gap, and a {@code previousManifestDigest} that is not the SHA-256
 * of the previous round's file, so the coordinator cannot write a broken chain by mistake.
 *
 * <p>A countersignature ({@link #countersign}) is a site's ECDSA signature over the whole
 * manifest's canonical bytes. It means: "this manifest records my certificate, my data use
 * agreement, my data descriptor and my contribution digest as I produced them, and follows the
 * chain I was shown". A site can check only its own entry and the chain link; by signing it does
 * not vouch for other sites' entries, which those sites countersign themselves.
 */
public final class ManifestWriter {

    private ManifestWriter() {
    }

    /** Writes {@code round-NNNNNN.json} and {@code .sig}, and {@code coordinator.pem} the first time. */
    public static Path write(Path dir, RoundManifest manifest, CertifiedKey coordinator) {
        Identity id = Certificates.identity(coordinator.certificate());
        if (id.kind() != Kind.COORDINATOR || !id.project().equals(manifest.project())) {
            throw new ManifestException("round manifests are signed by the coordinator of project " + manifest.project()
                    + ", not by " + id.describe() + " of project " + id.project());
        }
        int round = manifest.round();
        Path json = dir.resolve(ManifestFiles.json(round));
        try {
            Files.createDirectories(dir);
            samePem(dir.resolve(ManifestFiles.COORDINATOR_PEM), coordinator.certificate(), "the coordinator");
            if (Files.exists(json)) {
                throw new ManifestException(json + " already exists; a round's manifest is written once");
            }
            String prev = RoundManifest.GENESIS;
            if (round > 1) {
                Path before = dir.resolve(ManifestFiles.json(round - 1));
                if (!Files.isRegularFile(before)) {
                    throw new ManifestException("cannot write round " + round + ": " + before.getFileName()
                            + " is missing; rounds are written in order");
                }
                prev = Sha256.hex(Files.readAllBytes(before));
            }
            if (!prev.equals(manifest.previousManifestDigest())) {
                throw new ManifestException("previousManifestDigest of round " + round + " is "
                        + manifest.previousManifestDigest() + " but the previous manifest's digest is " + prev);
            }
            byte[] bytes = manifest.canonicalBytes();
            ManifestFiles.writeAtomically(json, bytes);
            ManifestFiles.writeAtomically(dir.resolve(ManifestFiles.signature(round)), coordinator.sign(bytes));
            return json;
        } catch (IOException e) {
            throw new ManifestException("cannot write " + json + ": " + e.getMessage(), e);
        }
    }

    /**
     * Adds site {@code site}'s countersignature to round {@code round}: refuses when the manifest is
     * not canonical, does not list this site, or lists it with another certificate.
     */
    public static Path countersign(Path dir, int round, CertifiedKey site) {
        Path json = dir.resolve(ManifestFiles.json(round));
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(json);
        } catch (IOException e) {
            throw new ManifestException("cannot countersign " + json + ": " + e.getMessage(), e);
        }
        return addCountersignature(dir, round, site.certificate(), site.sign(bytes));
    }

    /**
     * Stores a countersignature a site made elsewhere (the coordinator receives it over the
     * session): refuses a signer that is not a site, a manifest that is not canonical or does not
     * list that site with that certificate, and a signature that does not verify over the stored
     * bytes, so a stored countersignature always verifies.
     */
    public static Path addCountersignature(Path dir, int round, X509Certificate site, byte[] signature) {
        Identity id = Certificates.identity(site);
        if (id.kind() != Kind.SITE) {
            throw new ManifestException("only a site countersigns a round manifest, not " + id.describe());
        }
        Path json = dir.resolve(ManifestFiles.json(round));
        try {
            byte[] bytes = Files.readAllBytes(json);
            RoundManifest m;
            try {
                m = Jcs.read(bytes, RoundManifest.class);
            } catch (CanonicalException e) {
                throw new ManifestException(json + ": " + e.getMessage(), e);
            }
            RoundManifest.SiteEntry entry = m.site(id.name());
            if (entry == null) {
                throw new ManifestException(json.getFileName() + " does not list site " + id.name()
                        + "; a site countersigns only rounds it took part in");
            }
            String fingerprint = Certificates.fingerprint(site);
            if (!entry.certificateFingerprint().equals(fingerprint)) {
                throw new ManifestException(json.getFileName() + " lists site " + id.name() + " with certificate sha256:"
                        + entry.certificateFingerprint() + ", not this kit's sha256:" + fingerprint);
            }
            if (!org.medveil.governance.crypto.Signatures.verify(site.getPublicKey(), bytes, signature)) {
                throw new ManifestException("site " + id.name() + "'s countersignature of " + json.getFileName()
                        + " does not verify over its bytes; it was made over another manifest or with another key");
            }
            samePem(dir.resolve(ManifestFiles.sitePem(id.name())), site, "site " + id.name());
            Path sig = dir.resolve(ManifestFiles.countersignature(round, id.name()));
            ManifestFiles.writeAtomically(sig, signature);
            return sig;
        } catch (IOException e) {
            throw new ManifestException("cannot countersign " + json + ": " + e.getMessage(), e);
        }
    }

    /** Writes the certificate the first time; afterwards it must be the same certificate. */
    private static void samePem(Path pem, X509Certificate cert, String who) throws IOException {
        if (!Files.exists(pem)) {
            ManifestFiles.writeAtomically(pem, Pem.encode(cert).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return;
        }
        X509Certificate there = Pem.readCertificate(pem);
        if (!Certificates.fingerprint(cert).equals(Certificates.fingerprint(there))) {
            throw new ManifestException(pem + " holds another certificate of " + who + " (sha256:"
                    + Certificates.fingerprint(there) + "); one manifest folder is signed with one certificate each");
        }
    }
}
