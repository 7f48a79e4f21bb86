package org.medveil.he.ring;

/**
 * Samplers for the RLWE distributions, all driven by a {@link Prng}.
 *
 * <ul>
 *   <li>uniform mod each q_i (rejection on a bit mask; sampling each residue independently is
 *       uniform mod Q by the CRT);</li>
 *   <li>ternary {-1, 0, 1} uniform (secret keys and the encryption mask u);</li>
 *   <li>discrete Gaussian σ = 3.2 from a cumulative table, tail cut at 6σ; the table scan is
 *       branch-free, so its timing does not depend on the sample;</li>
 *   <li>wide "flooding" noise: sum of four independent uniforms on [-a, a] (Irwin–Hall), which is
 *       close to a Gaussian of σ = a·2/√3, costs four words per coefficient, and has the hard
 *       bound 4a that the precision analysis relies on.</li>
 * </ul>
 */
public final class Sampler {

    private final Prng prng;
    private final long[] words;

    public Sampler(Prng prng, int degree) {
        this.prng = prng;
        this.words = new long[4 * degree];
    }

    /** Uniform polynomial of R_Q (either domain: the uniform distribution is NTT-invariant). */
    public void uniform(Ring ring, Poly out) {
        for (int i = 0; i < ring.primes(); i++) {
            long q = ring.modulus(i).value();
            long mask = -1L >>> Long.numberOfLeadingZeros(q);
            long[] a = out.at(i);
            for (int j = 0; j < a.length; j++) {
                long r;
                do {
                    r = prng.nextLong() & mask;
                } while (r >= q);
                a[j] = r;
            }
        }
    }

    /** Uniform ternary coefficients into out[0..n): 2 random bits each, the value 3 rejected. */
    public void ternary(long[] out) {
        int j = 0;
        while (j < out.length) {
            long r = prng.nextLong();
            for (int k = 0; k < 32 && j < out.length; k++, r >>>= 2) {
                int two = (int) (r & 3);
                if (two != 3) {
                    out[j++] = two - 1;
                }
            }
        }
    }

    /** Discrete Gaussian σ = {@link DiscreteGaussian#SIGMA} into out[0..n). */
    public void gaussian(long[] out) {
        int n = out.length;
        prng.fill(words, n);
        for (int j = 0; j < n; j++) {
            out[j] = DiscreteGaussian.fromWord(words[j]);
        }
    }

    /**
     * Flooding noise: sum of four uniforms on [-halfWidth, halfWidth] into out[0..n).
     * Each uniform is the high word of r·(2a+1) (bias below 2^-20 for a &lt; 2^43).
     */
    public void flooding(long[] out, long halfWidth) {
        int n = out.length;
        long span = 2 * halfWidth + 1;
        long offset = 4 * halfWidth;
        prng.fill(words, 4 * n);
        for (int j = 0; j < n; j++) {
            int b = 4 * j;
            long s = Modulus.mulHiUnsigned(words[b], span) + Modulus.mulHiUnsigned(words[b + 1], span)
                    + Modulus.mulHiUnsigned(words[b + 2], span) + Modulus.mulHiUnsigned(words[b + 3], span);
            out[j] = s - offset;
        }
    }
}
