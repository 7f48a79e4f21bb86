package org.medveil.he.rlwe;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import org.medveil.he.ring.Primes;

/**
 * An RLWE parameter set for additive aggregation with coefficient encoding.
 *
 * @param name     short name operators pass on the command line
 * @param logN     log2 of the ring degree N (N values per ciphertext)
 * @param primes   the RNS primes q_1..q_L (each ≡ 1 mod 2N, below 2^61)
 * @param logScale log2 of the fixed-point scale Δ: a value x is carried as round(x·Δ)
 */
public record Params(String name, int logN, List<Long> primes, int logScale) {

    /** Default: N=4096, two 54-bit primes (log Q = 108 ≤ 109), Δ = 2^80, sums up to ±2^26. */
    public static final String DEFAULT_NAME = "n4096";
    /** Larger set for big sums: N=8192, four 54-bit primes (log Q = 216 ≤ 218), sums up to ±2^46. */
    public static final String LARGE_NAME = "n8192";

    public Params {
        primes = List.copyOf(primes);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("parameter set needs a name");
        }
        if (primes.isEmpty()) {
            throw new IllegalArgumentException("parameter set " + name + " has no primes");
        }
        SecurityStandard.requireSecure(name, logN, modulusBits(primes));
        if (maxSumBits(primes, logScale) < 1) {
            throw new IllegalArgumentException("parameter set " + name + ": scale 2^" + logScale
                    + " leaves no room for values below Q/2; lower logScale");
        }
    }

    public static Params defaults() {
        return byName(DEFAULT_NAME);
    }

    /** The named sets; an unknown name is an error listing the known ones. */
    public static Params byName(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case DEFAULT_NAME:
                return new Params(DEFAULT_NAME, 12, Primes.nttPrimesBelow(54, 4096, 2), 80);
            case LARGE_NAME:
                return new Params(LARGE_NAME, 13, Primes.nttPrimesBelow(54, 8192, 4), 80);
            default:
                throw new IllegalArgumentException("unknown HE parameter set '" + name + "'; known sets: "
                        + DEFAULT_NAME + " (default), " + LARGE_NAME);
        }
    }

    public int n() {
        return 1 << logN;
    }

    public BigInteger modulus() {
        BigInteger q = BigInteger.ONE;
        for (long p : primes) {
            q = q.multiply(BigInteger.valueOf(p));
        }
        return q;
    }

    public int logQ() {
        return modulusBits(primes);
    }

    /** Sums must stay within ±2^maxSumBits so that Σ·Δ plus noise stays below Q/2 and 127 bits. */
    public int maxSumBits() {
        return maxSumBits(primes, logScale);
    }

    public double maxSum() {
        return Math.scalb(1.0, maxSumBits());
    }

    private static int modulusBits(List<Long> primes) {
        BigInteger q = BigInteger.ONE;
        for (long p : primes) {
            q = q.multiply(BigInteger.valueOf(p));
        }
        return q.bitLength();
    }

    private static int maxSumBits(List<Long> primes, int logScale) {
        return Math.min(modulusBits(primes) - 2, 126) - logScale;
    }
}
