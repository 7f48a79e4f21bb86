package org.medveil.he.multiparty;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.medveil.he.KeySetupException;
import org.medveil.he.KeySetupException.Reason;
import org.medveil.he.SignatureRefusedException;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.Digests;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.PublicKey;
import org.medveil.he.verify.CanonicalBytes;
import org.medveil.he.verify.ContributionSigner;
import org.medveil.he.verify.ContributionVerifier;

/**
 * Collective key generation that no party can bias (the "rogue key" attack: whoever speaks last
 * sends p* − Σ others and ends up with a key whose secret only it knows). Like the seed
 * agreement, it runs in two phases:
 *
 * <ol>
 * <li>{@link #commit}: each party publishes a signed hash commitment to its public-key share, bound
 *     to its name and the key context (job, parameter fingerprint, common seed, sorted parties),
 *     with a fresh 32-byte nonce.</li>
 * <li>{@link #reveal}: only once it holds a valid commitment from <b>every</b> expected party does a
 *     party reveal its signed share. A share chosen after seeing others' reveals cannot match a
 *     commitment made before them.</li>
 * <li>{@link #combine} / {@link #confirm}: anyone checks every reveal against its commitment and
 *     signature, and recomputes the collective key and its id; a party refuses a coordinator's
 *     announced key whose id differs.</li>
 * </ol>
 *
 * One instance per party per job. Not thread-safe.
 */
public final class KeySetup {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** What a party publishes first. {@code digest} commits to its share and nonce. */
    public record Commitment(String party, byte[] digest, byte[] signature, byte[] credential) {
        public Commitment {
            digest = digest.clone();
            signature = signature.clone();
            credential = credential.clone();
        }

        @Override
        public byte[] digest() {
            return digest.clone();
        }

        @Override
        public byte[] signature() {
            return signature.clone();
        }

        @Override
        public byte[] credential() {
            return credential.clone();
        }
    }

    /** What a party publishes once every commitment is in. */
    public record Reveal(PublicKeyShare share, byte[] nonce, byte[] signature, byte[] credential) {
        public Reveal {
            nonce = nonce.clone();
            signature = signature.clone();
            credential = credential.clone();
        }

        @Override
        public byte[] nonce() {
            return nonce.clone();
        }

        @Override
        public byte[] signature() {
            return signature.clone();
        }

        @Override
        public byte[] credential() {
            return credential.clone();
        }

        public String party() {
            return share.partyId();
        }
    }

    private final HeContext context;
    private final CollectiveKeyGenerator ckg;
    private final String jobId;
    private final List<String> parties;
    private final ContributionVerifier verifier;
    private Reveal mine;
    private Commitment myCommitment;
    private ContributionSigner mySigner;

    /**
     * @param commonSeed the seed from {@link SeedAgreement}
     * @param parties    every key holder expected for this job (the job's accepted sites)
     */
    public KeySetup(HeContext context, byte[] commonSeed, String jobId, Collection<String> parties,
                    ContributionVerifier verifier) {
        if (jobId == null || jobId.isEmpty()) {
            throw new IllegalArgumentException("key setup needs the job id");
        }
        this.parties = List.copyOf(new TreeSet<>(parties));
        if (this.parties.isEmpty() || this.parties.size() != parties.size()) {
            throw new IllegalArgumentException("key setup needs a non-empty list of distinct parties, got " + parties);
        }
        this.context = context;
        this.ckg = new CollectiveKeyGenerator(context, commonSeed);
        this.jobId = jobId;
        this.verifier = verifier;
    }

    public CollectiveKeyGenerator generator() {
        return ckg;
    }

