package org.medveil.he.threshold;

import org.medveil.he.ring.Poly;
import org.medveil.he.ring.ShoupPoly;
import org.medveil.he.rlwe.HeContext;

/**
 * Holder j's share σ_j = Σ_i P_i(α_j) = P(α_j) of the collective secret s = Σ_i s_i = P(0),
 * in the NTT domain with Shoup companions. Any t of these interpolate s. Secret material: never
 * log it; store it only encrypted at rest ({@code ThresholdWireCodec} gives the bytes).
 */
public final class ThresholdKeyShare {

    private final String partyId;
    private final String paramsFingerprint;
    private final Threshold threshold;
    private final ShoupPoly sigma;

    public ThresholdKeyShare(HeContext context, String partyId, Threshold threshold, Poly sigmaNtt) {
        threshold.point(partyId); // a holder of this key
        this.partyId = partyId;
        this.paramsFingerprint = context.fingerprint();
        this.threshold = threshold;
        this.sigma = new ShoupPoly(context.ring(), sigmaNtt);
    }

    public String partyId() {
        return partyId;
    }

    public String paramsFingerprint() {
        return paramsFingerprint;
    }

    public Threshold threshold() {
        return threshold;
    }

    /** A copy of σ_j (NTT domain), for encrypted storage. */
    public Poly value() {
        return sigma.values().copy();
    }

    ShoupPoly shoupForm() {
        return sigma;
    }

    @Override
    public String toString() {
        return "ThresholdKeyShare[party=" + partyId + ", key=" + threshold.keyId() + ", t=" + threshold.t() + "]";
    }
}
