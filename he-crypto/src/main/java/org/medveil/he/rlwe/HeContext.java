package org.medveil.he.rlwe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.medveil.he.ParameterMismatchException;
import org.medveil.he.ring.DiscreteGaussian;
import org.medveil.he.ring.Ring;

/**
 * A parameter set with its precomputed ring (NTT tables) and fingerprint. Immutable and safe to
 * share between threads; build one per parameter set and inject it.
 */
public final class HeContext {

    private final Params params;
    private final Ring ring;
    private final String fingerprint;

    public HeContext(Params params) {
        this.params = params;
        this.ring = new Ring(params.n(), params.primes());
        this.fingerprint = computeFingerprint(params);
    }

    public Params params() {
        return params;
    }

    public Ring ring() {
        return ring;
    }

    public int n() {
        return ring.degree();
    }

    /** 128-bit hex digest of everything that must match for two parties to interoperate. */
    public String fingerprint() {
        return fingerprint;
    }

    public void requireSameParams(String otherFingerprint, String what) {
        if (!fingerprint.equals(otherFingerprint)) {
            throw new ParameterMismatchException(what + " was made under parameter fingerprint "
                    + otherFingerprint + " but this context uses " + params.name() + " (" + fingerprint
                    + "); use the job's parameter set on every party");
        }
    }

    private static String computeFingerprint(Params p) {
        ByteBuffer b = ByteBuffer.allocate(64 + 8 * p.primes().size());
        b.put("medveil-he/params/v2".getBytes(StandardCharsets.US_ASCII));
        b.putInt(p.logN()).putInt(p.logScale()).putDouble(DiscreteGaussian.SIGMA).putInt(p.statisticalBits())
                .putInt(p.primes().size());
        for (long q : p.primes()) {
            b.putLong(q);
        }
        byte[] digest = Digests.sha256(b.array(), 0, b.position());
        return HexFormat.of().formatHex(digest, 0, 16);
    }
}
