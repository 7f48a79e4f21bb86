package org.medveil.he.rlwe;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import org.medveil.he.ring.Primes;

/**
 * An RLWE parameter set for additive aggregation with coefficient encoding.
 *
 * @param name            short name operators pass on the command line
 * @param logN            log2 of the ring degree N (N values per ciphertext)
 * @param primes          the RNS primes q_1..q_L (each ≡ 1 mod 2N, below 2^61)
 * @param logScale        log2 of the fixed-point scale Δ: a value x is carried as round(x·Δ)
 * @param statisticalBits λ, the statistical security of the flooding: every decrypted ciphertext
 *                        is within statistical distance 2^-λ of a simulation that knows only the
 *                        aggregate (see {@code FloodingNoise} and README "Flooding")
 */
public record Params(String name, int logN, List<Long> primes, int logScale, int statisticalBits) {

    /**
     * Default: N=8192, three 54-bit primes (log Q = 162 ≤ 218), Δ = 2^122, sums up to ±2^38,
     * 40-bit statistical flooding security and error below 2^-31 for up to 100 key holders.
     */
    public static final String DEFAULT_NAME = "n8192";
    /** Faster, smaller set: N=4096, two 54-bit primes (log Q = 108 ≤ 109), Δ = 2^80, sums up to ±2^26, λ = 10. */
    public static final String FAST_NAME = "n4096";
    /** The statistical security target of the default set (bits). */
    public static final int DEFAULT_STATISTICAL_BITS = 40;

    public Params {
        primes = List.copyOf(primes);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("parameter set needs a name");
        }
        if (primes.isEmpty()) {
            throw new IllegalArgumentException("parameter set " + name + " has no primes");
        }
        SecurityStandard.requireSecure(name, logN, modulusBits(primes));
        if (logScale < 1 || maxSumBits(primes, logScale) < 1) {
            throw new IllegalArgumentException("parameter set " + name + ": scale 2^" + logScale
                    + " leaves no room for values below Q/2; lower logScale");
        }
        if (statisticalBits < 1 || statisticalBits > 128) {
            throw new IllegalArgumentException("parameter set " + name + ": statistical security " + statisticalBits
                    + " bits is outside [1, 128]");
        }
    }

    /** A custom set at the default statistical security target. */
    public Params(String name, int logN, List<Long> primes, int logScale) {
        this(name, logN, primes, logScale, DEFAULT_STATISTICAL_BITS);
    }

    public static Params defaults() {
        return byName(DEFAULT_NAME);
    }

    /** The named sets; an unknown name is an error listing the known ones. */
    public static Params byName(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case DEFAULT_NAME:
                return new Params(DEFAULT_NAME, 13, Primes.nttPrimesBelow(54, 8192, 3), 122, DEFAULT_STATISTICAL_BITS);
            case FAST_NAME:
                return new Params(FAST_NAME, 12, Primes.nttPrimesBelow(54, 4096, 2), 80, 10);
            default:
                throw new IllegalArgumentException("unknown HE parameter set '" + name + "'; known sets: "
                        + FAST_NAME + ", " + DEFAULT_NAME + " (default)");
        }
    }

    public int n() {
        return 1 << logN;
    }

    public BigInteger modulus() {
        return product(primes);
    }

    public int logQ() {
        return modulusBits(primes);
    }

    /** Sums must stay within ±2^maxSumBits so that Σ·Δ plus noise stays below Q/2. */
    public int maxSumBits() {
        return maxSumBits(primes, logScale);
    }

    public double maxSum() {
        return Math.scalb(1.0, maxSumBits());
    }

    private static BigInteger product(List<Long> primes) {
        BigInteger q = BigInteger.ONE;
        for (long p : primes) {
            q = q.multiply(BigInteger.valueOf(p));
        }
        return q;
    }

    private static int modulusBits(List<Long> primes) {
        return product(primes).bitLength();
    }

    /**
     * The largest b with Δ·2^b·(1 + 2^-9) < Q/2: a sum within the declared bounds, plus decoding
     * noise up to the decoder's tolerance, never wraps modulo Q. No 128-bit cap: the encoder and
     * decoder use as many 64-bit limbs as there are primes.
     */
    private static int maxSumBits(List<Long> primes, int logScale) {
        BigInteger halfQ = product(primes).shiftRight(1);
        int b = product(primes).bitLength() - 2 - logScale;
        while (b > 0) {
            BigInteger top = BigInteger.ONE.shiftLeft(b + logScale);
            if (top.add(top.shiftRight(9)).compareTo(halfQ) < 0) {
                break;
            }
            b--;
        }
        return b;
    }
}
