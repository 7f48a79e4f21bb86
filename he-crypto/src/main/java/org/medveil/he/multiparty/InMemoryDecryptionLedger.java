package org.medveil.he.multiparty;

import java.util.HashSet;
import java.util.Set;
import org.medveil.he.RepeatedDecryptionException;

/** A ledger that lives as long as the holder object (benchmarks, single-process demos). */
public final class InMemoryDecryptionLedger implements DecryptionLedger {

    private final Set<String> seen = new HashSet<>();

    @Override
    public synchronized void recordOrRefuse(String requestDigest) {
        if (!seen.add(requestDigest)) {
            throw new RepeatedDecryptionException("a decryption share for ciphertext " + requestDigest
                    + " was already given; a key holder answers each ciphertext once — request a fresh aggregate");
        }
    }

    @Override
    public synchronized boolean contains(String requestDigest) {
        return seen.contains(requestDigest);
    }
}
