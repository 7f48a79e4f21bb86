package org.medveil.he.threshold;

import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.medveil.he.InvalidShareException;
import org.medveil.he.MissingShareException;
import org.medveil.he.ParameterMismatchException;
import org.medveil.he.ValueOutOfRangeException;
import org.medveil.he.multiparty.FloodingNoise;
import org.medveil.he.multiparty.NoiseBudget;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Ring;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Encoder;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.PublicKey;

/**
 * Combines the decryption shares of an active set: c0 + Σ_{j∈T} h_j = Δ·x + v + Σ flooding,
 * because Σ_{j∈T} λ_j·σ_j = s. Refuses shares of another set, ciphertext or key, and names the
 * members whose share is missing ({@link MissingShareException}). Decodes with the range check
 * and the rounding of {@link org.medveil.he.multiparty.DecryptionCombiner}. Needs no secret.
 */
public final class ThresholdCombiner {

    private final HeContext context;
    private final PublicKey key;
    private final Threshold threshold;
    private final FloodingNoise flooding;
    private final Encoder encoder;

    public ThresholdCombiner(HeContext context, PublicKey key, Threshold threshold, FloodingNoise flooding) {
        context.requireSameParams(key.paramsFingerprint(), "public key " + key.keyId());
        context.requireSameParams(flooding.paramsFingerprint(), "flooding noise");
        if (!threshold.keyId().equals(key.keyId()) || !threshold.parties().equals(key.parties())) {
            throw new ParameterMismatchException("threshold is for key " + threshold.keyId() + ", not " + key.keyId());
        }
        this.context = context;
        this.key = key;
        this.threshold = threshold;
        this.flooding = flooding;
        this.encoder = new Encoder(context);
    }

    public double[] combine(Ciphertext ct, ActiveSet requested, Collection<ThresholdDecryptionShare> shares) {
        context.requireSameParams(ct.paramsFingerprint(), "ciphertext chunk " + ct.chunk());
        if (!ct.keyId().equals(key.keyId())) {
            throw new ParameterMismatchException("ciphertext chunk " + ct.chunk() + " is under key " + ct.keyId()
                    + ", not the combiner's key " + key.keyId());
        }
        ActiveSet set = threshold.requireValid(requested);
        String digest = ct.shareRequestDigest();
        TreeMap<String, ThresholdDecryptionShare> byParty = new TreeMap<>();
        for (ThresholdDecryptionShare s : shares) {
            if (!set.members().contains(s.partyId())) {
                throw new InvalidShareException("decryption share from party " + s.partyId()
                        + ", which is not in the active set " + set.members() + "; drop it");
            }
            if (byParty.put(s.partyId(), s) != null) {
                throw new InvalidShareException("two decryption shares from party " + s.partyId()
                        + " for chunk " + ct.chunk() + "; keep exactly one per party");
            }
            context.requireSameParams(s.paramsFingerprint(), "decryption share of party " + s.partyId());
            if (!s.keyId().equals(key.keyId())) {
                throw new InvalidShareException("decryption share of party " + s.partyId() + " is for key "
                        + s.keyId() + ", not " + key.keyId());
            }
            if (!s.activeSetDigest().equals(set.digest())) {
                throw new InvalidShareException("decryption share of party " + s.partyId()
                        + " was computed for another active set; all shares of a chunk must use the same set");
            }
            if (!s.requestDigest().equals(digest)) {
                throw new InvalidShareException("decryption share of party " + s.partyId()
                        + " answers another ciphertext than chunk " + ct.chunk() + "; match shares to ciphertexts by digest");
            }
        }
        TreeSet<String> missing = new TreeSet<>(set.members());
        missing.removeAll(byParty.keySet());
        if (!missing.isEmpty()) {
            throw new MissingShareException("chunk " + ct.chunk() + " has " + byParty.size() + " of the " + set.members().size()
                    + " decryption shares of its active set (threshold " + threshold.t() + " of " + threshold.n()
                    + "); missing: " + List.copyOf(missing));
        }
        Ring ring = context.ring();
        Poly m = ct.c0().copy();
        for (ThresholdDecryptionShare s : byParty.values()) {
            ring.addInPlace(m, s.h());
        }
        double maxError = NoiseBudget.maxAbsoluteError(context, threshold.n(), ct.contributions(), byParty.size(), flooding);
        try {
            return encoder.decode(m, ct.valueCount(), ct.bound(), NoiseBudget.roundingGridLog2(context, maxError));
        } catch (ValueOutOfRangeException e) {
            throw new InvalidShareException("chunk " + ct.chunk() + " does not decrypt to values within its declared"
                    + " bound: a decryption share or a dealer's Shamir share was wrong or corrupted; ask each holder of"
                    + " the active set to check its threshold share against key " + key.keyId());
        }
    }
}
