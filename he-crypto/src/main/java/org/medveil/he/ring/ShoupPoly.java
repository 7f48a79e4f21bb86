package org.medveil.he.ring;

/**
 * A fixed NTT-domain polynomial (a key) with its Shoup companions, so that multiplying by it
 * costs two word multiplications per coefficient and no reduction by division.
 */
public final class ShoupPoly {

    private final Poly values;
    private final Poly shoup;

    public ShoupPoly(Ring ring, Poly nttValues) {
        this.values = nttValues.copy();
        this.shoup = new Poly(ring.primes(), ring.degree());
        for (int i = 0; i < ring.primes(); i++) {
            Modulus m = ring.modulus(i);
            long[] v = values.at(i);
            long[] s = shoup.at(i);
            for (int j = 0; j < v.length; j++) {
                s[j] = m.shoup(v[j]);
            }
        }
    }

    public Poly values() {
        return values;
    }

    Poly shoupValues() {
        return shoup;
    }
}
