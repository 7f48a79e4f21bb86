package org.medveil.he.ring;

/**
 * The only source of secret randomness in the module: key shares, Shamir coefficients, the
 * encryption mask and errors, and flooding noise. It is an AES-256-CTR stream keyed from the
 * platform's {@link java.security.SecureRandom}, and there is deliberately no way to build one
 * from a caller's seed — so the publicly seeded {@link Prng} that expands the common polynomial
 * a cannot be used for a secret: the APIs that sample secrets take this type, not a {@code Prng}.
 * Not thread-safe: one instance per thread.
 */
public final class SecretRandom {

    private final Sampler sampler;

    private SecretRandom() {
        this.sampler = new Sampler(Prng.secure());
    }

    /** A fresh stream keyed from SecureRandom. */
    public static SecretRandom create() {
        return new SecretRandom();
    }

    /** The samplers (ternary, Gaussian, uniform, flooding) on this stream. */
    public Sampler sampler() {
        return sampler;
    }

    @Override
    public String toString() {
        return "SecretRandom"; // never the key
    }
}
