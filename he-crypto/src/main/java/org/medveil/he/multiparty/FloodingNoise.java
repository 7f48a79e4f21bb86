package org.medveil.he.multiparty;

/**
 * Width of the noise each key holder adds to its decryption share ("noise flooding" or
 * smudging), so that the combined result reveals the aggregate and nothing about any s_i or the
 * fresh encryption noise. Sampled as the sum of four uniforms on [-a, a] with a = σ·√3/2, which
 * has standard deviation σ and the hard bound 4a ≈ 3.46σ per share.
 *
 * @param sigma standard deviation of the flooding noise, in units of the integer coefficient
 */
public record FloodingNoise(double sigma) {

    /**
     * Default σ = 2^40: at least 2^16 times the worst-case noise of a fresh 100-party ciphertext
     * (≤ 2^24) and 2^20 times its typical size, while keeping the decoding error of a 100-party
     * aggregate below 2^-31 at Δ = 2^80 (see README "Precision").
     */
    public static final FloodingNoise DEFAULT = new FloodingNoise(0x1p40);

    public FloodingNoise {
        if (!(sigma >= 0) || sigma > 0x1p56) {
            throw new IllegalArgumentException("flooding sigma " + sigma + " must be in [0, 2^56]");
        }
    }

    /** Half-width a of each of the four uniform terms. */
    public long halfWidth() {
        return Math.round(sigma * Math.sqrt(3) / 2);
    }

    /** Hard bound on the magnitude of one share's flooding term. */
    public double bound() {
        return 4.0 * halfWidth();
    }
}
