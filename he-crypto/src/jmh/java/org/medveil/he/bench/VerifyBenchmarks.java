package org.medveil.he.bench;

import org.medveil.he.ring.SecretRandom;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.medveil.he.SignatureRefusedException;
import org.medveil.he.multiparty.CollectiveKeyGenerator;
import org.medveil.he.multiparty.KeyShare;
import org.medveil.he.ring.Prng;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Encoder;
import org.medveil.he.rlwe.Encryptor;
import org.medveil.he.rlwe.Evaluator;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.he.rlwe.PublicKey;
import org.medveil.he.verify.AggregateVerifier;
import org.medveil.he.verify.BlockOpening;
import org.medveil.he.verify.Challenge;
import org.medveil.he.verify.ChallengeResponse;
import org.medveil.he.verify.CiphertextTree;
import org.medveil.he.verify.ContributionOpening;
import org.medveil.he.verify.ContributionSigner;
import org.medveil.he.verify.ContributionVerifier;
import org.medveil.he.verify.DecryptionRequest;
import org.medveil.he.verify.LinearSketch;
import org.medveil.he.verify.ContributionRecord;
import org.medveil.he.verify.SignedStatement;
import org.medveil.he.verify.SiteContribution;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of checking one aggregate chunk before answering it (issue 10 part 1), for C signed
 * contributions and k = 64 spot-checked blocks, single-threaded. Each site signs one statement
 * per round covering its records of all R chunks, so the holder's work splits into a part per
 * round ({@code holderStatementsRound}: read C sites' records of R chunks, hash them, C ECDSA
 * P-256 verifications) and a part per chunk ({@code holderChallenge}: list and coverage checks,
 * block draw; {@code holderVerify}: C·k Merkle paths, sums at 64·8 positions). Site and coordinator sides are measured too. Signatures use the
 * JDK's SHA256withECDSA on P-256, the algorithm of the governance kits (minus the certificate
 * check, which governance caches per certificate). Run:
 * {@code ./mvnw -B -q -pl he-crypto -Pjmh test-compile exec:exec -Djmh.args="-f 1 -wi 3 -w 1 -i 5 -r 1 VerifyBenchmarks"}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class VerifyBenchmarks {

    @State(Scope.Benchmark)
    public static class Round {
        @Param({"n4096"})
        public String params;
        @Param({"10", "100"})
        public int contributions;
        @Param({"64"})
        public int k;
        /** R, the chunks of a site's update in one round: 1221 = a 10^7-value update at n8192. */
        @Param({"1221"})
        public int chunks;

        HeContext ctx;
        AggregateVerifier verifier;
        DecryptionRequest request;
        Challenge challenge;
        ChallengeResponse response;
        Map<String, CiphertextTree> trees = new HashMap<>();
        Ciphertext fresh;
        ContributionSigner signer;
        byte[] message;
        byte[] signature;
        Keys keys;
        LinearSketch sketch;
        AggregateVerifier sketchVerifier;
        List<String> sites = new ArrayList<>();
        List<SignedStatement> statements = new ArrayList<>();
        List<List<byte[]>> recordBytes = new ArrayList<>();
        Ciphertext aggregate;
        PublicKey pk;

        @Setup(Level.Trial)
        public void setup() {
            ctx = new HeContext(Params.byName(params));
            byte[] seed = new byte[32];
            new SecureRandom().nextBytes(seed);
            CollectiveKeyGenerator ckg = new CollectiveKeyGenerator(ctx, seed);
            SecretRandom prng = SecretRandom.create();
            KeyShare s = KeyShare.generate(ctx, "site-0", prng);
            pk = ckg.combine(List.of(ckg.share(s, prng)));
            for (int i = 0; i < contributions; i++) {
                sites.add(String.format("site-%03d", i));
            }
            keys = new Keys(sites);
            Encryptor enc = new Encryptor(ctx, pk, prng);
            double[] v = new double[ctx.n()];
            java.util.Arrays.fill(v, 0.25);
            Ciphertext agg = null;
            List<SiteContribution> list = new ArrayList<>();
            SecureRandom filler = new SecureRandom();
            byte[] sketchKey = new byte[LinearSketch.KEY_BYTES];
            new SecureRandom().nextBytes(sketchKey);
            sketch = new LinearSketch(ctx, sketchKey);
            for (String site : sites) {
                Ciphertext ct = enc.encrypt(new Encoder(ctx).encode(v, 1.0), 0);
                // chunk 0 is real; the records of chunks 1 .. R-1 only need to be hashed and covered
                List<ContributionRecord> records = new ArrayList<>();
                records.add(ContributionRecord.of(ctx, "job", 1, ct, sketch, site));
                for (int c = 1; c < chunks; c++) {
                    byte[] digest = new byte[32];
                    filler.nextBytes(digest);
                    long[] sk = new long[LinearSketch.size(ctx)];
                    for (int j = 0; j < sk.length; j++) {
                        sk[j] = filler.nextLong() >>> 11;
                    }
                    records.add(new ContributionRecord("job", 1, c, site, digest, sk));
                }
                SiteContribution sc = SiteContribution.sign(records, keys.signer(site));
                list.add(sc);
                statements.add(sc.signed());
                recordBytes.add(records.stream().map(ContributionRecord::canonicalBytes).toList());
                trees.put(site, CiphertextTree.of(ctx, ct));
                if (agg == null) {
                    agg = ct.copy();
                } else {
                    new Evaluator(ctx).addInPlace(agg, ct);
                }
            }
            fresh = enc.encrypt(new Encoder(ctx).encode(v, 1.0), 0);
            aggregate = agg;
            request = new DecryptionRequest("job", 1, 0, agg, list);
            verifier = new AggregateVerifier(ctx, pk.keyId(), keys, sites, contributions, k, new SecureRandom());
            sketchVerifier = new AggregateVerifier(ctx, pk.keyId(), keys, sites, contributions, k, new SecureRandom(),
                    sketch);
            challenge = verifier.challenge(request); // also remembers every statement as verified
            sketchVerifier.challenge(request);
            response = ChallengeResponse.answer(challenge, request, trees);
            signer = keys.signer(sites.get(0));
            message = list.get(0).signed().signedBytes();
            signature = signer.sign(message);
            System.out.printf("%n[verify bytes] %s, C=%d, k=%d: challenge %d B, response %d B (%.1f B per contribution),"
                            + " signed list %d B; aggregate ciphertext ~%d B%n", params, contributions, k,
                    challengeBytes(challenge), responseBytes(response), responseBytes(response) / (double) contributions,
                    listBytes(list), 2L * ctx.n() * ctx.ring().primes() * 54 / 8);
        }
    }

    /** Holder, per chunk: list and coverage checks and the block draw (statements verified earlier in the round). */
    @Benchmark
    public Challenge holderChallenge(Round r) {
        return r.verifier.challenge(r.request);
    }

    /**
     * Holder, once per round: parse C sites' statements and R records each from their bytes, hash
     * the records, verify C signatures (a fresh verifier), and challenge the first chunk.
     */
    @Benchmark
    public Challenge holderStatementsRound(Round r) {
        List<SiteContribution> listed = new ArrayList<>(r.sites.size());
        for (int i = 0; i < r.sites.size(); i++) {
            List<ContributionRecord> records = new ArrayList<>(r.chunks);
            for (byte[] b : r.recordBytes.get(i)) {
                records.add(ContributionRecord.parse(b));
            }
            SignedStatement s = r.statements.get(i);
            listed.add(new SiteContribution(SignedStatement.fromSignedBytes(s.signedBytes(), s.signature(),
                    s.credential()), records));
        }
        AggregateVerifier fresh = new AggregateVerifier(r.ctx, r.pk.keyId(), r.keys, r.sites, r.contributions, r.k,
                new SecureRandom());
        return fresh.challenge(new DecryptionRequest("job", 1, 0, r.aggregate, listed));
    }

    /** Holder, per chunk: holderChallenge plus the secret-sketch check (sum of C signed sketches vs the aggregate's). */
    @Benchmark
    public Challenge holderChallengeWithSketch(Round r) {
        return r.sketchVerifier.challenge(r.request);
    }

    /** Site or holder, per chunk: the secret sketch of one ciphertext. */
    @Benchmark
    public long[] sketchOne(Round r) {
        return r.sketch.of("job", 1, 0, r.fresh);
    }

    /** Holder: request digest, C·k Merkle paths, header and sums at k·8 positions. */
    @Benchmark
    public Object holderVerify(Round r) {
        return r.verifier.verify(r.request, r.challenge, r.response);
    }

    /** Coordinator: opens k blocks of each of the C stored trees. */
    @Benchmark
    public ChallengeResponse coordinatorRespond(Round r) {
        return ChallengeResponse.answer(r.challenge, r.request, r.trees);
    }

    /** Site, per chunk: the Merkle root of its ciphertext. */
    @Benchmark
    public byte[] siteTree(Round r) {
        return CiphertextTree.of(r.ctx, r.fresh).root();
    }

    /** Site, once per round: one ECDSA P-256 signature of its statement. */
    @Benchmark
    public byte[] siteSign(Round r) {
        return r.signer.sign(r.message);
    }

    /** One ECDSA P-256 verification (the per-site part of holderStatementsRound). */
    @Benchmark
    public Object ecdsaVerify(Round r) {
        r.keys.verify("site-000", r.message, r.signature, r.signer.credential());
        return r.signature;
    }

    /** Sizes as they would travel with residues as 8-byte words (bit-packing at 54 bits saves 15%). */
    static long challengeBytes(Challenge c) {
        return 8 + c.jobId().length() + 8 + 4 + 32 + 4 + 4L * c.blocks().length;
    }

    static long responseBytes(ChallengeResponse r) {
        long n = 8 + r.jobId().length() + 8 + 4 + 4;
        for (ContributionOpening o : r.openings()) {
            n += 2 + o.site().length() + 4 + 8 + 4;
            for (BlockOpening b : o.blocks()) {
                n += 4 + 8L * b.residues().length + 32L * b.siblings().length;
            }
        }
        return n;
    }

    /** Per chunk: each site's record of the chunk, plus its statement, signature and credential spread over R chunks. */
    static long listBytes(List<SiteContribution> list) {
        double n = 0;
        for (SiteContribution c : list) {
            n += c.records().get(0).canonicalBytes().length + (c.signed().signedBytes().length
                    + c.signed().signature().length + c.signed().credential().length) / (double) c.records().size();
        }
        return Math.round(n);
    }

    /** JDK ECDSA P-256 keys per site, as {@link ContributionSigner} and {@link ContributionVerifier}. */
    static final class Keys implements ContributionVerifier {
        final Map<String, KeyPair> pairs = new HashMap<>();

        Keys(List<String> sites) {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                for (String s : sites) {
                    pairs.put(s, g.generateKeyPair());
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        ContributionSigner signer(String site) {
            KeyPair kp = pairs.get(site);
            return new ContributionSigner() {
                @Override
                public String site() {
                    return site;
                }

                @Override
                public byte[] credential() {
                    return new byte[0];
                }

                @Override
                public byte[] sign(byte[] m) {
                    try {
                        Signature s = Signature.getInstance("SHA256withECDSA");
                        s.initSign(kp.getPrivate());
                        s.update(m);
                        return s.sign();
                    } catch (GeneralSecurityException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
        }

        @Override
        public void verify(String site, byte[] m, byte[] sig, byte[] credential) {
            try {
                Signature s = Signature.getInstance("SHA256withECDSA");
                s.initVerify(pairs.get(site).getPublic());
                s.update(m);
                if (!s.verify(sig)) {
                    throw new SignatureRefusedException(SignatureRefusedException.Reason.BAD_SIGNATURE, "bad signature");
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
