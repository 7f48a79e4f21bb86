package org.medveil.he.threshold;

import org.medveil.he.ring.Poly;
import org.medveil.he.rlwe.KeyId;

/**
 * P_i(α_j): what dealer i sends holder j, a point of the random polynomial P_i of degree t − 1
 * over R_Q with P_i(0) = s_i (NTT domain). Uniformly random on its own; secret all the same —
 * t of them reconstruct s_i — so it travels only sealed to its recipient ({@link ShareSealer}).
 */
public record ShamirShare(String dealer, String recipient, String paramsFingerprint, KeyId keyId, int t, Poly value) {

    @Override
    public String toString() {
        return "ShamirShare[" + dealer + " -> " + recipient + ", key " + keyId + ", t=" + t + "]"; // never the value
    }
}
