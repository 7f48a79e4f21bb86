package org.medveil.he.threshold;

import org.medveil.he.InvalidShareException;
import org.medveil.he.multiparty.DecryptionLedger;
import org.medveil.he.multiparty.FloodingNoise;
import org.medveil.he.multiparty.ShareRequests;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Ring;
import org.medveil.he.ring.Sampler;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.PublicKey;

/**
 * A holder's threshold key share in service: for a ciphertext and an active set T it answers
 * h_j = λ_j^T·c1·σ_j + e_flood — the N-of-N key switch among T with the additive share λ_j·σ_j
 * (Lattigo's "Combiner" step, computed on the fly). The same guards as
 * {@link org.medveil.he.multiparty.KeyShareHolder}: its own key and parameters only, a minimum
 * number of contributions, flooding at or above the floor, and at most one answer per ciphertext
 * whatever the active set (two answers for two sets would be two independently flooded views of
 * the same residual noise). Not thread-safe (own random stream).
 */
public final class ThresholdShareHolder {

    private final HeContext context;
    private final ThresholdKeyShare share;
    private final PublicKey key;
    private final DecryptionLedger ledger;
    private final FloodingNoise flooding;
    private final int minContributions;
    private final Sampler sampler;
    private String lagrangeSet; // the coordinator reuses one active set for all chunks of a round
    private long[] lagrange;

    public ThresholdShareHolder(HeContext context, ThresholdKeyShare share, PublicKey key, DecryptionLedger ledger,
                                FloodingNoise flooding, int minContributions, SecretRandom random) {
        context.requireSameParams(share.paramsFingerprint(), "threshold key share of party " + share.partyId());
        context.requireSameParams(key.paramsFingerprint(), "public key " + key.keyId());
        Threshold t = share.threshold();
        if (!t.keyId().equals(key.keyId()) || !t.parties().equals(key.parties())) {
            throw new InvalidShareException("threshold key share of party " + share.partyId() + " belongs to key "
                    + t.keyId() + ", not " + key.keyId() + "; load the threshold share of this job");
        }
        flooding.requireCovers(context, key.parties().size(), 1);
        ShareRequests.requireMinimum(minContributions);
        this.context = context;
        this.share = share;
        this.key = key;
        this.ledger = ledger;
        this.flooding = flooding;
        this.minContributions = minContributions;
        this.sampler = random.sampler();
    }

    public String partyId() {
        return share.partyId();
    }

    /** The request is checked, then recorded in the ledger, before the share is computed. */
    public ThresholdDecryptionShare decryptionShare(Ciphertext ct, ActiveSet requested) {
        ShareRequests.check(context, key, share.partyId(), minContributions, flooding, ct);
        ActiveSet set = share.threshold().requireValid(requested); // at least t members, all holders
        if (!set.members().contains(share.partyId())) {
            throw new InvalidShareException("party " + share.partyId() + " is not in the active set " + set.members()
                    + "; only its members answer");
        }
        String digest = ct.shareRequestDigest();
        ledger.recordOrRefuse(digest);
        Ring ring = context.ring();
        Poly h = ct.c1().copy();
        ring.ntt(h);
        ring.mulShoup(h, share.shoupForm(), h);
        if (!set.digest().equals(lagrangeSet)) {
            lagrange = share.threshold().lagrange(set, share.partyId(), ring);
            lagrangeSet = set.digest();
        }
        ring.mulScalarInPlace(h, lagrange);
        ring.intt(h);
        sampler.addFlooding(ring, h, flooding.bits());
        return new ThresholdDecryptionShare(share.partyId(), context.fingerprint(), key.keyId(), digest, set.digest(), h);
    }
}
