package org.medveil.he.rlwe;

import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Ring;
import org.medveil.he.ring.Sampler;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.ring.ShoupPoly;

/**
 * Public-key encryption: c0 = u·p0 + e0 + m, c1 = u·p1 + e1 with ternary u and Gaussian e0, e1.
 * Per ciphertext: L forward NTTs (u) and 2L inverse NTTs; the key products use Shoup
 * precomputation. Not thread-safe (it owns its PRNG and scratch buffers): one per thread.
 */
public final class Encryptor {

    private final HeContext context;
    private final Ring ring;
    private final PublicKey key;
    private final ShoupPoly p0;
    private final ShoupPoly p1;
    private final Sampler sampler;
    private final long[] small;
    private final Poly u;

    public Encryptor(HeContext context, PublicKey key, SecretRandom random) {
        context.requireSameParams(key.paramsFingerprint(), "public key " + key.keyId());
        this.context = context;
        this.ring = context.ring();
        this.key = key;
        this.p0 = new ShoupPoly(ring, key.p0());
        this.p1 = new ShoupPoly(ring, key.p1());
        this.sampler = random.sampler();
        this.small = new long[ring.degree()];
        this.u = ring.newPoly();
    }

    public Ciphertext encrypt(Plaintext pt, int chunk) {
        sampler.ternary(small);
        ring.setSmall(u, small);
        ring.ntt(u);
        Poly c0 = ring.newPoly();
        Poly c1 = ring.newPoly();
        ring.mulShoup(u, p0, c0);
        ring.intt(c0);
        sampler.gaussian(small);
        ring.addSmall(c0, small);
        ring.addInPlace(c0, pt.poly());
        ring.mulShoup(u, p1, c1);
        ring.intt(c1);
        sampler.gaussian(small);
        ring.addSmall(c1, small);
        return new Ciphertext(context.fingerprint(), key.keyId(), chunk, pt.valueCount(), pt.bound(), 1, c0, c1);
    }
}
