package org.medveil.he.multiparty;

import org.medveil.he.ring.Poly;
import org.medveil.he.rlwe.KeyId;

/**
 * h_i = c1·s_i + e_flood (coefficient domain) from one key holder for one ciphertext.
 *
 * @param requestDigest {@link org.medveil.he.rlwe.Ciphertext#shareRequestDigest()} of the ciphertext it answers
 */
public record DecryptionShare(String partyId, String paramsFingerprint, KeyId keyId, String requestDigest, Poly h) {
}
