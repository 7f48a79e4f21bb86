package org.medveil.he.threshold;

import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.medveil.he.InvalidShareException;
import org.medveil.he.MissingShareException;
import org.medveil.he.multiparty.KeyShare;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Ring;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.HeContext;

/**
 * Threshold setup (after Lattigo's Thresholdizer, Mouchet et al. 2022; our own code): every
 * holder i Shamir-shares its key share s_i over the ring — a random polynomial
 * P_i(X) = s_i + a_1·X + … + a_{t−1}·X^{t−1} with uniform coefficients a_k ∈ R_Q — and sends
 * P_i(α_j) to every holder j, sealed to j. Holder j sums what it receives into σ_j = P(α_j) with
 * P = Σ P_i, a degree t − 1 sharing of s = Σ s_i. The sharing is coefficient-wise modulo each
 * prime, so fewer than t points reveal nothing about s_i (information-theoretically).
 *
 * <p>Runs once per collective key, after key generation. Dealers are trusted to share the key
 * share they used for the public key (honest-but-curious model): a dealer that shares anything
 * else makes decryptions fail the decoder's range check, which is detected, not attributed.
 */
public final class Thresholdizer {

    private final HeContext context;
    private final Threshold threshold;

    public Thresholdizer(HeContext context, Threshold threshold) {
        this.context = context;
        this.threshold = threshold;
    }

    public Threshold threshold() {
        return threshold;
    }

    /** Draws P_i for the dealer's key share; evaluate it per recipient with {@link Dealing#shareFor}. */
    public Dealing deal(KeyShare mine, SecretRandom random) {
        context.requireSameParams(mine.paramsFingerprint(), "key share of party " + mine.partyId());
        threshold.point(mine.partyId());
        Ring ring = context.ring();
        Poly[] coeffs = new Poly[threshold.t()];
        coeffs[0] = ring.newPoly();
        ring.setSmall(coeffs[0], mine.coefficients());
        ring.ntt(coeffs[0]);
        for (int k = 1; k < coeffs.length; k++) {
            coeffs[k] = ring.newPoly();
            random.sampler().uniform(ring, coeffs[k]);
        }
        return new Dealing(mine.partyId(), coeffs);
    }

    /** One dealer's polynomial P_i; destroy it once every share is sent. Not thread-safe. */
    public final class Dealing {
        private final String dealer;
        private final Poly[] coeffs;
        private boolean destroyed;

        private Dealing(String dealer, Poly[] coeffs) {
            this.dealer = dealer;
            this.coeffs = coeffs;
        }

        public String dealer() {
            return dealer;
        }

        /** P_i(α_j) by Horner's rule: t − 1 scalar multiply-adds over R_Q. */
        public ShamirShare shareFor(String recipient) {
            if (destroyed) {
                throw new IllegalStateException("dealing of " + dealer + " was destroyed; deal again");
            }
            long alpha = threshold.point(recipient);
            Ring ring = context.ring();
            int top = coeffs.length - 1;
            Poly acc = coeffs[top].copy();
            for (int k = top - 1; k >= 0; k--) {
                ring.mulScalarAddInPlace(acc, alpha, coeffs[k]);
            }
            return new ShamirShare(dealer, recipient, context.fingerprint(), threshold.keyId(), threshold.t(), acc);
        }

        /** Overwrites the polynomial (best effort: the JVM may hold copies). */
        public void destroy() {
            for (Poly p : coeffs) {
                for (int i = 0; i < p.primes(); i++) {
                    Arrays.fill(p.at(i), 0);
                }
            }
            destroyed = true;
        }
    }

    /** Collects the shares addressed to one holder: exactly one from every holder, itself included. */
    public Collector collector(String recipient) {
        threshold.point(recipient);
        return new Collector(recipient);
    }

    /** Sums incoming shares as they arrive (memory: one polynomial). Not thread-safe. */
    public final class Collector {
        private final String recipient;
        private final Poly sum;
        private final TreeSet<String> received = new TreeSet<>();

        private Collector(String recipient) {
            this.recipient = recipient;
            this.sum = context.ring().newPoly();
        }

        public void add(ShamirShare share) {
            context.requireSameParams(share.paramsFingerprint(), "Shamir share from " + share.dealer());
            if (!share.recipient().equals(recipient)) {
                throw new InvalidShareException("Shamir share from " + share.dealer() + " is addressed to "
                        + share.recipient() + ", not " + recipient + "; the coordinator misrouted it");
            }
            if (!share.keyId().equals(threshold.keyId()) || share.t() != threshold.t()) {
                throw new InvalidShareException("Shamir share from " + share.dealer() + " is for key " + share.keyId()
                        + " with t = " + share.t() + ", not key " + threshold.keyId() + " with t = " + threshold.t());
            }
            threshold.point(share.dealer());
            if (!received.add(share.dealer())) {
                throw new InvalidShareException("two Shamir shares from " + share.dealer() + " for " + recipient
                        + "; keep exactly one per dealer");
            }
            context.ring().addInPlace(sum, share.value());
        }

        /** σ_j; every holder's share must be in, else {@link MissingShareException} naming the missing dealers. */
        public ThresholdKeyShare finish() {
            TreeMap<String, Boolean> missing = new TreeMap<>();
            for (String p : threshold.parties()) {
                if (!received.contains(p)) {
                    missing.put(p, Boolean.TRUE);
                }
            }
            if (!missing.isEmpty()) {
                throw new MissingShareException("threshold setup of " + recipient + " lacks Shamir shares from "
                        + List.copyOf(missing.keySet()) + "; every key holder must deal before the key can be used t-of-N");
            }
            return new ThresholdKeyShare(context, recipient, threshold, sum);
        }
    }
}
