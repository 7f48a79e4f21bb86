package org.medveil.he.multiparty;

import org.medveil.he.InvalidShareException;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Ring;
import org.medveil.he.ring.Sampler;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.PublicKey;

/**
 * A site's key share in service: answers decryption-share requests (Lattigo's "KeySwitch" to
 * the zero key), at most once per ciphertext, only for its own collective key, and only for
 * aggregates with at least {@code minContributions} contributions. Not thread-safe (own PRNG).
 */
public final class KeyShareHolder {

    private final HeContext context;
    private final KeyShare share;
    private final PublicKey key;
    private final DecryptionLedger ledger;
    private final FloodingNoise flooding;
    private final int minContributions;
    private final Sampler sampler;

    public KeyShareHolder(HeContext context, KeyShare share, PublicKey key, DecryptionLedger ledger,
                          FloodingNoise flooding, int minContributions, SecretRandom random) {
        context.requireSameParams(share.paramsFingerprint(), "key share of party " + share.partyId());
        context.requireSameParams(key.paramsFingerprint(), "public key " + key.keyId());
        if (!key.parties().contains(share.partyId())) {
            throw new InvalidShareException("party " + share.partyId() + " holds no share of key " + key.keyId()
                    + " (its parties are " + key.parties() + "); load the key share of this job");
        }
        // the flooding must be sized for (at least) this key's holders: refused, typed, otherwise
        flooding.requireCovers(context, key.parties().size(), 1);
        ShareRequests.requireMinimum(minContributions);
        this.context = context;
        this.share = share;
        this.key = key;
        this.ledger = ledger;
        this.flooding = flooding;
        this.minContributions = minContributions;
        this.sampler = random.sampler();
    }

    public String partyId() {
        return share.partyId();
    }

    /** For {@link VerifiedDecryption}, which reserves in the same ledger before asking for shares. */
    DecryptionLedger ledger() {
        return ledger;
    }

    org.medveil.he.rlwe.KeyId keyId() {
        return key.keyId();
    }

    /**
     * h_i = c1·s_i + e_flood, e_flood uniform on [-2^k, 2^k) (see {@link FloodingNoise}). The
     * request is recorded in the ledger before the share is computed.
     */
    public DecryptionShare decryptionShare(Ciphertext ct) {
        ShareRequests.check(context, key, share.partyId(), minContributions, flooding, ct);
        String digest = ct.shareRequestDigest();
        ledger.recordOrRefuse(digest);
        Ring ring = context.ring();
        Poly h = ct.c1().copy();
        ring.ntt(h);
        ring.mulShoup(h, share.nttForm(), h);
        ring.intt(h);
        sampler.addFlooding(ring, h, flooding.bits());
        return new DecryptionShare(share.partyId(), context.fingerprint(), key.keyId(), digest, h);
    }
}
