package org.medveil.he.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pseudo-random stream: AES-256 in counter mode (JCE, AES-NI backed) over a 32-byte seed.
 *
 * <p>The public factory {@link #fromSeed} expands a <em>public</em> seed plus a domain label
 * (the common random polynomial every party must expand identically). Such a stream can only
 * produce public uniform polynomials ({@link #uniform}); secrets and noise come from
 * {@link SecretRandom}, a separate type, so a public-seeded stream cannot be passed where a
 * secret is sampled — the compiler refuses it. Not thread-safe: one instance per thread.
 */
public final class Prng {

    public static final int SEED_BYTES = 32;
    private static final int BUFFER_BYTES = 16 * 1024;
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Cipher cipher;
    private final byte[] zeros = new byte[BUFFER_BYTES];
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int position = BUFFER_BYTES;

    private Prng(byte[] seed, byte[] iv) {
        if (seed.length != SEED_BYTES) {
            throw new IllegalArgumentException("PRNG seed must be " + SEED_BYTES + " bytes, got " + seed.length);
        }
        try {
            cipher = Cipher.getInstance("AES/CTR/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(iv));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM lacks AES/CTR, which the HE module requires", e);
        }
    }

    /** A fresh stream keyed from the platform's SecureRandom; only {@link SecretRandom} holds one. */
    static Prng secure() {
        byte[] seed = new byte[SEED_BYTES];
        new SecureRandom().nextBytes(seed);
        Prng p = new Prng(seed, new byte[16]);
        Arrays.fill(seed, (byte) 0);
        return p;
    }

    /** A deterministic stream for a public seed; the label separates different uses of one seed. */
    public static Prng fromSeed(byte[] seed, String domainLabel) {
        byte[] iv = Arrays.copyOf(sha256(domainLabel.getBytes(StandardCharsets.UTF_8)), 16);
        return new Prng(seed.clone(), iv);
    }

    private void refill() {
        try {
            cipher.update(zeros, 0, BUFFER_BYTES, buffer, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR keystream generation failed", e);
        }
        position = 0;
    }

    /** Fills {@code out} with a uniform polynomial of R_Q (public randomness: the common polynomial a). */
    public void uniform(Ring ring, Poly out) {
        Sampler.uniform(this, ring, out);
    }

    long nextLong() {
        if (position > BUFFER_BYTES - 8) {
            refill();
        }
        long v = (long) LONGS.get(buffer, position);
        position += 8;
        return v;
    }

    /** Fills out[0..count) with uniform 64-bit words. */
    void fill(long[] out, int count) {
        int done = 0;
        while (done < count) {
            if (position > BUFFER_BYTES - 8) {
                refill();
            }
            int take = Math.min(count - done, (BUFFER_BYTES - position) >>> 3);
            for (int k = 0; k < take; k++) {
                out[done + k] = (long) LONGS.get(buffer, position + 8 * k);
            }
            position += 8 * take;
            done += take;
        }
    }

    void nextBytes(byte[] out) {
        int done = 0;
        while (done < out.length) {
            if (position == BUFFER_BYTES) {
                refill();
            }
            int take = Math.min(out.length - done, BUFFER_BYTES - position);
            System.arraycopy(buffer, position, out, done, take);
            position += take;
            done += take;
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
