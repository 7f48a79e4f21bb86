package org.medveil.governance.crypto;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;

/**
 * Application signatures: ECDSA on P-256 over SHA-256 (the kits' key type), DER-encoded as the
 * JDK and {@code openssl dgst -sha256 -verify} produce and accept them.
 */
public final class Signatures {

    public static final String ALGORITHM = "SHA256withECDSA";

    private Signatures() {
    }

    public static byte[] sign(PrivateKey key, byte[] message) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with a " + key.getAlgorithm() + " key; kits carry EC P-256 keys", e);
        }
    }

    /** False for a wrong or malformed signature; an unusable key is an error. */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (SignatureException e) {
            return false; // not a DER ECDSA signature
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot verify with a " + key.getAlgorithm() + " key", e);
        }
    }
}
