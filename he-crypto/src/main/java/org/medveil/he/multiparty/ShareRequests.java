package org.medveil.he.multiparty;

import org.medveil.he.InvalidShareException;
import org.medveil.he.ParameterMismatchException;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.PublicKey;

/**
 * The checks every key holder (N-of-N {@link KeyShareHolder} and t-of-N threshold holder) makes
 * on a decryption request before it records it and computes a share: one rule, in one place.
 */
public final class ShareRequests {
    private ShareRequests() {}

    /** A holder's configured minimum number of contributions per aggregate. */
    public static void requireMinimum(int minContributions) {
        if (minContributions < 1) {
            throw new IllegalArgumentException("minimum contributions must be at least 1, got " + minContributions);
        }
    }

    /** Same parameters and key, at least the minimum contributions, and flooding sized for them. */
    public static void check(HeContext context, PublicKey key, String partyId, int minContributions,
                             FloodingNoise flooding, Ciphertext ct) {
        context.requireSameParams(ct.paramsFingerprint(), "ciphertext chunk " + ct.chunk());
        if (!ct.keyId().equals(key.keyId())) {
            throw new ParameterMismatchException("ciphertext chunk " + ct.chunk() + " is under key " + ct.keyId()
                    + ", but party " + partyId + " holds a share of key " + key.keyId()
                    + "; send it to the holders of its own key");
        }
        if (ct.contributions() < minContributions) {
            throw new InvalidShareException("ciphertext chunk " + ct.chunk() + " aggregates " + ct.contributions()
                    + " contribution(s), fewer than the " + minContributions + " this key holder requires;"
                    + " a lone update is never decrypted");
        }
        flooding.requireCovers(context, key.parties().size(), ct.contributions());
    }
}
