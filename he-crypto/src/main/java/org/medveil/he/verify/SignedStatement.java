package org.medveil.he.verify;

import java.security.MessageDigest;
import org.medveil.he.rlwe.Digests;

/**
 * A {@link ContributionStatement} with its site's signature over
 * {@link ContributionStatement#canonicalBytes()} and the credential (e.g. DER certificate) the
 * verifier needs; the credential may be empty when the verifier knows the site's key by other
 * means. On the wire it travels as the exact signed bytes ({@link #fromSignedBytes}).
 */
public record SignedStatement(ContributionStatement statement, byte[] signature, byte[] credential) {

    public SignedStatement {
        if (statement == null || signature == null || credential == null) {
            throw new IllegalArgumentException("a signed statement needs its statement, signature and credential");
        }
        signature = signature.clone();
        credential = credential.clone();
    }

    /** Receiver side: the statement is read from the exact bytes that were signed. */
    public static SignedStatement fromSignedBytes(byte[] signedBytes, byte[] signature, byte[] credential) {
        return new SignedStatement(ContributionStatement.parse(signedBytes), signature, credential);
    }

    /** Signs the statement with the site's key; the signer must speak for the statement's site. */
    public static SignedStatement sign(ContributionStatement statement, ContributionSigner signer) {
        if (!signer.site().equals(statement.site())) {
            throw new IllegalArgumentException("signer of site " + signer.site() + " cannot sign a statement of site "
                    + statement.site());
        }
        return new SignedStatement(statement, signer.sign(statement.canonicalBytes()), signer.credential());
    }

    public String site() {
        return statement.site();
    }

    public byte[] signedBytes() {
        return statement.canonicalBytes();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public byte[] credential() {
        return credential.clone();
    }

    /** SHA-256 over signed bytes, signature and credential: what a verifier remembers as checked. */
    public byte[] id() {
        MessageDigest md = Digests.sha256();
        md.update(new CanonicalBytes("MVSI", 1).bytes(signedBytes()).bytes(signature).bytes(credential).toByteArray());
        return md.digest();
    }
}
