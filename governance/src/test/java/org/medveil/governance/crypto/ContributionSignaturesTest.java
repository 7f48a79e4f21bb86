package org.medveil.governance.crypto;

import org.medveil.he.ring.SecretRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.PkiException;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.governance.pki.RevocationList;
import org.medveil.he.KeySetupException;
import org.medveil.he.SignatureRefusedException;
import org.medveil.he.UnverifiedAggregateException;
import org.medveil.he.multiparty.DecryptionCombiner;
import org.medveil.he.multiparty.DecryptionShare;
import org.medveil.he.multiparty.FloodingNoise;
import org.medveil.he.multiparty.InMemoryDecryptionLedger;
import org.medveil.he.multiparty.KeySetup;
import org.medveil.he.multiparty.KeyShare;
import org.medveil.he.multiparty.KeyShareHolder;
import org.medveil.he.multiparty.SeedAgreement;
import org.medveil.he.multiparty.VerifiedDecryption;
import org.medveil.he.ring.Prng;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Encoder;
import org.medveil.he.rlwe.Encryptor;
import org.medveil.he.rlwe.Evaluator;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.he.rlwe.PublicKey;
import org.medveil.he.verify.AggregateVerifier;
import org.medveil.he.verify.Challenge;
import org.medveil.he.verify.ChallengeResponse;
import org.medveil.he.verify.CiphertextTree;
import org.medveil.he.verify.ContributionRecord;
import org.medveil.he.verify.DecryptionRequest;
import org.medveil.he.verify.ContributionStatement;
import org.medveil.he.verify.SignedStatement;
import org.medveil.he.verify.SiteContribution;

/** Site signatures on he-crypto messages with the real ECDSA P-256 keys and certificates of provisioned kits. */
@Tag("REQ-FL-1")
class ContributionSignaturesTest {

    private static final List<String> SITES = List.of("hospital-a", "hospital-b", "hospital-c");

    @TempDir
    Path dir;
    private Provisioner provisioner;
    private Map<String, KitSigner> signers;
    private CertificateVerifier verifier;

