package org.medveil.he.ring;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** Finds NTT-friendly primes: q ≡ 1 (mod 2N), so Z_q holds a primitive 2N-th root of unity. */
public final class Primes {

    private Primes() {
    }

    /**
     * The {@code count} largest primes below 2^bits that are ≡ 1 mod 2N, in decreasing order.
     * Deterministic, so every party derives the same moduli from a parameter set's name.
     */
    public static List<Long> nttPrimesBelow(int bits, int n, int count) {
        if (bits < 20 || bits > Modulus.MAX_BITS) {
            throw new IllegalArgumentException("prime size " + bits + " bits is outside [20, "
                    + Modulus.MAX_BITS + "]");
        }
        long step = 2L * n;
        long candidate = ((1L << bits) - 1) / step * step + 1; // largest ≡ 1 mod 2N below 2^bits
        List<Long> out = new ArrayList<>(count);
        while (out.size() < count) {
            if (candidate < (1L << (bits - 1))) {
                throw new IllegalArgumentException("not enough " + bits + "-bit NTT primes for N=" + n);
            }
            if (BigInteger.valueOf(candidate).isProbablePrime(64)) {
                out.add(candidate);
            }
            candidate -= step;
        }
        return List.copyOf(out);
    }

    /** A primitive 2N-th root of unity ψ modulo q (ψ^N = -1). */
    public static long primitive2NthRoot(Modulus m, int n) {
        long q = m.value();
        long exponent = (q - 1) / (2L * n);
        for (long g = 2; g < q; g++) {
            long psi = m.pow(g, exponent);
            if (m.pow(psi, n) == q - 1) {
                return psi;
            }
        }
        throw new IllegalStateException("no primitive 2N-th root modulo " + q);
    }

    /** The smallest primitive 2N-th root, making the NTT tables canonical. */
    public static long minimalPrimitive2NthRoot(Modulus m, int n) {
        long psi = primitive2NthRoot(m, n);
        long psiSquared = m.mul(psi, psi);
        long best = psi;
        long current = psi;
        // the primitive 2N-th roots are the odd powers of any one of them
        for (int k = 1; k < n; k++) {
            current = m.mul(current, psiSquared);
            if (Long.compareUnsigned(current, best) < 0) {
                best = current;
            }
        }
        return best;
    }
}
