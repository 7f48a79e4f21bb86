package org.medveil.he.ring;

import java.util.Arrays;

/**
 * A polynomial of R_Q in RNS form: one long[N] of residues per prime (coefficient or NTT
 * domain; the owner knows which). Mutable on purpose: accumulation reuses buffers.
 */
public final class Poly {

    private final long[][] residues;

    public Poly(int primes, int n) {
        this.residues = new long[primes][n];
    }

    private Poly(long[][] residues) {
        this.residues = residues;
    }

    /** Wraps arrays without copying (the caller hands over ownership). */
    public static Poly wrap(long[][] residues) {
        int n = residues[0].length;
        for (long[] r : residues) {
            if (r.length != n) {
                throw new IllegalArgumentException("RNS residues of different lengths");
            }
        }
        return new Poly(residues);
    }

    public int primes() {
        return residues.length;
    }

    public int degree() {
        return residues[0].length;
    }

    /** The live residue array for prime i (no copy: hot paths write into it). */
    public long[] at(int i) {
        return residues[i];
    }

    public Poly copy() {
        long[][] c = new long[residues.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = residues[i].clone();
        }
        return new Poly(c);
    }

    public void copyFrom(Poly other) {
        for (int i = 0; i < residues.length; i++) {
            System.arraycopy(other.residues[i], 0, residues[i], 0, residues[i].length);
        }
    }

    public boolean contentEquals(Poly other) {
        return Arrays.deepEquals(residues, other.residues);
    }
}
