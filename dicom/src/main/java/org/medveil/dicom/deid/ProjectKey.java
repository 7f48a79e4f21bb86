package org.medveil.dicom.deid;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The project's substitution key. Every replacement value is HMAC-SHA256(key, domain ‖ original),
 * so the same original maps to the same value everywhere in a project (references stay
 * consistent) and to unrelated values in another project (no linkage without the key).
 */
public final class ProjectKey {
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private final SecretKeySpec key;
    private final String id;
    /** Initialised once; each call works on a clone, so the key stays usable from many threads. */
    private final Mac prototype;

    public ProjectKey(byte[] key) {
        if (key == null || key.length < 16) {
            throw new IllegalArgumentException("a project key needs at least 16 bytes (32 recommended), got "
                    + (key == null ? 0 : key.length));
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.id = fingerprint(key);
        try {
            this.prototype = Mac.getInstance("HmacSHA256");
            this.prototype.init(this.key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JRE", e);
        }
    }

    /** A new random 32-byte key. */
    public static ProjectKey generate() {
        byte[] k = new byte[32];
        new java.security.SecureRandom().nextBytes(k);
        return new ProjectKey(k);
    }

    /** First 8 bytes of SHA-256 of the key, hex: names the key without revealing it. */
    public String id() { return id; }

    byte[] hmac(String domain, String value) {
        try {
            Mac mac = (Mac) prototype.clone();
            mac.update(domain.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("this JRE's HmacSHA256 cannot be cloned", e);
        }
    }

    /** "2.25." + the decimal of the first 128 bits of the HMAC (PS3.5 B.2 UUID-derived form). */
    public String uid(String original) {
        byte[] h = hmac("uid", original.strip());
        byte[] b = java.util.Arrays.copyOf(h, 16);
        return "2.25." + new BigInteger(1, b);
    }

    /** An upper-case base32 pseudonym of {@code length} characters for {@code value} in {@code domain}. */
    public String pseudonym(String domain, String value, int length) {
        byte[] h = hmac(domain, value.strip());
        StringBuilder sb = new StringBuilder(length);
        long buffer = 0;
        int bits = 0;
        int i = 0;
        while (sb.length() < length) {
            if (bits < 5) {
                buffer = (buffer << 8) | (h[i++ % h.length] & 0xFF);
                bits += 8;
            }
            sb.append(BASE32[(int) (buffer >>> (bits - 5)) & 31]);
            bits -= 5;
        }
        return sb.toString();
    }

    /** A per-patient day offset in [-maxDays, -1]: never zero, so no date survives unshifted. */
    public int dayOffset(String patient, int maxDays) {
        byte[] h = hmac("date-offset", patient);
        long v = new BigInteger(1, java.util.Arrays.copyOf(h, 8)).longValue() & Long.MAX_VALUE;
        return -(int) (1 + v % maxDays);
    }

    private static String fingerprint(byte[] key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JRE", e);
        }
    }
}
