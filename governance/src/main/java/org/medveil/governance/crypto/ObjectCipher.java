package org.medveil.governance.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Authenticated encryption of one message under one key with a {@link CipherSuite}: AES-GCM
 * through the JDK (JCE), SM4-GCM through BouncyCastle's lightweight API (the JDK has no SM4).
 *
 * <p>A sealed message is {@code nonce(12) || ciphertext || tag(16)}; the nonce is fresh and
 * random for each call, which is safe because every data key seals a single object and the
 * master key wraps one data key per object (far below the 2^32 random-nonce limit per key as
 * long as a site stores fewer than billions of objects per master key).
 *
 * <p>{@link #wrapKey}/{@link #unwrapKey} seal a data key under a master key with the object id
 * as associated data, so a wrapped key moved to another object's row does not open.
 */
public final class ObjectCipher {

    /** Nonce length in bytes (96 bits, the GCM standard size). */
    public static final int NONCE_BYTES = 12;
    /** Authentication tag length in bytes. */
    public static final int TAG_BYTES = 16;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final CipherSuite suite;

    public ObjectCipher(CipherSuite suite) {
        this.suite = suite;
    }

    public CipherSuite suite() {
        return suite;
    }

    /** A fresh random key of this suite's length. */
    public byte[] newKey() {
        byte[] key = new byte[suite.keyBytes()];
        RANDOM.nextBytes(key);
        return key;
    }

    /** Encrypts {@code plaintext} bound to {@code aad}; returns nonce || ciphertext || tag. */
    public byte[] seal(byte[] key, byte[] plaintext, byte[] aad) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return seal(key, nonce, plaintext, aad);
    }

    /** Seal with a given nonce: for known-answer tests only; never reuse a nonce under a key. */
    byte[] seal(byte[] key, byte[] nonce, byte[] plaintext, byte[] aad) {
        checkKey(key);
        byte[] body = crypt(true, key, nonce, plaintext, 0, plaintext.length, aad);
        byte[] out = new byte[NONCE_BYTES + body.length];
        System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
        System.arraycopy(body, 0, out, NONCE_BYTES, body.length);
        return out;
    }

    /**
     * Decrypts a message made by {@link #seal}. Throws {@link TamperedException} when the tag
     * does not verify (altered ciphertext, nonce or AAD, or the wrong key).
     */
    public byte[] open(byte[] key, byte[] sealed, byte[] aad) throws TamperedException {
        checkKey(key);
        if (sealed.length < NONCE_BYTES + TAG_BYTES) {
            throw new TamperedException("sealed message is " + sealed.length
                    + " bytes, shorter than nonce and tag (" + (NONCE_BYTES + TAG_BYTES) + ")", null);
        }
        byte[] nonce = Arrays.copyOf(sealed, NONCE_BYTES);
        try {
            return cryptChecked(false, key, nonce, sealed, NONCE_BYTES, sealed.length - NONCE_BYTES, aad);
        } catch (AEADBadTagException | InvalidCipherTextException e) {
            throw new TamperedException(suite.configName()
                    + " authentication tag does not verify (altered data or wrong key)", e);
        }
    }

    /** Wraps {@code dataKey} under {@code masterKey}, bound to {@code objectId}. */
    public byte[] wrapKey(byte[] masterKey, byte[] dataKey, String objectId) {
        return seal(masterKey, dataKey, wrapAad(objectId));
    }

    /** Unwraps a data key made by {@link #wrapKey} for the same object id. */
    public byte[] unwrapKey(byte[] masterKey, byte[] wrapped, String objectId) throws TamperedException {
        byte[] key = open(masterKey, wrapped, wrapAad(objectId));
        checkKey(key);
        return key;
    }

    private static byte[] wrapAad(String objectId) {
        return ("medveil-data-key:" + objectId).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private void checkKey(byte[] key) {
        if (key == null || key.length != suite.keyBytes()) {
            throw new IllegalArgumentException(suite.configName() + " needs a " + suite.keyBytes()
                    + "-byte key, got " + (key == null ? "none" : key.length + " bytes"));
        }
    }

    private byte[] crypt(boolean encrypt, byte[] key, byte[] nonce, byte[] in, int off, int len, byte[] aad) {
        try {
            return cryptChecked(encrypt, key, nonce, in, off, len, aad);
        } catch (AEADBadTagException | InvalidCipherTextException e) {
            throw new IllegalStateException("encryption cannot fail authentication", e);
        }
    }

    private byte[] cryptChecked(boolean encrypt, byte[] key, byte[] nonce, byte[] in, int off, int len,
            byte[] aad) throws AEADBadTagException, InvalidCipherTextException {
        if (suite == CipherSuite.SM4_GCM) {
            GCMModeCipher gcm = GCMBlockCipher.newInstance(new SM4Engine());
            gcm.init(encrypt, new AEADParameters(new KeyParameter(key), TAG_BYTES * 8, nonce, aad));
            byte[] out = new byte[gcm.getOutputSize(len)];
            int n = gcm.processBytes(in, off, len, out, 0);
            n += gcm.doFinal(out, n);
            return n == out.length ? out : Arrays.copyOf(out, n);
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                    new GCMParameterSpec(TAG_BYTES * 8, nonce));
            if (aad != null) {
                c.updateAAD(aad);
            }
            return c.doFinal(in, off, len);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }
}
