package org.medveil.he.ring;

import java.util.List;

/** R_Q = Z_Q[X]/(X^N + 1) with Q = q_1·…·q_L held in RNS form; owns the per-prime NTT tables. */
public final class Ring {

    private final int n;
    private final Modulus[] moduli;
    private final Ntt[] ntts;

    public Ring(int n, List<Long> primes) {
        if (primes.isEmpty()) {
            throw new IllegalArgumentException("a ring needs at least one prime");
        }
        this.n = n;
        this.moduli = new Modulus[primes.size()];
        this.ntts = new Ntt[primes.size()];
        for (int i = 0; i < moduli.length; i++) {
            moduli[i] = new Modulus(primes.get(i));
            ntts[i] = new Ntt(moduli[i], n);
        }
    }

    public int degree() {
        return n;
    }

    public int primes() {
        return moduli.length;
    }

    public Modulus modulus(int i) {
        return moduli[i];
    }

    public Poly newPoly() {
        return new Poly(moduli.length, n);
    }

    public void ntt(Poly p) {
        for (int i = 0; i < moduli.length; i++) {
            ntts[i].forward(p.at(i));
        }
    }

    public void intt(Poly p) {
        for (int i = 0; i < moduli.length; i++) {
            ntts[i].inverse(p.at(i));
        }
    }

    /** acc += b (mod Q), residues in [0, q). */
    public void addInPlace(Poly acc, Poly b) {
        for (int i = 0; i < moduli.length; i++) {
            addInPlace(acc.at(i), b.at(i), moduli[i].value());
        }
    }

    private static void addInPlace(long[] acc, long[] b, long q) {
        for (int j = 0; j < acc.length; j++) {
            long s = acc[j] + b[j] - q;
            acc[j] = s + ((s >> 63) & q);
        }
    }

    /** acc -= b (mod Q). */
    public void subInPlace(Poly acc, Poly b) {
        for (int i = 0; i < moduli.length; i++) {
            long q = moduli[i].value();
            long[] a = acc.at(i);
            long[] c = b.at(i);
            for (int j = 0; j < n; j++) {
                long d = a[j] - c[j];
                a[j] = d + ((d >> 63) & q);
            }
        }
    }

    /** p = -p (mod Q). */
    public void negInPlace(Poly p) {
        for (int i = 0; i < moduli.length; i++) {
            long q = moduli[i].value();
            long[] a = p.at(i);
            for (int j = 0; j < n; j++) {
                long v = q - a[j];
                a[j] = v == q ? 0 : v;
            }
        }
    }

    /** out = a ⊙ b coefficient-wise in the NTT domain (general Barrett product). */
    public void mulPointwise(Poly a, Poly b, Poly out) {
        for (int i = 0; i < moduli.length; i++) {
            Modulus m = moduli[i];
            long[] x = a.at(i);
            long[] y = b.at(i);
            long[] z = out.at(i);
            for (int j = 0; j < n; j++) {
                z[j] = m.mul(x[j], y[j]);
            }
        }
    }

    /** out = a ⊙ k with a fixed key k; out may alias a. Result in [0, q). */
    public void mulShoup(Poly a, ShoupPoly k, Poly out) {
        for (int i = 0; i < moduli.length; i++) {
            long q = moduli[i].value();
            long[] x = a.at(i);
            long[] w = k.values().at(i);
            long[] wp = k.shoupValues().at(i);
            long[] z = out.at(i);
            for (int j = 0; j < n; j++) {
                long xj = x[j];
                long wpj = wp[j];
                long hi = Math.multiplyHigh(xj, wpj) + ((wpj >> 63) & xj);
                long r = xj * w[j] - hi * q;
                z[j] = r - (q & ~((r - q) >> 63));
            }
        }
    }

    /**
     * acc ← acc·c + b (mod Q) for a small non-negative integer c below every prime (a Shamir
     * evaluation point): one Horner step, Shoup products with c's precomputed companion.
     */
    public void mulScalarAddInPlace(Poly acc, long c, Poly b) {
        for (int i = 0; i < moduli.length; i++) {
            Modulus m = moduli[i];
            long q = m.value();
            long cs = m.shoup(c);
            long[] x = acc.at(i);
            long[] y = b.at(i);
            for (int j = 0; j < n; j++) {
                long r = m.mulShoup(x[j], c, cs) + y[j] - q;
                x[j] = r + ((r >> 63) & q);
            }
        }
    }

    /** p ← p·c_i (mod q_i) for one scalar residue c_i in [0, q_i) per prime (a Lagrange coefficient). */
    public void mulScalarInPlace(Poly p, long[] residues) {
        for (int i = 0; i < moduli.length; i++) {
            Modulus m = moduli[i];
            long c = residues[i];
            long cs = m.shoup(c);
            long[] x = p.at(i);
            for (int j = 0; j < n; j++) {
                x[j] = m.mulShoup(x[j], c, cs);
            }
        }
    }

    /** Sets p to the small signed coefficients v (|v| &lt; q), lifted into every prime. */
    public void setSmall(Poly p, long[] v) {
        for (int i = 0; i < moduli.length; i++) {
            long q = moduli[i].value();
            long[] a = p.at(i);
            for (int j = 0; j < n; j++) {
                long x = v[j];
                a[j] = x + ((x >> 63) & q);
            }
        }
    }

    /** p += small signed coefficients v (|v| &lt; q). */
    public void addSmall(Poly p, long[] v) {
        for (int i = 0; i < moduli.length; i++) {
            long q = moduli[i].value();
            long[] a = p.at(i);
            for (int j = 0; j < n; j++) {
                long x = v[j];
                long s = a[j] + x + ((x >> 63) & q) - q; // a + (x mod q) - q
                a[j] = s + ((s >> 63) & q);
            }
        }
    }

    /** Schoolbook negacyclic product in the coefficient domain: the slow reference for tests. */
    public Poly mulSchoolbook(Poly a, Poly b) {
        Poly out = newPoly();
        for (int i = 0; i < moduli.length; i++) {
            Modulus m = moduli[i];
            long[] x = a.at(i);
            long[] y = b.at(i);
            long[] z = out.at(i);
            for (int s = 0; s < n; s++) {
                if (x[s] == 0) {
                    continue;
                }
                for (int t = 0; t < n; t++) {
                    long prod = m.mul(x[s], y[t]);
                    int k = s + t;
                    if (k < n) {
                        z[k] = m.add(z[k], prod);
                    } else {
                        z[k - n] = m.sub(z[k - n], prod); // X^N = -1
                    }
                }
            }
        }
        return out;
    }
}
