package org.medveil.he.ring;

/**
 * Negacyclic number-theoretic transform over Z_q[X]/(X^N + 1) for one prime.
 *
 * <p>Forward: Cooley–Tukey with the powers of ψ in bit-reversed order, so the negacyclic twist
 * is folded into the twiddles; output in bit-reversed order. Inverse: Gentleman–Sande back to
 * natural order. Butterflies are Harvey's lazy ones: values stay in [0, 4q) (forward) or
 * [0, 2q) (inverse) and are only fully reduced at the end; twiddle products use Shoup
 * precomputation, so the hot loops contain two multiplications and no division.
 */
public final class Ntt {

    private final int n;
    private final int logN;
    private final Modulus modulus;
    private final long q;
    private final long[] psiRev;
    private final long[] psiRevShoup;
    private final long[] psiInvRev;
    private final long[] psiInvRevShoup;
    private final long nInv;
    private final long nInvShoup;

    public Ntt(Modulus modulus, int n) {
        if (n < 2 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("ring degree " + n + " must be a power of two");
        }
        if ((modulus.value() - 1) % (2L * n) != 0) { // setup only
            throw new IllegalArgumentException("prime " + modulus.value() + " is not 1 mod 2N for N=" + n);
        }
        this.n = n;
        this.logN = Integer.numberOfTrailingZeros(n);
        this.modulus = modulus;
        this.q = modulus.value();
        long psi = Primes.minimalPrimitive2NthRoot(modulus, n);
        long psiInv = modulus.inv(psi);
        psiRev = new long[n];
        psiRevShoup = new long[n];
        psiInvRev = new long[n];
        psiInvRevShoup = new long[n];
        long power = 1;
        long powerInv = 1;
        for (int i = 0; i < n; i++) {
            int r = Integer.reverse(i) >>> (32 - logN);
            psiRev[r] = power;
            psiInvRev[r] = powerInv;
            power = modulus.mul(power, psi);
            powerInv = modulus.mul(powerInv, psiInv);
        }
        for (int i = 0; i < n; i++) {
            psiRevShoup[i] = modulus.shoup(psiRev[i]);
            psiInvRevShoup[i] = modulus.shoup(psiInvRev[i]);
        }
        nInv = modulus.inv(n);
        nInvShoup = modulus.shoup(nInv);
    }

    public int degree() {
        return n;
    }

    public Modulus modulus() {
        return modulus;
    }

    /** In-place forward transform; input in [0, q) (values up to 4q are tolerated), output in [0, q). */
    public void forward(long[] a) {
        final long twoQ = 2 * q;
        final long qq = q;
        int t = n;
        for (int m = 1; m < n; m <<= 1) {
            t >>= 1;
            for (int i = 0; i < m; i++) {
                final int j1 = 2 * i * t;
                final int j2 = j1 + t;
                final long w = psiRev[m + i];
                final long wp = psiRevShoup[m + i];
                final long wpNeg = wp >> 63;
                for (int j = j1; j < j2; j++) {
                    long x = a[j];
                    x -= twoQ & ~((x - twoQ) >> 63); // x in [0, 2q)
                    long y = a[j + t];
                    long hi = Math.multiplyHigh(y, wp) + (wpNeg & y);
                    long tw = y * w - hi * qq; // [0, 2q)
                    a[j] = x + tw;
                    a[j + t] = x - tw + twoQ;
                }
            }
        }
        for (int j = 0; j < n; j++) {
            long x = a[j];
            x -= twoQ & ~((x - twoQ) >> 63);
            x -= qq & ~((x - qq) >> 63);
            a[j] = x;
        }
    }

    /** In-place inverse transform; input in [0, 2q), output in [0, q). */
    public void inverse(long[] a) {
        final long twoQ = 2 * q;
        final long qq = q;
        int t = 1;
        for (int m = n; m > 1; m >>= 1) {
            int j1 = 0;
            final int h = m >> 1;
            for (int i = 0; i < h; i++) {
                final int j2 = j1 + t;
                final long w = psiInvRev[h + i];
                final long wp = psiInvRevShoup[h + i];
                final long wpNeg = wp >> 63;
                for (int j = j1; j < j2; j++) {
                    long x = a[j];
                    long y = a[j + t];
                    long s = x + y;
                    s -= twoQ & ~((s - twoQ) >> 63);
                    long d = x - y + twoQ; // [0, 4q)
                    a[j] = s;
                    long hi = Math.multiplyHigh(d, wp) + (wpNeg & d);
                    a[j + t] = d * w - hi * qq;
                }
                j1 += 2 * t;
            }
            t <<= 1;
        }
        final long wpNeg = nInvShoup >> 63;
        for (int j = 0; j < n; j++) {
            long x = a[j];
            long hi = Math.multiplyHigh(x, nInvShoup) + (wpNeg & x);
            long r = x * nInv - hi * qq;
            r -= qq & ~((r - qq) >> 63);
            a[j] = r;
        }
    }
}