    @BeforeEach
    void provision() {
        provisioner = Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null, SITES, null), dir,
                Clock.systemUTC());
        signers = new TreeMap<>();
        SITES.forEach(s -> signers.put(s, new KitSigner(Kit.load(dir.resolve("sites/" + s)))));
        Kit coordinator = Kit.load(dir.resolve("coordinator"));
        verifier = new CertificateVerifier(coordinator.caCertificate(), "demo",
                new RevocationList(coordinator.crlFile(), coordinator.caCertificate(), Clock.systemUTC(), Duration.ZERO),
                Clock.systemUTC());
    }

    private static ContributionRecord record(String site) {
        byte[] digest = new byte[32];
        digest[0] = 7;
        return new ContributionRecord("job-1", 3, 0, site, digest);
    }

    private SignatureRefusedException.Reason refusal(String site, byte[] message, byte[] signature, byte[] credential) {
        return assertThrows(SignatureRefusedException.class, () -> verifier.verify(site, message, signature, credential))
                .reason();
    }

    @Test
    void aSitesSignatureVerifiesUnderItsCertificate() {
        SignedStatement c = SiteContribution.sign(List.of(record("hospital-a")), signers.get("hospital-a")).signed();
        verifier.verify("hospital-a", c.signedBytes(), c.signature(), c.credential());
        verifier.verify("hospital-a", c.signedBytes(), c.signature(), c.credential()); // cached path
    }

    @Test
    void aSignatureBySiteAClaimedAsSiteBIsRefused() {
        byte[] message = record("hospital-b").canonicalBytes();
        KitSigner a = signers.get("hospital-a");
        byte[] byA = a.sign(message);
        // with A's certificate: the certificate does not name B
        assertEquals(SignatureRefusedException.Reason.UNKNOWN_SIGNER, refusal("hospital-b", message, byA, a.credential()));
        // with B's certificate: A's signature does not verify under B's key
        assertEquals(SignatureRefusedException.Reason.BAD_SIGNATURE,
                refusal("hospital-b", message, byA, signers.get("hospital-b").credential()));
        // an altered message
        byte[] byB = signers.get("hospital-b").sign(message);
        byte[] altered = record("hospital-b").canonicalBytes();
        altered[altered.length - 1] ^= 1;
        assertEquals(SignatureRefusedException.Reason.BAD_SIGNATURE,
                refusal("hospital-b", altered, byB, signers.get("hospital-b").credential()));
        assertEquals(SignatureRefusedException.Reason.UNKNOWN_SIGNER, refusal("hospital-b", message, byB, new byte[0]));
        assertEquals(SignatureRefusedException.Reason.UNKNOWN_SIGNER, refusal("hospital-b", message, byB, new byte[] {1, 2}));
    }

    @Test
    void aCertificateFromAnotherCaIsRefused(@TempDir Path other) {
        // same project name, same site name, another CA
        Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null, List.of("hospital-a"), null), other,
                Clock.systemUTC());
        KitSigner foreign = new KitSigner(Kit.load(other.resolve("sites/hospital-a")));
        byte[] message = record("hospital-a").canonicalBytes();
        SignatureRefusedException e = assertThrows(SignatureRefusedException.class,
                () -> verifier.verify("hospital-a", message, foreign.sign(message), foreign.credential()));
        assertEquals(SignatureRefusedException.Reason.UNKNOWN_SIGNER, e.reason());
        assertTrue(e.getMessage().contains("CA other than"), e.getMessage());
    }

    @Test
    void aRevokedSiteIsRefusedEvenAfterItsCertificateWasCached() {
        KitSigner b = signers.get("hospital-b");
        byte[] message = record("hospital-b").canonicalBytes();
        verifier.verify("hospital-b", message, b.sign(message), b.credential());
        provisioner.revoke("hospital-b");
        assertEquals(SignatureRefusedException.Reason.UNKNOWN_SIGNER,
                refusal("hospital-b", message, b.sign(message), b.credential()));
    }

    @Test
    void onlySiteKitsSignAndOnlySiteCertificatesAreAccepted() {
        Kit coordinator = Kit.load(dir.resolve("coordinator"));
        assertThrows(PkiException.class, () -> new KitSigner(coordinator));
        byte[] message = record("coordinator").canonicalBytes();
        assertEquals(SignatureRefusedException.Reason.UNKNOWN_SIGNER, refusal("coordinator", message,
                Signatures.sign(coordinator.privateKey(), message), encoded(coordinator)));
    }

    private static byte[] encoded(Kit kit) {
        try {
            return kit.certificate().getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aRoundRunsEndToEndWithKitSignaturesAndRefusesAnImpostor() {
        HeContext ctx = new HeContext(Params.defaults());
        // key setup: seed, committed and signed public-key shares, every site recomputes the key
        SecureRandom random = new SecureRandom();
        List<SeedAgreement.Contribution> seedParts = new ArrayList<>();
        SITES.forEach(s -> seedParts.add(SeedAgreement.contribute(s, random)));
        byte[] seed = SeedAgreement.combine(seedParts.stream().map(SeedAgreement.Contribution::commitment).toList(),
                seedParts.stream().map(SeedAgreement.Contribution::reveal).toList());
        Map<String, KeySetup> setups = new TreeMap<>();
        Map<String, KeyShare> secrets = new TreeMap<>();
        List<KeySetup.Commitment> commitments = new ArrayList<>();
        for (String s : SITES) {
            setups.put(s, new KeySetup(ctx, seed, "job-1", SITES, verifier));
            secrets.put(s, KeyShare.generate(ctx, s, SecretRandom.create()));
            commitments.add(setups.get(s).commit(secrets.get(s), SecretRandom.create(), random, signers.get(s)));
        }
        List<KeySetup.Reveal> reveals = new ArrayList<>();
        setups.values().forEach(k -> reveals.add(k.reveal(commitments)));
        PublicKey key = setups.get("hospital-a").combine(commitments, reveals);
        setups.values().forEach(k -> assertEquals(key.keyId(), k.confirm(key, commitments, reveals).keyId()));
        // a share re-signed by another site's kit is refused
        KeySetup.Reveal b = reveals.get(1);
        List<KeySetup.Reveal> stolen = new ArrayList<>(reveals);
        stolen.set(1, new KeySetup.Reveal(b.share(), b.nonce(), b.signature(), signers.get("hospital-a").credential()));
        assertEquals(KeySetupException.Reason.BAD_SIGNATURE, assertThrows(KeySetupException.class,
                () -> setups.get("hospital-c").combine(commitments, stolen)).reason());

        // round 1, chunk 0: every site encrypts and signs; the coordinator adds
        Map<String, CiphertextTree> trees = new TreeMap<>();
        List<SiteContribution> list = new ArrayList<>();
        Ciphertext aggregate = null;
        double[] expected = new double[10];
        for (int i = 0; i < SITES.size(); i++) {
            double[] v = new double[10];
            for (int j = 0; j < v.length; j++) {
                v[j] = (i + 1) * 0.01 * j;
                expected[j] += v[j];
            }
            Ciphertext ct = new Encryptor(ctx, key, SecretRandom.create()).encrypt(new Encoder(ctx).encode(v, 1.0), 0);
            list.add(SiteContribution.sign(ctx, "job-1", 1, List.of(ct), null, signers.get(SITES.get(i))));
            trees.put(SITES.get(i), CiphertextTree.of(ctx, ct));
            if (aggregate == null) {
                aggregate = ct.copy();
            } else {
                new Evaluator(ctx).addInPlace(aggregate, ct);
            }
        }
        DecryptionRequest request = new DecryptionRequest("job-1", 1, 0, aggregate, list);
        List<DecryptionShare> shares = new ArrayList<>();
        FloodingNoise flooding = FloodingNoise.forJob(ctx, SITES.size(), SITES.size());
        for (String s : SITES) {
            KeyShareHolder h = new KeyShareHolder(ctx, secrets.get(s), key, InMemoryDecryptionLedger.verifiedOnlyLedger(),
                    flooding, 1, SecretRandom.create());
            VerifiedDecryption<DecryptionShare> vd = VerifiedDecryption.of(h,
                    new AggregateVerifier(ctx, key.keyId(), verifier, SITES, 2, 64, random));
            Challenge ch = vd.challenge(request);
            shares.addAll(vd.answer(List.of(request), List.of(ChallengeResponse.answer(ch, request, trees))));
        }
        double[] sum = new DecryptionCombiner(ctx, key, flooding).combine(aggregate, shares);
        for (int j = 0; j < expected.length; j++) {
            assertEquals(expected[j], sum[j], 1e-9);
        }

        // the coordinator relabels hospital-c's contribution as hospital-b's (signed by c, claimed as b)
        ContributionRecord asB = new ContributionRecord("job-1", 2, 0, "hospital-b",
                list.get(2).records().get(0).digest());
        ContributionStatement statementAsB = ContributionStatement.covering(List.of(asB));
        List<SiteContribution> relabelled = List.of(
                SiteContribution.sign(List.of(new ContributionRecord("job-1", 2, 0, "hospital-a",
                        list.get(0).records().get(0).digest())), signers.get("hospital-a")),
                new SiteContribution(new SignedStatement(statementAsB,
                        signers.get("hospital-c").sign(statementAsB.canonicalBytes()),
                        signers.get("hospital-c").credential()), List.of(asB)));
        AggregateVerifier holderCheck = new AggregateVerifier(ctx, key.keyId(), verifier, SITES, 2, 64, random);
        Ciphertext any = new Encryptor(ctx, key, SecretRandom.create()).encrypt(new Encoder(ctx).encode(new double[] {0}, 1.0), 0);
        UnverifiedAggregateException e = assertThrows(UnverifiedAggregateException.class,
                () -> holderCheck.challenge(new DecryptionRequest("job-1", 2, 0, any, relabelled)));
        assertEquals(UnverifiedAggregateException.Reason.UNKNOWN_SITE, e.reason());
        assertEquals("hospital-b", e.site());
    }
}
