package org.medveil.he.multiparty;

/**
 * Memory of the ciphertexts a key holder has already answered. A second request for the same
 * digest must be refused: two independently flooded shares of one c1 average out the flooding.
 */
public interface DecryptionLedger {

    /**
     * Records the digest, or throws {@link org.medveil.he.RepeatedDecryptionException} if it is
     * already recorded. Recording must be durable before the share leaves the holder.
     */
    void recordOrRefuse(String requestDigest);

    boolean contains(String requestDigest);
}
