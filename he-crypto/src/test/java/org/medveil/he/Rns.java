package org.medveil.he;

import java.math.BigInteger;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Ring;

/** Test helper: the integer behind RNS residues, by the CRT in BigInteger (slow, independent of the decoder). */
public final class Rns {

    private Rns() {
    }

    public static BigInteger modulus(Ring ring) {
        BigInteger q = BigInteger.ONE;
        for (int i = 0; i < ring.primes(); i++) {
            q = q.multiply(BigInteger.valueOf(ring.modulus(i).value()));
        }
        return q;
    }

    /** Coefficient j of p (coefficient domain) as the centered integer in (-Q/2, Q/2]. */
    public static BigInteger centered(Ring ring, Poly p, int j) {
        BigInteger q = modulus(ring);
        BigInteger x = BigInteger.ZERO;
        for (int i = 0; i < ring.primes(); i++) {
            BigInteger qi = BigInteger.valueOf(ring.modulus(i).value());
            BigInteger rest = q.divide(qi);
            x = x.add(BigInteger.valueOf(p.at(i)[j]).multiply(rest).multiply(rest.modInverse(qi)));
        }
        x = x.mod(q);
        return x.compareTo(q.shiftRight(1)) > 0 ? x.subtract(q) : x;
    }

    /** a·b in R_Q for coefficient-domain a and NTT-domain b; result in the coefficient domain. */
    public static Poly times(Ring ring, Poly coeffA, Poly nttB) {
        Poly a = coeffA.copy();
        ring.ntt(a);
        Poly out = ring.newPoly();
        ring.mulPointwise(a, nttB, out);
        ring.intt(out);
        return out;
    }
}
