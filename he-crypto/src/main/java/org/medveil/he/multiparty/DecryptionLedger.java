package org.medveil.he.multiparty;

import java.util.List;

/**
 * Memory of the decryption requests a key holder has decided. It keys on the ciphertext's c1
 * digest (two independently flooded shares of one c1 average out the flooding) and on
 * (key, job, round, chunk) (answering "all sites" and then "all but one" for the same chunk
 * would give away one site's update by subtraction, and c + Enc(0) has another c1).
 *
 * <p>Round flow ({@link VerifiedDecryption}): verify every chunk of a round, {@link #reserve}
 * them all with one durable write, then compute the shares; each share consumes its reservation
 * through {@link #recordOrRefuse}. A reserved chunk is never answered again, even if the holder
 * crashes before its share leaves.
 */
public interface DecryptionLedger extends AutoCloseable {

    /**
     * Called by {@link KeyShareHolder} before each share: consumes a reservation for this digest,
     * or records the digest (permissive ledgers only), or throws
     * {@link org.medveil.he.RepeatedDecryptionException} if it was answered before. A
     * verified-only ledger throws {@link org.medveil.he.UnverifiedAggregateException} for a digest
     * that was never reserved. Recording is durable before this method returns.
     */
    void recordOrRefuse(String requestDigest);

    boolean contains(String requestDigest);

    /**
     * Records every entry (one round's verified chunks) with one durable write, or refuses them
     * all with {@link org.medveil.he.RepeatedDecryptionException} if any chunk or digest was
     * decided before. Each entry must carry its digest.
     */
    void reserve(List<LedgerEntry> entries);

    /** Durably marks chunks as never to be answered (their verification failed). */
    void refuseForever(List<LedgerEntry.Chunk> chunks);

    /** True when this chunk was answered, reserved or refused for good. */
    boolean isDecided(LedgerEntry.Chunk chunk);

    /** True when only reserved (verified) requests may be answered. */
    boolean verifiedOnly();

    @Override
    default void close() {
    }
}
