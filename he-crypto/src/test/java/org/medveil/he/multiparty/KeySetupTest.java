package org.medveil.he.multiparty;

import org.medveil.he.ring.SecretRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medveil.he.KeySetupException;
import org.medveil.he.KeySetupException.Reason;
import org.medveil.he.TestSigners;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Prng;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Encoder;
import org.medveil.he.rlwe.Encryptor;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.he.rlwe.PublicKey;
import org.medveil.he.verify.ContributionSigner;

/** Issue 10 part 2: public-key shares are committed, then revealed and signed; nobody picks the key. */
@Tag("REQ-FL-1")
class KeySetupTest {

    private static final HeContext CTX = new HeContext(Params.defaults());
    private static final List<String> PARTIES = List.of("site-a", "site-b", "site-c");
    private static final TestSigners SIGNERS = new TestSigners(PARTIES);
    private static final String JOB = "job-keys";

    /** Everything one key setup produces, with each party's own state. */
    private static final class Setup {
        final byte[] seed;
        final Map<String, KeySetup> parties = new TreeMap<>();
        final Map<String, KeyShare> secrets = new TreeMap<>();
        final List<KeySetup.Commitment> commitments = new ArrayList<>();

        Setup() {
            SecureRandom r = new SecureRandom();
            List<SeedAgreement.Contribution> cs = new ArrayList<>();
            PARTIES.forEach(p -> cs.add(SeedAgreement.contribute(p, r)));
            seed = SeedAgreement.combine(cs.stream().map(SeedAgreement.Contribution::commitment).toList(),
                    cs.stream().map(SeedAgreement.Contribution::reveal).toList());
            for (String p : PARTIES) {
                KeySetup ks = new KeySetup(CTX, seed, JOB, PARTIES, SIGNERS);
                KeyShare s = KeyShare.generate(CTX, p, SecretRandom.create());
                parties.put(p, ks);
                secrets.put(p, s);
                commitments.add(ks.commit(s, SecretRandom.create(), r, SIGNERS.signer(p)));
            }
        }

        List<KeySetup.Reveal> reveals() {
            List<KeySetup.Reveal> out = new ArrayList<>();
            parties.values().forEach(ks -> out.add(ks.reveal(commitments)));
            return out;
        }

        KeySetup observer() {
            return new KeySetup(CTX, seed, JOB, PARTIES, SIGNERS);
        }
    }

    private static KeySetupException refused(Reason reason, org.junit.jupiter.api.function.Executable action) {
        KeySetupException e = assertThrows(KeySetupException.class, action);
        assertEquals(reason, e.reason(), e.getMessage());
        return e;
    }

    @Test
    void everyPartyRecomputesTheSameKeyAsThePlainSum() {
        Setup s = new Setup();
        List<KeySetup.Reveal> reveals = s.reveals();
        PublicKey announced = s.observer().combine(s.commitments, reveals);
        List<PublicKeyShare> shares = reveals.stream().map(KeySetup.Reveal::share).toList();
        assertEquals(new CollectiveKeyGenerator(CTX, s.seed).combine(shares).keyId(), announced.keyId());
        for (KeySetup party : s.parties.values()) {
            assertEquals(announced.keyId(), party.confirm(announced, s.commitments, reveals).keyId());
        }
        assertEquals(PARTIES, announced.parties());
    }

    @Test
    void rogueShareSentLastIsRefusedByTheCommitmentOrder() {
        Setup s = new Setup();
        String attacker = "site-c";
        // nobody reveals before every party has committed: the last speaker cannot wait for the others' shares
        refused(Reason.NOT_ALL_COMMITTED, () -> s.parties.get("site-a").reveal(s.commitments.subList(0, 2)));
        List<KeySetup.Reveal> honest = new ArrayList<>(s.reveals().subList(0, 2)); // site-a, site-b
        // the attacker picks p* = -a·s* + e* and sends p* − Σ others, validly signed by itself
        KeySetup mine = s.parties.get(attacker);
        KeyShare chosen = KeyShare.generate(CTX, attacker, SecretRandom.create());
        Poly target = mine.generator().share(chosen, SecretRandom.create()).p();
        Poly rogue = target.copy();
        honest.forEach(r -> CTX.ring().subInPlace(rogue, r.share().p()));
        PublicKeyShare rogueShare = new PublicKeyShare(attacker, CTX.fingerprint(), mine.generator().crpDigest(), rogue);
        byte[] nonce = new byte[32];
        ContributionSigner signer = SIGNERS.signer(attacker);
        KeySetup.Reveal forged = new KeySetup.Reveal(rogueShare, nonce, signer.sign(mine.revealMessage(rogueShare, nonce)),
                signer.credential());
        List<KeySetup.Reveal> all = new ArrayList<>(honest);
        all.add(forged);

        // without commitments the attack works: the plain sum is p*, whose secret only the attacker holds
        PublicKey rogueKey = mine.generator().combine(all.stream().map(KeySetup.Reveal::share).toList());
        assertTrue(rogueKey.p0().contentEquals(target));
        double[] values = {0.125, -0.5, 0.75};
        Ciphertext ct = new Encryptor(CTX, rogueKey, SecretRandom.create()).encrypt(new Encoder(CTX).encode(values, 1.0), 0);
        assertArrayEquals(values, decryptAlone(rogueKey, chosen, ct), 1e-9);

        // with them it is refused, naming the attacker, at every party and at the coordinator
        for (KeySetup ks : List.of(s.parties.get("site-a"), s.parties.get("site-b"), s.observer())) {
            KeySetupException e = refused(Reason.COMMITMENT_MISMATCH, () -> ks.combine(s.commitments, all));
            assertEquals(attacker, e.party());
        }
    }

