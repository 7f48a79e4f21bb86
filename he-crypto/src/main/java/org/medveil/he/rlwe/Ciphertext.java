package org.medveil.he.rlwe;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.medveil.he.ring.Poly;

/**
 * An RLWE ciphertext (c0, c1) in the coefficient domain, decrypting to c0 + c1·s ≈ Δ·x, with
 * the metadata needed to check additions and decryptions without the key.
 *
 * <p>Mutable only through {@link Evaluator#addInPlace}, so an accumulator reuses its buffers.
 */
public final class Ciphertext {

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final String paramsFingerprint;
    private final KeyId keyId;
    private final int chunk;
    private final Poly c0;
    private final Poly c1;
    private int valueCount;
    private double bound;
    private int contributions;

    /**
     * @param chunk         index of this ciphertext within an encrypted vector
     * @param valueCount    leading coefficients carrying values
     * @param bound         declared bound on |value| (sum of the contributors' bounds)
     * @param contributions how many fresh ciphertexts were added into this one
     */
    public Ciphertext(String paramsFingerprint, KeyId keyId, int chunk, int valueCount, double bound,
                      int contributions, Poly c0, Poly c1) {
        if (chunk < 0 || valueCount < 0 || contributions < 1 || !(bound > 0)) {
            throw new IllegalArgumentException("ciphertext metadata out of range: chunk " + chunk
                    + ", values " + valueCount + ", bound " + bound + ", contributions " + contributions);
        }
        this.paramsFingerprint = paramsFingerprint;
        this.keyId = keyId;
        this.chunk = chunk;
        this.valueCount = valueCount;
        this.bound = bound;
        this.contributions = contributions;
        this.c0 = c0;
        this.c1 = c1;
    }

    public String paramsFingerprint() {
        return paramsFingerprint;
    }

    public KeyId keyId() {
        return keyId;
    }

    public int chunk() {
        return chunk;
    }

    public int valueCount() {
        return valueCount;
    }

    public double bound() {
        return bound;
    }

    public int contributions() {
        return contributions;
    }

    public Poly c0() {
        return c0;
    }

    public Poly c1() {
        return c1;
    }

    public Ciphertext copy() {
        return new Ciphertext(paramsFingerprint, keyId, chunk, valueCount, bound, contributions, c0.copy(), c1.copy());
    }

    /** Undoes {@link #absorbMetadata} for bound and count; the value count (a maximum) is left as it is. */
    void releaseMetadata(double otherBound, int otherContributions) {
        bound -= otherBound;
        contributions -= otherContributions;
    }

    void absorbMetadata(int otherValueCount, double otherBound, int otherContributions) {
        valueCount = Math.max(valueCount, otherValueCount);
        bound += otherBound;
        contributions += otherContributions;
    }

    /**
     * Digest of what a decryption share depends on: parameters, key, chunk and c1. Two requests
     * with the same c1 but different c0 are the same request (the share c1·s_i + e would be
     * computed again with fresh noise, and averaging two shares weakens the flooding), so the
     * ledger keys on this digest.
     */
    public String shareRequestDigest() {
        MessageDigest md = Digests.sha256();
        md.update("medveil-he/share-request/v1".getBytes(StandardCharsets.US_ASCII));
        md.update(paramsFingerprint.getBytes(StandardCharsets.US_ASCII));
        md.update(keyId.hex().getBytes(StandardCharsets.US_ASCII));
        byte[] block = new byte[8 * c1.degree()];
        for (int i = 0; i < c1.primes(); i++) {
            long[] r = c1.at(i);
            for (int j = 0; j < r.length; j++) {
                LONGS.set(block, 8 * j, r[j]);
            }
            md.update(block);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
