package org.medveil.he.threshold;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.medveil.he.ShareTransportException;

/**
 * The sealed-share format shared by {@link EcdhShareSealer} and {@link EcdhShareOpener}
 * (ECIES-style, JDK only):
 *
 * <pre>
 * offset size  field
 * 0      4     magic "MVSS"
 * 4      1     version (1)
 * 5      65    sender's ephemeral P-256 public key, uncompressed (0x04 || X || Y)
 * 70     12    AES-GCM nonce
 * 82     ..    AES-256-GCM ciphertext, 16-byte tag last
 * </pre>
 *
 * key = HKDF-SHA256(salt = "medveil-he/share-seal/v1", ikm = ECDH(ephemeral, recipient) x-coordinate,
 * info = ephemeral point || recipient point), 32 bytes; associated data = bytes 0..82 || label.
 */
final class EcdhSeal {

    static final byte[] MAGIC = {'M', 'V', 'S', 'S'};
    static final int VERSION = 1;
    static final int POINT_BYTES = 65;
    static final int NONCE_BYTES = 12;
    static final int HEADER = 5 + POINT_BYTES + NONCE_BYTES;
    static final int TAG_BITS = 128;
    private static final byte[] SALT = "medveil-he/share-seal/v1".getBytes(StandardCharsets.US_ASCII);
    static final ECParameterSpec P256 = p256();

    private EcdhSeal() {
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
            ap.init(new ECGenParameterSpec("secp256r1"));
            return ap.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks the P-256 curve", e);
        }
    }

    /** The key as a P-256 public key, or a typed refusal naming {@code whose}. */
    static ECPublicKey requireP256(PublicKey key, String whose) {
        if (!(key instanceof ECPublicKey ec) || !sameCurve(ec.getParams())) {
            throw new ShareTransportException(whose + " is not an EC P-256 key; share sealing needs the P-256 key of"
                    + " the holder's kit certificate");
        }
        return ec;
    }

    private static boolean sameCurve(ECParameterSpec p) {
        return p.getCurve().equals(P256.getCurve()) && p.getGenerator().equals(P256.getGenerator())
                && p.getOrder().equals(P256.getOrder()) && p.getCofactor() == P256.getCofactor();
    }

    static byte[] encodePoint(ECPublicKey key) {
        byte[] out = new byte[POINT_BYTES];
        out[0] = 4;
        put32(key.getW().getAffineX(), out, 1);
        put32(key.getW().getAffineY(), out, 33);
        return out;
    }

    private static void put32(BigInteger v, byte[] out, int offset) {
        byte[] b = v.toByteArray(); // big-endian, maybe with a leading sign byte
        int len = Math.min(b.length, 32);
        System.arraycopy(b, b.length - len, out, offset + 32 - len, len);
    }

    /** Parses and validates an uncompressed point: coordinates in the field and on the curve. */
    static ECPublicKey decodePoint(byte[] in, int offset) {
        if (in[offset] != 4) {
            throw new ShareTransportException("sealed share carries a malformed ephemeral key (not an uncompressed point)");
        }
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(in, offset + 1, offset + 33));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(in, offset + 33, offset + 65));
        BigInteger p = ((ECFieldFp) P256.getCurve().getField()).getP();
        BigInteger a = P256.getCurve().getA();
        BigInteger b = P256.getCurve().getB();
        boolean onCurve = x.compareTo(p) < 0 && y.compareTo(p) < 0
                && y.multiply(y).subtract(x.pow(3).add(a.multiply(x)).add(b)).mod(p).signum() == 0;
        if (!onCurve) {
            throw new ShareTransportException("sealed share carries an ephemeral key that is not on P-256; it was altered");
        }
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), P256));
        } catch (GeneralSecurityException e) {
            throw new ShareTransportException("sealed share carries an unusable ephemeral key", e);
        }
    }

    static byte[] sharedSecret(PrivateKey mine, ECPublicKey theirs) {
        try {
            KeyAgreement ka = KeyAgreement.getInstance("ECDH");
            ka.init(mine);
            ka.doPhase(theirs, true);
            return ka.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new ShareTransportException("ECDH key agreement failed: " + e.getMessage(), e);
        }
    }

    /** HKDF-SHA256 (RFC 5869) for one 32-byte output block. */
    static byte[] hkdf(byte[] ikm, byte[] info) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SALT, "HmacSHA256"));
            byte[] prk = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            mac.update(info);
            mac.update((byte) 1);
            byte[] okm = mac.doFinal();
            Arrays.fill(prk, (byte) 0);
            return okm;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by the JDK specification", e);
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
