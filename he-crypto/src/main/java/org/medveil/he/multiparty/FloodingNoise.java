package org.medveil.he.multiparty;

import java.util.Locale;
import org.medveil.he.InsecureParametersException;
import org.medveil.he.ring.Sampler;
import org.medveil.he.rlwe.Encoder;
import org.medveil.he.rlwe.HeContext;

/**
 * The noise each key holder adds to its decryption share ("noise flooding" or smudging): uniform
 * on the integers [-2^k, 2^k), so that the combined result reveals the aggregate and, within
 * statistical distance 2^-λ, nothing about any key share or the encryption noise.
 *
 * <p>The floor (README "Flooding"): decrypting C fresh contributions under a key of K holders
 * leaves the residual noise v = Σ_c (u_c·e + e0_c + e1_c·s), whose every coefficient is at most
 * B = C·(2·N·19·K + 19) in absolute value ({@link NoiseBudget#residualNoiseBound}). By the
 * smudging lemma, one honest holder's uniform noise f on [-2^k, 2^k) and f + v are within
 * |v|/2^(k+1) per coefficient, hence N·B/2^(k+1) for a whole decrypted ciphertext. Requiring
 * N·B/2^(k+1) ≤ 2^-λ gives <b>k ≥ λ + log2 N + ⌈log2 B⌉ − 1</b>, λ being the parameter set's
 * {@code statisticalBits}. Nothing below that floor can be constructed: σ = 0 (no flooding)
 * and any narrower noise throw {@link InsecureParametersException}. A ceiling keeps the
 * worst-case decoding error below half the decoder's tolerance, so flooding never drowns values.
 *
 * <p>An instance is bound to a parameter set and to the largest key (K holders) and aggregate
 * (C contributions) it covers; holders refuse keys and aggregates beyond that.
 */
public final class FloodingNoise {

    private final String paramsFingerprint;
    private final int keyHolders;
    private final int maxContributions;
    private final int bits;
    private final int statisticalBits;

    private FloodingNoise(HeContext context, int keyHolders, int maxContributions, int bits) {
        this.paramsFingerprint = context.fingerprint();
        this.keyHolders = keyHolders;
        this.maxContributions = maxContributions;
        this.bits = bits;
        this.statisticalBits = context.params().statisticalBits();
    }

    /** The narrowest flooding that meets the floor (best precision): the job default. */
    public static FloodingNoise forJob(HeContext context, int keyHolders, int maxContributions) {
        return withBits(context, keyHolders, maxContributions, floorBits(context, keyHolders, maxContributions));
    }

    /** Flooding uniform on [-2^bits, 2^bits); refused below the floor and above the ceiling. */
    public static FloodingNoise withBits(HeContext context, int keyHolders, int maxContributions, int bits) {
        int floor = floorBits(context, keyHolders, maxContributions);
        if (bits < floor) {
            throw new InsecureParametersException(String.format(Locale.ROOT,
                    "flooding noise of 2^%d is below the floor 2^%d for %d key holders and %d contributions under"
                            + " parameter set %s (%d-bit statistical security); use FloodingNoise.forJob",
                    bits, floor, keyHolders, maxContributions, context.params().name(), context.params().statisticalBits()));
        }
        FloodingNoise f = new FloodingNoise(context, keyHolders, maxContributions, bits);
        double error = NoiseBudget.maxAbsoluteError(context, keyHolders, maxContributions, keyHolders, f);
        if (bits > Sampler.MAX_FLOODING_BITS || error > Math.scalb(1.0, Encoder.NOISE_TOLERANCE_BITS - 1)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "flooding noise of 2^%d would drown the values at scale 2^%d (worst-case error %.3g) for %d key"
                            + " holders and %d contributions; use parameter set with a larger scale or fewer parties",
                    bits, context.params().logScale(), error, keyHolders, maxContributions));
        }
        return f;
    }

    /**
     * Flooding of standard deviation at least σ: the half-width 2^k is the smallest power of two
     * ≥ σ·√3. σ = 0, negative or not a number is refused (without flooding one decryption share
     * h_i = c1·s_i gives up the key share s_i); so is any σ whose width is below the floor.
     */
    public static FloodingNoise ofSigma(HeContext context, int keyHolders, int maxContributions, double sigma) {
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new InsecureParametersException("flooding sigma " + sigma + " is refused: without flooding noise a"
                    + " decryption share reveals the holder's key share; use FloodingNoise.forJob");
        }
        double width = sigma * Math.sqrt(3);
        int k = Math.getExponent(width);
        if (Math.scalb(1.0, k) < width) {
            k++;
        }
        k = Math.max(1, k);
        return withBits(context, keyHolders, maxContributions, k);
    }

    /** k_min = λ + log2 N + ⌈log2 B⌉ − 1 (see the class comment), computed exactly. */
    public static int floorBits(HeContext context, int keyHolders, int contributions) {
        long b = NoiseBudget.residualNoiseBound(context, keyHolders, contributions);
        int ceilLog2B = 64 - Long.numberOfLeadingZeros(b - 1);
        return context.params().statisticalBits() + context.params().logN() + ceilLog2B - 1;
    }

    /** Log2 of the statistical-distance bound this flooding gives for a decrypted ciphertext. */
    public double distanceLog2(HeContext context, int keyHolders, int contributions) {
        double b = NoiseBudget.residualNoiseBound(context, keyHolders, contributions);
        return context.params().logN() + Math.log(b) / Math.log(2) - (bits + 1);
    }

    /**
     * Refuses (typed) a key or aggregate this flooding does not cover: another parameter set, more
     * key holders, or more contributions than it was sized for.
     */
    public void requireCovers(HeContext context, int holders, int contributions) {
        context.requireSameParams(paramsFingerprint, "flooding noise");
        if (holders > keyHolders || contributions > maxContributions) {
            throw new InsecureParametersException(String.format(Locale.ROOT,
                    "flooding noise 2^%d was sized for %d key holders and %d contributions, but the request has %d"
                            + " and %d: its %d-bit statistical security would not hold; size it with FloodingNoise.forJob",
                    bits, keyHolders, maxContributions, holders, contributions, statisticalBits));
        }
    }

    /** k: the noise is uniform on [-2^k, 2^k). */
    public int bits() {
        return bits;
    }

    /** Hard bound 2^k on the magnitude of one share's flooding term. */
    public double bound() {
        return Math.scalb(1.0, bits);
    }

    /** Standard deviation 2^k/√3. */
    public double sigma() {
        return bound() / Math.sqrt(3);
    }

    public int keyHolders() {
        return keyHolders;
    }

    public int maxContributions() {
        return maxContributions;
    }

    public String paramsFingerprint() {
        return paramsFingerprint;
    }

    @Override
    public String toString() {
        return "FloodingNoise[uniform ±2^" + bits + ", " + keyHolders + " holders, " + maxContributions + " contributions]";
    }
}
