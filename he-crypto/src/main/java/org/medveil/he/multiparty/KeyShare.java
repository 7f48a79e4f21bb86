package org.medveil.he.multiparty;

import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Ring;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.ring.ShoupPoly;
import org.medveil.he.rlwe.HeContext;

/**
 * One party's share s_i of the collective secret s = Σ s_i: a uniform ternary polynomial. Kept in
 * the NTT domain with Shoup companions so a decryption share costs one pointwise pass.
 * Secret material: never log it, store it only encrypted at rest.
 */
public final class KeyShare {

    private final String partyId;
    private final String paramsFingerprint;
    private final long[] coefficients; // ternary, coefficient domain (for storage)
    private final ShoupPoly ntt;

    public KeyShare(HeContext context, String partyId, long[] ternaryCoefficients) {
        if (ternaryCoefficients.length != context.n()) {
            throw new IllegalArgumentException("key share of party " + partyId + " has " + ternaryCoefficients.length
                    + " coefficients, expected N=" + context.n());
        }
        for (long c : ternaryCoefficients) {
            if (c < -1 || c > 1) {
                throw new IllegalArgumentException("key share of party " + partyId + " is not ternary");
            }
        }
        this.partyId = partyId;
        this.paramsFingerprint = context.fingerprint();
        this.coefficients = ternaryCoefficients.clone();
        Ring ring = context.ring();
        Poly s = ring.newPoly();
        ring.setSmall(s, coefficients);
        ring.ntt(s);
        this.ntt = new ShoupPoly(ring, s);
    }

    /** A fresh uniform ternary share; only a {@link SecretRandom} (never a public-seeded stream) can draw it. */
    public static KeyShare generate(HeContext context, String partyId, SecretRandom random) {
        long[] s = new long[context.n()];
        random.sampler().ternary(s);
        return new KeyShare(context, partyId, s);
    }

    public String partyId() {
        return partyId;
    }

    public String paramsFingerprint() {
        return paramsFingerprint;
    }

    /** A copy of the ternary coefficients, for encrypted storage. */
    public long[] coefficients() {
        return coefficients.clone();
    }

    ShoupPoly nttForm() {
        return ntt;
    }

    @Override
    public String toString() {
        return "KeyShare[party=" + partyId + ", params=" + paramsFingerprint + "]"; // never the secret
    }
}