    /** Step 1 (party): computes this party's share and returns its signed commitment; keeps the share. */
    public Commitment commit(KeyShare secret, SecretRandom noise, SecureRandom random, ContributionSigner signer) {
        if (!signer.site().equals(secret.partyId())) {
            throw new IllegalArgumentException("signer of site " + signer.site() + " cannot commit for party " + secret.partyId());
        }
        if (!parties.contains(secret.partyId())) {
            throw new KeySetupException(Reason.UNEXPECTED_PARTY, secret.partyId(), "party " + secret.partyId()
                    + " is not one of the expected key holders " + parties);
        }
        if (myCommitment != null) {
            throw new IllegalStateException("party " + secret.partyId() + " has already committed in this key setup");
        }
        PublicKeyShare share = ckg.share(secret, noise);
        byte[] nonce = new byte[32];
        random.nextBytes(nonce);
        byte[] digest = commitmentDigest(share, nonce);
        myCommitment = new Commitment(share.partyId(), digest, signer.sign(commitMessage(share.partyId(), digest)),
                signer.credential());
        mine = new Reveal(share, nonce, signer.sign(revealMessage(share, nonce)), signer.credential());
        mySigner = signer;
        return myCommitment;
    }

    /**
     * Step 2 (party): returns this party's signed share, but only when {@code commitments} holds a
     * valid commitment from every expected party, including this party's own, unchanged.
     */
    public Reveal reveal(Collection<Commitment> commitments) {
        if (mine == null) {
            throw new IllegalStateException("commit before revealing");
        }
        Map<String, Commitment> byParty = checkCommitments(commitments, Reason.NOT_ALL_COMMITTED);
        if (!MessageDigest.isEqual(byParty.get(mySigner.site()).digest(), myCommitment.digest())) {
            throw new KeySetupException(Reason.COMMITMENT_MISMATCH, mySigner.site(), "the commitment relayed for party "
                    + mySigner.site() + " is not the one it made; the relay altered it — restart the key setup");
        }
        return mine;
    }

    /** Step 3 (anyone): checks every reveal against its commitment and returns the collective key. */
    public PublicKey combine(Collection<Commitment> commitments, Collection<Reveal> reveals) {
        Map<String, Commitment> committed = checkCommitments(commitments, Reason.MISSING_PARTY);
        Map<String, Reveal> revealed = new TreeMap<>();
        for (Reveal r : reveals) {
            String party = r.party();
            if (!parties.contains(party)) {
                throw new KeySetupException(Reason.UNEXPECTED_PARTY, party, "a public-key share from party " + party
                        + ", which is not one of the expected key holders " + parties + "; drop it");
            }
            if (revealed.put(party, r) != null) {
                throw new KeySetupException(Reason.DUPLICATE, party, "party " + party + " revealed two public-key shares");
            }
            if (!r.share().paramsFingerprint().equals(context.fingerprint())
                    || !r.share().crpDigest().equals(ckg.crpDigest())) {
                throw new KeySetupException(Reason.WRONG_CONTEXT, party, "the public-key share of party " + party
                        + " was made for another parameter set or common seed; rerun the seed agreement with all parties");
            }
            if (r.share().p().primes() != context.ring().primes() || r.share().p().degree() != context.n()) {
                throw new KeySetupException(Reason.WRONG_CONTEXT, party, "the public-key share of party " + party
                        + " has the wrong shape for this parameter set");
            }
            verify(party, revealMessage(r.share(), r.nonce()), r.signature(), r.credential(), "public-key share");
            if (!MessageDigest.isEqual(commitmentDigest(r.share(), r.nonce()), committed.get(party).digest())) {
                throw new KeySetupException(Reason.COMMITMENT_MISMATCH, party, "the public-key share revealed by party "
                        + party + " does not match its commitment: it was changed after the commitments were collected"
                        + " (a rogue-key attempt or a faulty relay); exclude the party and restart the key setup");
            }
        }
        for (String p : parties) {
            if (!revealed.containsKey(p)) {
                throw new KeySetupException(Reason.MISSING_PARTY, p, "party " + p + " has not revealed its public-key"
                        + " share; wait for it or restart the key setup without it");
            }
        }
        List<PublicKeyShare> shares = new ArrayList<>();
        revealed.values().forEach(r -> shares.add(r.share()));
        return ckg.combine(shares);
    }