    /** Decrypts with one party's secret and zero shares for the others: works only for a rogue key. */
    private static double[] decryptAlone(PublicKey key, KeyShare secret, Ciphertext ct) {
        FloodingNoise flooding = FloodingNoise.forJob(CTX, key.parties().size(), 1);
        KeyShareHolder h = new KeyShareHolder(CTX, secret, key, new InMemoryDecryptionLedger(), flooding, 1,
                SecretRandom.create());
        List<DecryptionShare> shares = new ArrayList<>();
        shares.add(h.decryptionShare(ct));
        for (String p : key.parties()) {
            if (!p.equals(secret.partyId())) {
                shares.add(new DecryptionShare(p, CTX.fingerprint(), key.keyId(), ct.shareRequestDigest(),
                        CTX.ring().newPoly()));
            }
        }
        return new DecryptionCombiner(CTX, key, flooding).combine(ct, shares);
    }

    @Test
    void aRelayThatSwapsAPartysCommitmentIsCaughtByThatParty() {
        Setup s = new Setup();
        // another valid, signed commitment of site-a (from a parallel setup with the same seed and job)
        KeySetup parallel = new KeySetup(CTX, s.seed, JOB, PARTIES, SIGNERS);
        KeySetup.Commitment other = parallel.commit(KeyShare.generate(CTX, "site-a", SecretRandom.create()), SecretRandom.create(),
                new SecureRandom(), SIGNERS.signer("site-a"));
        List<KeySetup.Commitment> swapped = new ArrayList<>(s.commitments);
        swapped.set(0, other);
        refused(Reason.COMMITMENT_MISMATCH, () -> s.parties.get("site-a").reveal(swapped));
    }

    @Test
    void missingExtraDuplicateForeignAndBadlySignedSharesAreRefused() {
        Setup s = new Setup();
        List<KeySetup.Reveal> reveals = s.reveals();
        KeySetup observer = s.observer();
        refused(Reason.MISSING_PARTY, () -> observer.combine(s.commitments, reveals.subList(0, 2)));
        refused(Reason.MISSING_PARTY, () -> observer.combine(s.commitments.subList(1, 3), reveals));
        List<KeySetup.Reveal> twice = new ArrayList<>(reveals);
        twice.add(reveals.get(1));
        refused(Reason.DUPLICATE, () -> observer.combine(s.commitments, twice));

        // a party outside the job
        TestSigners strangers = new TestSigners(List.of("site-z"));
        KeySetup outsider = new KeySetup(CTX, s.seed, JOB, List.of("site-z"), strangers);
        KeySetup.Commitment zc = outsider.commit(KeyShare.generate(CTX, "site-z", SecretRandom.create()), SecretRandom.create(),
                new SecureRandom(), strangers.signer("site-z"));
        List<KeySetup.Reveal> extra = new ArrayList<>(reveals);
        extra.add(outsider.reveal(List.of(zc)));
        KeySetupException e = refused(Reason.UNEXPECTED_PARTY, () -> observer.combine(s.commitments, extra));
        assertEquals("site-z", e.party());
        List<KeySetup.Commitment> extraCommit = new ArrayList<>(s.commitments);
        extraCommit.add(zc);
        refused(Reason.UNEXPECTED_PARTY, () -> observer.combine(extraCommit, reveals));

        // site-b's share re-signed by site-a's key
        KeySetup.Reveal b = reveals.get(1);
        ContributionSigner impostor = SIGNERS.impostor("site-b", "site-a");
        KeySetup.Reveal resigned = new KeySetup.Reveal(b.share(), b.nonce(),
                impostor.sign(s.parties.get("site-b").revealMessage(b.share(), b.nonce())), SIGNERS.signer("site-b").credential());
        List<KeySetup.Reveal> bad = new ArrayList<>(reveals);
        bad.set(1, resigned);
        e = refused(Reason.BAD_SIGNATURE, () -> observer.combine(s.commitments, bad));
        assertEquals("site-b", e.party());

        // a share made from another common seed (committed and signed there)
        KeySetup elsewhere = new KeySetup(CTX, new byte[32], JOB, List.of("site-c"), SIGNERS);
        KeySetup.Commitment ec = elsewhere.commit(s.secrets.get("site-c"), SecretRandom.create(), new SecureRandom(),
                SIGNERS.signer("site-c"));
        List<KeySetup.Reveal> mixed = new ArrayList<>(reveals);
        mixed.set(2, elsewhere.reveal(List.of(ec)));
        List<KeySetup.Commitment> cs = s.commitments;
        refused(Reason.WRONG_CONTEXT, () -> observer.combine(cs, mixed));
    }

    @Test
    void anAnnouncedKeyThatIsNotTheSumOfTheRevealedSharesIsRefused() {
        Setup s = new Setup();
        List<KeySetup.Reveal> reveals = s.reveals();
        KeySetup party = s.parties.get("site-b");
        // the coordinator announces the key of only two of the three parties
        PublicKey subset = party.generator().combine(reveals.subList(0, 2).stream().map(KeySetup.Reveal::share).toList());
        KeySetupException e = refused(Reason.KEY_ID_MISMATCH, () -> party.confirm(subset, s.commitments, reveals));
        assertTrue(e.getMessage().contains(subset.keyId().hex()), e.getMessage());
        // or a key with the right parties but another p0
        PublicKey honest = party.combine(s.commitments, reveals);
        Poly p0 = honest.p0().copy();
        p0.at(0)[0] = (p0.at(0)[0] + 1) % CTX.ring().modulus(0).value();
        PublicKey altered = new PublicKey(honest.paramsFingerprint(), honest.keyId(), honest.parties(), honest.crpDigest(),
                p0, honest.p1());
        refused(Reason.KEY_ID_MISMATCH, () -> party.confirm(altered, s.commitments, reveals));
    }
}
