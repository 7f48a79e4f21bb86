package org.medveil.he.threshold;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@link ShareSealer} with ECDH P-256 (a fresh ephemeral key per share against the recipient's
 * kit-certificate key), HKDF-SHA256 and AES-256-GCM, the label as associated data; format in
 * {@link EcdhSeal}. JDK only. Written here rather than taken from a library because the JDK has
 * every primitive and HPKE (RFC 9180) is not in JDK 17; the construction is the usual
 * ephemeral-static ECIES. Thread-safe.
 */
public final class EcdhShareSealer implements ShareSealer {

    private final SecureRandom random;

    public EcdhShareSealer() {
        this(new SecureRandom());
    }

    public EcdhShareSealer(SecureRandom random) {
        this.random = random;
    }

    @Override
    public byte[] seal(SealLabel label, PublicKey recipientKey, byte[] plaintext) {
        ECPublicKey recipient = EcdhSeal.requireP256(recipientKey, "the public key of recipient " + label.recipient());
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(EcdhSeal.P256, random);
            KeyPair eph = g.generateKeyPair();
            byte[] epk = EcdhSeal.encodePoint((ECPublicKey) eph.getPublic());
            byte[] z = EcdhSeal.sharedSecret(eph.getPrivate(), recipient);
            byte[] key = EcdhSeal.hkdf(z, EcdhSeal.concat(epk, EcdhSeal.encodePoint(recipient)));
            Arrays.fill(z, (byte) 0);
            byte[] nonce = new byte[EcdhSeal.NONCE_BYTES];
            random.nextBytes(nonce);
            byte[] out = new byte[EcdhSeal.HEADER + plaintext.length + EcdhSeal.TAG_BITS / 8];
            ByteBuffer.wrap(out).put(EcdhSeal.MAGIC).put((byte) EcdhSeal.VERSION).put(epk).put(nonce);
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(EcdhSeal.TAG_BITS, nonce));
            Arrays.fill(key, (byte) 0);
            gcm.updateAAD(out, 0, EcdhSeal.HEADER);
            gcm.updateAAD(label.encode());
            gcm.doFinal(plaintext, 0, plaintext.length, out, EcdhSeal.HEADER);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks EC P-256, ECDH or AES-GCM, which share sealing requires", e);
        }
    }
}
