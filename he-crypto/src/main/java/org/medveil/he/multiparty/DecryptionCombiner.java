package org.medveil.he.multiparty;

import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.medveil.he.InvalidShareException;
import org.medveil.he.MissingShareException;
import org.medveil.he.ParameterMismatchException;
import org.medveil.he.ValueOutOfRangeException;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Ring;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Encoder;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.PublicKey;

/**
 * Combines the decryption shares of all key holders: c0 + Σ h_i = Δ·x + noise, then decodes with
 * the range check that exposes a wrong share, rounding to the guaranteed precision
 * ({@link NoiseBudget#roundingGridLog2}) so the noise below it is not released. Needs no secret;
 * the coordinator runs it.
 */
public final class DecryptionCombiner {

    private final HeContext context;
    private final PublicKey key;
    private final Encoder encoder;
    private final FloodingNoise flooding;

    /** @param flooding the job's flooding (what every holder adds): it sets the rounding grid */
    public DecryptionCombiner(HeContext context, PublicKey key, FloodingNoise flooding) {
        context.requireSameParams(key.paramsFingerprint(), "public key " + key.keyId());
        context.requireSameParams(flooding.paramsFingerprint(), "flooding noise");
        this.context = context;
        this.key = key;
        this.encoder = new Encoder(context);
        this.flooding = flooding;
    }

    public double[] combine(Ciphertext ct, Collection<DecryptionShare> shares) {
        context.requireSameParams(ct.paramsFingerprint(), "ciphertext chunk " + ct.chunk());
        if (!ct.keyId().equals(key.keyId())) {
            throw new ParameterMismatchException("ciphertext chunk " + ct.chunk() + " is under key " + ct.keyId()
                    + ", not the combiner's key " + key.keyId());
        }
        String digest = ct.shareRequestDigest();
        TreeMap<String, DecryptionShare> byParty = new TreeMap<>();
        for (DecryptionShare s : shares) {
            if (!key.parties().contains(s.partyId())) {
                throw new InvalidShareException("decryption share from party " + s.partyId()
                        + ", which holds no share of key " + key.keyId() + "; drop it");
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
            if (!s.requestDigest().equals(digest)) {
                throw new InvalidShareException("decryption share of party " + s.partyId()
                        + " answers another ciphertext than chunk " + ct.chunk() + "; match shares to ciphertexts by digest");
            }
        }
        TreeSet<String> missing = new TreeSet<>(key.parties());
        missing.removeAll(byParty.keySet());
        if (!missing.isEmpty()) {
            throw new MissingShareException("chunk " + ct.chunk() + " lacks decryption shares from "
                    + List.copyOf(missing) + "; every key holder must contribute before the aggregate can be decrypted");
        }
        Ring ring = context.ring();
        Poly m = ct.c0().copy();
        for (DecryptionShare s : byParty.values()) {
            ring.addInPlace(m, s.h());
        }
        int k = key.parties().size();
        double maxError = NoiseBudget.maxAbsoluteError(context, k, ct.contributions(), k, flooding);
        try {
            return encoder.decode(m, ct.valueCount(), ct.bound(), NoiseBudget.roundingGridLog2(context, maxError));
        } catch (ValueOutOfRangeException e) {
            throw new InvalidShareException("chunk " + ct.chunk() + " does not decrypt to values within its"
                    + " declared bound: at least one decryption share was computed with a wrong key share or was"
                    + " corrupted; ask each holder to check its key share against public key " + key.keyId());
        }
    }
}
