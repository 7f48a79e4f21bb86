package org.medveil.dicom.deid;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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
    /** Initialised once; each thread gets its own clone and keeps it (a Mac is not thread-safe). */
    private final Mac prototype;
    private final ThreadLocal<Mac> perThread = ThreadLocal.withInitial(this::newMac);

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

    private Mac newMac() {
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("this JRE's HmacSHA256 cannot be cloned", e);
        }
    }

    byte[] hmac(String domain, String value) {
        Mac mac = perThread.get();
        mac.reset(); // doFinal resets too; this covers a call that failed half-way
        mac.update(domain.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
    }

    /** "2.25." + the decimal of the first 128 bits of the HMAC (PS3.5 B.2 UUID-derived form). */
    public String uid(String original) {
        byte[] h = hmac("uid", original.strip());
        return "2.25." + unsignedDecimal(h, 16);
    }

    /**
     * The decimal digits of the first {@code n} bytes of {@code b} as an unsigned big-endian
     * number, as {@code new BigInteger(1, first n bytes).toString()} gives them: long division of
     * 32-bit limbs by 10^9, without BigInteger's allocations (a few UIDs per object).
     */
    static String unsignedDecimal(byte[] b, int n) {
        int[] limbs = new int[(n + 3) / 4];
        for (int i = 0; i < n; i++) {
            int bit = (n - 1 - i) * 8; // position of byte i counted from the least significant end
            limbs[limbs.length - 1 - bit / 32] |= (b[i] & 0xFF) << (bit % 32);
        }
        int[] chunks = new int[limbs.length * 32 / 29 + 2]; // base-10^9 digits, least significant first
        int count = 0;
        int first = 0;
        while (first < limbs.length) {
            long rem = 0;
            for (int i = first; i < limbs.length; i++) {
                long cur = (rem << 32) | (limbs[i] & 0xFFFFFFFFL);
                limbs[i] = (int) (cur / 1_000_000_000L);
                rem = cur % 1_000_000_000L;
            }
            chunks[count++] = (int) rem;
            while (first < limbs.length && limbs[first] == 0) {
                first++;
            }
        }
        StringBuilder sb = new StringBuilder(count * 9);
        sb.append(count == 0 ? 0 : chunks[count - 1]);
        for (int i = count - 2; i >= 0; i--) {
            String d = Integer.toString(chunks[i]);
            sb.append("000000000", d.length(), 9).append(d);
        }
        return sb.toString();
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
        long v = 0;
        for (int i = 0; i < 8; i++) { // the first 8 bytes, big endian, top bit cleared
            v = (v << 8) | (h[i] & 0xFF);
        }
        v &= Long.MAX_VALUE;
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
