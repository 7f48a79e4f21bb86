package org.medveil.he.rlwe;

import java.util.List;
import org.medveil.he.ring.Poly;

/**
 * Collective public key (p0, p1) = (Σ_i (-a·s_i + e_i), a) in the NTT domain, for the secret
 * s = Σ_i s_i that no single party holds.
 *
 * @param paramsFingerprint parameter set it belongs to
 * @param keyId             digest identifying the key
 * @param parties           the key-share holders, sorted: each must contribute a decryption share
 * @param crpDigest         hex SHA-256 of the common seed that expanded {@code a}
 * @param p0                Σ p_i (NTT domain)
 * @param p1                a (NTT domain)
 */
public record PublicKey(String paramsFingerprint, KeyId keyId, List<String> parties, String crpDigest,
                        Poly p0, Poly p1) {

    public PublicKey {
        parties = List.copyOf(parties);
    }
}