    /**
     * Step 3 (party): recomputes the key from the revealed shares and refuses an announced key
     * (e.g. the coordinator's sum) whose id or content differs. Returns the recomputed key.
     */
    public PublicKey confirm(PublicKey announced, Collection<Commitment> commitments, Collection<Reveal> reveals) {
        PublicKey mineKey = combine(commitments, reveals);
        if (!mineKey.keyId().equals(announced.keyId()) || !mineKey.parties().equals(announced.parties())
                || !mineKey.p0().contentEquals(announced.p0()) || !mineKey.p1().contentEquals(announced.p1())) {
            throw new KeySetupException(Reason.KEY_ID_MISMATCH, null, "the announced collective key " + announced.keyId()
                    + " is not the sum of the revealed shares (recomputed key " + mineKey.keyId() + "); do not encrypt"
                    + " under it — the coordinator altered or substituted the key");
        }
        return mineKey;
    }

    private Map<String, Commitment> checkCommitments(Collection<Commitment> commitments, Reason missing) {
        Map<String, Commitment> byParty = new TreeMap<>();
        for (Commitment c : commitments) {
            if (!parties.contains(c.party())) {
                throw new KeySetupException(Reason.UNEXPECTED_PARTY, c.party(), "a commitment from party " + c.party()
                        + ", which is not one of the expected key holders " + parties);
            }
            if (byParty.put(c.party(), c) != null) {
                throw new KeySetupException(Reason.DUPLICATE, c.party(), "party " + c.party() + " committed twice");
            }
            if (c.digest().length != 32) {
                throw new KeySetupException(Reason.WRONG_CONTEXT, c.party(), "the commitment of party " + c.party()
                        + " is not a 32-byte digest");
            }
            verify(c.party(), commitMessage(c.party(), c.digest()), c.signature(), c.credential(), "commitment");
        }
        for (String p : parties) {
            if (!byParty.containsKey(p)) {
                throw new KeySetupException(missing, p, "party " + p + " has not committed to its public-key share;"
                        + " no share is revealed before every party has committed");
            }
        }
        return byParty;
    }

    private void verify(String party, byte[] message, byte[] signature, byte[] credential, String what) {
        try {
            verifier.verify(party, message, signature, credential);
        } catch (SignatureRefusedException e) {
            throw new KeySetupException(Reason.BAD_SIGNATURE, party, "the " + what + " of party " + party
                    + " is refused: " + e.getMessage(), e);
        }
    }

    /** H(domain ‖ job ‖ params ‖ common seed ‖ parties ‖ party ‖ nonce ‖ share). */
    private byte[] commitmentDigest(PublicKeyShare share, byte[] nonce) {
        if (nonce.length != 32) {
            throw new KeySetupException(Reason.WRONG_CONTEXT, share.partyId(), "the nonce of party " + share.partyId()
                    + " is not 32 bytes");
        }
        MessageDigest md = Digests.sha256();
        CanonicalBytes head = new CanonicalBytes("MVKD", 1).text(jobId).text(context.fingerprint()).text(ckg.crpDigest())
                .u32(parties.size());
        parties.forEach(head::text);
        md.update(head.text(share.partyId()).bytes(nonce).toByteArray());
        updatePoly(md, share.p());
        return md.digest();
    }

    private byte[] commitMessage(String party, byte[] digest) {
        return new CanonicalBytes("MVKC", 1).text(jobId).text(context.fingerprint()).text(ckg.crpDigest()).text(party)
                .bytes(digest).toByteArray();
    }

    byte[] revealMessage(PublicKeyShare share, byte[] nonce) { // package-private: tests forge a signed rogue reveal
        MessageDigest md = Digests.sha256();
        updatePoly(md, share.p());
        return new CanonicalBytes("MVKR", 1).text(jobId).text(share.paramsFingerprint()).text(share.crpDigest())
                .text(share.partyId()).bytes(md.digest()).bytes(nonce).toByteArray();
    }

    private static void updatePoly(MessageDigest md, Poly p) {
        byte[] block = new byte[8 * p.degree()];
        for (int l = 0; l < p.primes(); l++) {
            long[] r = p.at(l);
            for (int j = 0; j < r.length; j++) {
                LONGS.set(block, 8 * j, r[j]);
            }
            md.update(block);
        }
    }
}
