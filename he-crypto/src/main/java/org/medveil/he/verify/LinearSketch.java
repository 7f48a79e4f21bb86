package org.medveil.he.verify;

import org.medveil.he.ring.Modulus;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Prng;
import org.medveil.he.ring.Ring;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.HeContext;

/**
 * A secret linear sketch of a ciphertext: for c0 and c1 and each prime q_l, the inner product
 * Σ_j r_j·c[j] mod q_l with a vector r expanded (AES-256-CTR) from a 32-byte job key that every
 * site holds and the coordinator does not, fresh for each (job, round, chunk).
 *
 * <p>Why, on top of the Merkle spot checks: a share h_i = c1·s_i + e depends only on c1, and a
 * coordinator that adds D·X^p to a single coefficient of the aggregate's c1 gets back
 * m + D·X^p·s from the combined shares, i.e. the whole collective secret s when D is large. Spot
 * checks catch a one-coefficient change with probability only k/(N/8) (12.5% at N = 4096, k = 64).
 * Sketches are linear, so the sum of the contributions' signed sketches must equal the sketch of
 * the aggregate; a change δ passes only if {@code <r, δ> ≡ 0} for every prime, probability 1/q
 * (about 2^-54) when δ is outside the span of the contributions. A change inside that span
 * is dense (it differs from the sum at ≥ N − C + 1 coefficients) and fails the first spot check.
 * The coordinator sees each chunk's C sketches but a fresh r per chunk, so it never learns r.
 *
 * <p>Costs one pass over the ciphertext (2·L·N products and the AES stream) per site and holder
 * and 16·L bytes per signed record. The key must never reach the coordinator: sites agree it
 * over channels the coordinator cannot read (e.g. sealed to each recipient's kit key).
 */
public final class LinearSketch {

    public static final int KEY_BYTES = 32;

    private final HeContext context;
    private final byte[] key;

    public LinearSketch(HeContext context, byte[] jobKey) {
        if (jobKey.length != KEY_BYTES) {
            throw new IllegalArgumentException("sketch key must be " + KEY_BYTES + " bytes");
        }
        this.context = context;
        this.key = jobKey.clone();
    }

    /** Number of values in a sketch: c0 and c1, one per prime. */
    public static int size(HeContext context) {
        return 2 * context.ring().primes();
    }

    /** The sketch of a ciphertext for this job, round and chunk: [c0 per prime, c1 per prime]. */
    public long[] of(String jobId, long round, int chunk, Ciphertext ct) {
        context.requireSameParams(ct.paramsFingerprint(), "ciphertext chunk " + chunk);
        Ring ring = context.ring();
        int primes = ring.primes();
        long[] out = new long[2 * primes];
        Prng prng = Prng.fromSeed(key, "medveil-he/sketch/v1/" + context.fingerprint() + "/" + jobId.length() + ":"
                + jobId + "/" + round + "/" + chunk);
        
        Poly r = ring.newPoly();
        Poly[] polys = {ct.c0(), ct.c1()};
        for (int p = 0; p < 2; p++) {
            prng.uniform(ring, r);
            for (int l = 0; l < primes; l++) {
                out[p * primes + l] = dot(ring.modulus(l), r.at(l), polys[p].at(l));
            }
        }
        return out;
    }

    /** Σ sketches mod each prime (the layout of {@link #of}). */
    public static long[] sum(HeContext context, Iterable<long[]> sketches) {
        Ring ring = context.ring();
        int primes = ring.primes();
        long[] acc = new long[2 * primes];
        for (long[] s : sketches) {
            for (int i = 0; i < acc.length; i++) {
                acc[i] = ring.modulus(i % primes).add(acc[i], s[i]);
            }
        }
        return acc;
    }

    /** Σ r_j·c_j mod q with a 128-bit accumulator: N products below 2^122 fit. */
    private static long dot(Modulus m, long[] r, long[] c) {
        long hi = 0;
        long lo = 0;
        for (int j = 0; j < r.length; j++) {
            long pLo = r[j] * c[j];
            long pHi = Modulus.mulHiUnsigned(r[j], c[j]);
            long nlo = lo + pLo;
            hi += pHi + (Long.compareUnsigned(nlo, lo) < 0 ? 1 : 0);
            lo = nlo;
        }
        return m.reduceWide(hi, lo);
    }

    @Override
    public String toString() {
        return "LinearSketch[" + context.params().name() + "]"; // never the key
    }
}
