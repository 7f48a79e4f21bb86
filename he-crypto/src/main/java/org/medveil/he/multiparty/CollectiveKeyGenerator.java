package org.medveil.he.multiparty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import org.medveil.he.InvalidShareException;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Prng;
import org.medveil.he.ring.Ring;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.Digests;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.KeyId;
import org.medveil.he.rlwe.PublicKey;

/**
 * Collective public-key generation (Lattigo's "CKG"): every party expands the same common random
 * polynomial a from the agreed seed, publishes p_i = -a·s_i + e_i, and anyone sums the shares
 * into the public key (Σ p_i, a) whose secret Σ s_i nobody holds.
 */
public final class CollectiveKeyGenerator {

    private final HeContext context;
    private final byte[] seed;
    private final String crpDigest;
    private final Poly crp;

    public CollectiveKeyGenerator(HeContext context, byte[] commonSeed) {
        if (commonSeed.length != Prng.SEED_BYTES) {
            throw new IllegalArgumentException("common seed must be " + Prng.SEED_BYTES + " bytes; derive it with SeedAgreement");
        }
        this.context = context;
        this.seed = commonSeed.clone();
        this.crpDigest = HexFormat.of().formatHex(Digests.sha256(seed, 0, seed.length));
        this.crp = context.ring().newPoly();
        Prng expander = Prng.fromSeed(seed, "medveil-he/crp/v1/" + context.fingerprint());
        expander.uniform(context.ring(), crp); // taken as NTT-domain directly
    }

    public String crpDigest() {
        return crpDigest;
    }

    /** This party's share p_i = -a·s_i + e_i, with fresh Gaussian e_i from {@code noise}. */
    public PublicKeyShare share(KeyShare secret, SecretRandom noise) {
        context.requireSameParams(secret.paramsFingerprint(), "key share of party " + secret.partyId());
        Ring ring = context.ring();
        Poly p = ring.newPoly();
        ring.mulShoup(crp, secret.nttForm(), p);
        ring.negInPlace(p);
        long[] e = new long[context.n()];
        noise.sampler().gaussian(e);
        Poly ePoly = ring.newPoly();
        ring.setSmall(ePoly, e);
        ring.ntt(ePoly);
        ring.addInPlace(p, ePoly);
        return new PublicKeyShare(secret.partyId(), context.fingerprint(), crpDigest, p);
    }

    /** Sums the shares of all parties (each exactly once) into the collective public key. */
    public PublicKey combine(Collection<PublicKeyShare> shares) {
        if (shares.isEmpty()) {
            throw new InvalidShareException("no public-key shares to combine; every key holder must send one");
        }
        TreeMap<String, PublicKeyShare> byParty = new TreeMap<>();
        for (PublicKeyShare s : shares) {
            context.requireSameParams(s.paramsFingerprint(), "public-key share of party " + s.partyId());
            if (!s.crpDigest().equals(crpDigest)) {
                throw new InvalidShareException("public-key share of party " + s.partyId()
                        + " was made from another common seed; rerun the seed agreement with all parties");
            }
            if (byParty.put(s.partyId(), s) != null) {
                throw new InvalidShareException("party " + s.partyId() + " sent two public-key shares; keep one per party");
            }
        }
        Ring ring = context.ring();
        Poly p0 = ring.newPoly();
        for (PublicKeyShare s : byParty.values()) {
            ring.addInPlace(p0, s.p());
        }
        List<String> parties = new ArrayList<>(byParty.keySet());
        return new PublicKey(context.fingerprint(), keyIdOf(context.fingerprint(), crpDigest, parties, p0, crp), parties,
                crpDigest, p0, crp.copy());
    }

    /** The key id: a digest over parameters, common seed, sorted parties, p0 and p1. */
    public static KeyId keyIdOf(String paramsFingerprint, String crpDigest, List<String> parties, Poly p0, Poly p1) {
        MessageDigest md = Digests.sha256();
        md.update("medveil-he/key/v1".getBytes(StandardCharsets.US_ASCII));
        md.update(paramsFingerprint.getBytes(StandardCharsets.US_ASCII));
        md.update(crpDigest.getBytes(StandardCharsets.US_ASCII));
        for (String party : parties) {
            md.update(party.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
        }
        java.nio.ByteBuffer block = java.nio.ByteBuffer.allocate(8 * p0.degree()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (Poly p : List.of(p0, p1)) {
            for (int i = 0; i < p.primes(); i++) {
                block.clear();
                block.asLongBuffer().put(p.at(i));
                md.update(block.array());
            }
        }
        return KeyId.of(md.digest());
    }
}
