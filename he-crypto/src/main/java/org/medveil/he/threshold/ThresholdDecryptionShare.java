package org.medveil.he.threshold;

import org.medveil.he.ring.Poly;
import org.medveil.he.rlwe.KeyId;

/**
 * h_j = λ_j^T·c1·σ_j + e_flood (coefficient domain) from holder j for one ciphertext and one
 * active set T.
 *
 * @param requestDigest   {@link org.medveil.he.rlwe.Ciphertext#shareRequestDigest()} of the ciphertext it answers
 * @param activeSetDigest {@link ActiveSet#digest()} of the set whose Lagrange coefficient it carries
 */
public record ThresholdDecryptionShare(String partyId, String paramsFingerprint, KeyId keyId, String requestDigest,
                                       String activeSetDigest, Poly h) {
}
