package org.medveil.he.multiparty;

import org.medveil.he.ring.Poly;

/**
 * A party's contribution p_i = -a·s_i + e_i (NTT domain) to the collective public key.
 *
 * @param crpDigest hex SHA-256 of the common seed, so the combiner can check every party used the same a
 */
public record PublicKeyShare(String partyId, String paramsFingerprint, String crpDigest, Poly p) {
}
