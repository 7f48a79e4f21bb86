package org.medveil.he.ring;

/**
 * Samplers for the RLWE distributions, driven by an AES-CTR stream. Only {@link SecretRandom}
 * (secrets and noise) and {@link Prng#uniform} (the public polynomial a) construct one, so the
 * secret distributions can never be fed from a public seed.
 *
 * <ul>
 *   <li>uniform mod each q_i (rejection on a bit mask; sampling each residue independently is
 *       uniform mod Q by the CRT);</li>
 *   <li>ternary {-1, 0, 1} uniform (secret keys and the encryption mask u);</li>
 *   <li>discrete Gaussian σ = 3.2 from a cumulative table, tail cut at 6σ; the table scan is
 *       branch-free, so its timing does not depend on the sample;</li>
 *   <li>flooding noise: uniform on the integers [-2^k, 2^k), k ≤ 126 — the top k+1 bits of one
 *       or two random words, so exactly uniform (no modular bias), with the hard bound 2^k that
 *       the precision bound and the smudging argument rely on (README "Flooding").</li>
 * </ul>
 */
public final class Sampler {

    /** Largest flooding exponent: the noise is a signed 128-bit integer. */
    public static final int MAX_FLOODING_BITS = 126;

    private final Prng prng;
    private long[] words = new long[0];
    private long[] floodHi = new long[0];
    private long[] floodLo = new long[0];

    Sampler(Prng prng) {
        this.prng = prng;
    }

    private long[] words(int count) {
        if (words.length < count) {
            words = new long[count];
        }
        return words;
    }

    /** Uniform polynomial of R_Q (either domain: the uniform distribution is NTT-invariant). */
    static void uniform(Prng prng, Ring ring, Poly out) {
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

    public void uniform(Ring ring, Poly out) {
        uniform(prng, ring, out);
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
        long[] w = words(n);
        prng.fill(w, n);
        for (int j = 0; j < n; j++) {
            out[j] = DiscreteGaussian.fromWord(w[j]);
        }
    }

    /**
     * Adds fresh flooding noise, uniform on the integers [-2^bits, 2^bits), to every coefficient
     * of {@code p} (coefficient domain). Each sample is the arithmetic right shift of a uniform
     * 64- or 128-bit word, so it is exactly uniform; it is reduced into every prime from the
     * same integer, which keeps the RNS residues consistent.
     */
    public void addFlooding(Ring ring, Poly p, int bits) {
        if (bits < 1 || bits > MAX_FLOODING_BITS) {
            throw new IllegalArgumentException("flooding exponent " + bits + " is outside [1, " + MAX_FLOODING_BITS + "]");
        }
        int n = ring.degree();
        if (floodHi.length < n) {
            floodHi = new long[n];
            floodLo = new long[n];
        }
        long[] hi = floodHi;
        long[] lo = floodLo;
        if (bits <= 62) {
            long[] w = words(n);
            prng.fill(w, n);
            for (int j = 0; j < n; j++) {
                lo[j] = w[j] >> (63 - bits);
                hi[j] = lo[j] >> 63; // sign extension
            }
        } else {
            long[] w = words(2 * n);
            prng.fill(w, 2 * n);
            int s = 127 - bits; // in [1, 64]
            for (int j = 0; j < n; j++) {
                long h = w[2 * j];
                long l = w[2 * j + 1];
                if (s == 64) {
                    lo[j] = h;
                    hi[j] = h >> 63;
                } else {
                    lo[j] = (l >>> s) | (h << (64 - s));
                    hi[j] = h >> s;
                }
            }
        }
        for (int i = 0; i < ring.primes(); i++) {
            Modulus m = ring.modulus(i);
            long q = m.value();
            // hi is in [-2^62, 2^62): adding a multiple c of q in [2^62, 2^62 + q) makes the
            // 128-bit value non-negative without changing it modulo q, so no branch on the sign
            long c = (((1L << 62) - 1) / q + 1) * q;
            long[] a = p.at(i);
            if (bits <= 62) { // one word: lo + c is in [0, 2^63 + q), one unsigned reduction
                for (int j = 0; j < n; j++) {
                    long r = m.reduce(lo[j] + c);
                    long s2 = a[j] + r - q;
                    a[j] = s2 + ((s2 >> 63) & q);
                }
                continue;
            }
            if (bits - 64 < m.bits() - 1) { // |hi| < q: residue = (hi mod q)·(2^64 mod q) + lo mod q
                long r64 = m.reduce128(1, 0);
                long r64Shoup = m.shoup(r64);
                for (int j = 0; j < n; j++) {
                    long h = hi[j] + ((hi[j] >> 63) & q);
                    long r = m.mulShoup(h, r64, r64Shoup) + m.reduce(lo[j]) - q;
                    r += (r >> 63) & q;
                    long s2 = a[j] + r - q;
                    a[j] = s2 + ((s2 >> 63) & q);
                }
                continue;
            }
            for (int j = 0; j < n; j++) {
                long r = m.reduceWide(hi[j] + c, lo[j]);
                long s2 = a[j] + r - q;
                a[j] = s2 + ((s2 >> 63) & q);
            }
        }
    }
}
