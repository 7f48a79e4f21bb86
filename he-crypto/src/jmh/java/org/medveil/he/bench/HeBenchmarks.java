package org.medveil.he.bench;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.medveil.he.multiparty.CollectiveKeyGenerator;
import org.medveil.he.multiparty.DecryptionCombiner;
import org.medveil.he.multiparty.DecryptionShare;
import org.medveil.he.multiparty.FloodingNoise;
import org.medveil.he.multiparty.InMemoryDecryptionLedger;
import org.medveil.he.multiparty.KeyShare;
import org.medveil.he.multiparty.KeyShareHolder;
import org.medveil.he.multiparty.PublicKeyShare;
import org.medveil.he.multiparty.SeedAgreement;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Encoder;
import org.medveil.he.rlwe.Encryptor;
import org.medveil.he.rlwe.Evaluator;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.he.rlwe.PublicKey;
import org.medveil.he.rlwe.VectorEncryptor;
import org.medveil.he.threshold.ActiveSet;
import org.medveil.he.threshold.EcdhShareOpener;
import org.medveil.he.threshold.EcdhShareSealer;
import org.medveil.he.threshold.SealLabel;
import org.medveil.he.threshold.ShamirShare;
import org.medveil.he.threshold.Threshold;
import org.medveil.he.threshold.ThresholdCombiner;
import org.medveil.he.threshold.ThresholdDecryptionShare;
import org.medveil.he.threshold.ThresholdKeyShare;
import org.medveil.he.threshold.ThresholdShareHolder;
import org.medveil.he.threshold.Thresholdizer;
import org.medveil.he.wire.ThresholdWireCodec;
import org.medveil.he.wire.WireCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Per-ciphertext costs (one ciphertext = N values: 8192 at the default set n8192, 4096 at n4096),
 * single-threaded; the t-of-N threshold setup cost of one party; and the multi-threaded time to
 * encrypt a 10^6-value update. Run: see he-crypto/README.md.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HeBenchmarks {

    /** Key material and one fresh ciphertext for a {@code parties}-party federation. */
    @State(Scope.Benchmark)
    public static class Fed {
        @Param({"n8192", "n4096"})
        public String params;
        @Param({"3"})
        public int parties;

        HeContext ctx;
        PublicKey key;
        FloodingNoise flooding;
        List<KeyShare> secrets = new ArrayList<>();
        double[] values;
        Ciphertext ct;
        byte[] ctBytes;
        WireCodec codec;

        @Setup(Level.Trial)
        public void setup() {
            ctx = new HeContext(Params.byName(params));
            SecureRandom r = new SecureRandom();
            List<SeedAgreement.Contribution> cs = new ArrayList<>();
            for (int i = 0; i < parties; i++) {
                cs.add(SeedAgreement.contribute("site-" + i, r));
            }
            byte[] seed = SeedAgreement.combine(cs.stream().map(SeedAgreement.Contribution::commitment).toList(),
                    cs.stream().map(SeedAgreement.Contribution::reveal).toList());
            CollectiveKeyGenerator ckg = new CollectiveKeyGenerator(ctx, seed);
            List<PublicKeyShare> shares = new ArrayList<>();
            SecretRandom prng = SecretRandom.create();
            for (int i = 0; i < parties; i++) {
                KeyShare s = KeyShare.generate(ctx, "site-" + i, prng);
                secrets.add(s);
                shares.add(ckg.share(s, prng));
            }
            key = ckg.combine(shares);
            flooding = FloodingNoise.forJob(ctx, parties, parties);
            values = new double[ctx.n()];
            Random rnd = new Random(1);
            for (int i = 0; i < values.length; i++) {
                values[i] = rnd.nextDouble() * 2 - 1;
            }
            ct = new Encryptor(ctx, key, prng).encrypt(new Encoder(ctx).encode(values, 1.0), 0);
            codec = new WireCodec(ctx);
            ctBytes = codec.encodeCiphertext(ct);
        }
    }

    /** Per-thread encryptor (own PRNG), accumulator, share holder and shares. */
    @State(Scope.Thread)
    public static class Worker {
        Encoder encoder;
        Encryptor encryptor;
        Evaluator evaluator;
        Ciphertext acc;
        KeyShareHolder holder;
        Ciphertext request;
        DecryptionCombiner combiner;
        List<DecryptionShare> shares;
        long counter;

        @Setup(Level.Iteration)
        public void setup(Fed fed) {
            encoder = new Encoder(fed.ctx);
            encryptor = new Encryptor(fed.ctx, fed.key, SecretRandom.create());
            evaluator = new Evaluator(fed.ctx);
            acc = encryptor.encrypt(encoder.encode(fed.values, 1.0), 0);
            // a fresh ledger per iteration keeps memory flat; every request below is distinct
            holder = new KeyShareHolder(fed.ctx, fed.secrets.get(0), fed.key, new InMemoryDecryptionLedger(),
                    fed.flooding, 1, SecretRandom.create());
            request = fed.ct.copy();
            combiner = new DecryptionCombiner(fed.ctx, fed.key, fed.flooding);
            shares = new ArrayList<>();
            for (KeyShare s : fed.secrets) {
                shares.add(new KeyShareHolder(fed.ctx, s, fed.key, new InMemoryDecryptionLedger(),
                        fed.flooding, 1, SecretRandom.create()).decryptionShare(fed.ct));
            }
        }
    }

    @Benchmark
    public Ciphertext encodeEncrypt(Fed fed, Worker w) {
        return w.encryptor.encrypt(w.encoder.encode(fed.values, 1.0), 0);
    }

    /** acc += ct; the declared bound grows by 1 per call, far below the 2^26 (n4096) limit per iteration. */
    @Benchmark
    public Ciphertext add(Fed fed, Worker w) {
        w.evaluator.addInPlace(w.acc, fed.ct);
        return w.acc;
    }

    /** One key holder's share, including the request digest and the ledger check. */
    @Benchmark
    public DecryptionShare decryptionShare(Worker w) {
        long[] r = w.request.c1().at(0);
        r[0] = r[0] == 0 ? 1 : r[0] - 1; // a distinct request each call (the ledger refuses repeats)
        return w.holder.decryptionShare(w.request);
    }

    /** c0 + Σ h_i over all parties, then range-checked decoding of 4096 values. */
    @Benchmark
    public double[] combineDecode(Fed fed, Worker w) {
        return w.combiner.combine(fed.ct, w.shares);
    }

    @Benchmark
    public byte[] serialize(Fed fed) {
        return fed.codec.encodeCiphertext(fed.ct);
    }

    @Benchmark
    public Ciphertext deserialize(Fed fed) {
        return fed.codec.decodeCiphertext(fed.ctBytes);
    }

    /** Encrypting a 10^6-value update on all cores (123 ciphertexts at N=8192, 245 at N=4096). */
    @State(Scope.Benchmark)
    public static class Million {
        @Param({"1000000"})
        public int length;
        double[] update;
        ExecutorService pool;
        int threads;

        @Setup(Level.Trial)
        public void setup() {
            update = new double[length];
            Random rnd = new Random(2);
            for (int i = 0; i < length; i++) {
                update[i] = rnd.nextDouble() * 2 - 1;
            }
            threads = Runtime.getRuntime().availableProcessors();
            pool = Executors.newFixedThreadPool(threads);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pool.shutdownNow();
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public List<Ciphertext> encryptMillionAllCores(Fed fed, Million m) {
        return new VectorEncryptor(fed.ctx, fed.key, SecretRandom::create).encrypt(m.update, 1.0, m.pool, m.threads);
    }

    // ---------------------------------------------------------------- t-of-N

    /**
     * A t-of-N key over {@code holders} parties (t = ⌈2N/3⌉), set up with sealed Shamir shares, and
     * one ciphertext with the t shares of the first t holders.
     */
    @State(Scope.Benchmark)
    public static class Thr {
        @Param({"n8192", "n4096"})
        public String params;
        @Param({"10"})
        public int holders;

        HeContext ctx;
        PublicKey key;
        FloodingNoise flooding;
        List<KeyShare> secrets = new ArrayList<>();
        Threshold threshold;
        List<KeyPair> kits = new ArrayList<>();
        List<EcdhShareOpener> openers = new ArrayList<>();
        List<ThresholdKeyShare> shares = new ArrayList<>();
        ActiveSet set;
        Ciphertext ct;

        @Setup(Level.Trial)
        public void setup() {
            Fed fed = new Fed();
            fed.params = params;
            fed.parties = holders;
            fed.setup();
            ctx = fed.ctx;
            key = fed.key;
            flooding = fed.flooding;
            secrets = fed.secrets;
            ct = fed.ct;
            threshold = Threshold.defaultFor(key);
            for (int i = 0; i < holders; i++) {
                kits.add(p256());
                openers.add(new EcdhShareOpener(kits.get(i)));
            }
            Thresholdizer th = new Thresholdizer(ctx, threshold);
            List<Thresholdizer.Collector> collectors = new ArrayList<>();
            for (int j = 0; j < holders; j++) {
                collectors.add(th.collector("site-" + j));
            }
            SecretRandom random = SecretRandom.create();
            for (int i = 0; i < holders; i++) {
                Thresholdizer.Dealing d = th.deal(secrets.get(i), random);
                for (int j = 0; j < holders; j++) {
                    collectors.get(j).add(d.shareFor("site-" + j));
                }
            }
            for (Thresholdizer.Collector c : collectors) {
                shares.add(c.finish());
            }
            List<String> first = new ArrayList<>();
            for (int j = 0; j < threshold.t(); j++) {
                first.add("site-" + j);
            }
            set = threshold.activeSet(first);
        }
    }

    static KeyPair p256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @State(Scope.Thread)
    public static class ThrWorker {
        ThresholdShareHolder holder;
        Ciphertext request;
        ThresholdCombiner combiner;
        List<ThresholdDecryptionShare> shares;

        @Setup(Level.Iteration)
        public void setup(Thr thr) {
            holder = new ThresholdShareHolder(thr.ctx, thr.shares.get(0), thr.key, new InMemoryDecryptionLedger(),
                    thr.flooding, 1, SecretRandom.create());
            request = thr.ct.copy();
            combiner = new ThresholdCombiner(thr.ctx, thr.key, thr.threshold, thr.flooding);
            shares = new ArrayList<>();
            for (int j = 0; j < thr.threshold.t(); j++) {
                shares.add(new ThresholdShareHolder(thr.ctx, thr.shares.get(j), thr.key, new InMemoryDecryptionLedger(),
                        thr.flooding, 1, SecretRandom.create()).decryptionShare(thr.ct, thr.set));
            }
        }
    }

    /** One holder's threshold decryption share (Lagrange coefficient, flooding, digest, ledger). */
    @Benchmark
    public ThresholdDecryptionShare thresholdShare(Thr thr, ThrWorker w) {
        long[] r = w.request.c1().at(0);
        r[0] = r[0] == 0 ? 1 : r[0] - 1; // a distinct request each call
        return w.holder.decryptionShare(w.request, thr.set);
    }

    /** c0 + the t shares of the active set, then rounded, range-checked decoding. */
    @Benchmark
    public double[] thresholdCombine(Thr thr, ThrWorker w) {
        return w.combiner.combine(thr.ct, thr.set, w.shares);
    }

    /**
     * One party's whole threshold setup: draw its polynomial, and for every holder evaluate,
     * serialize, seal (ECDH + AES-GCM); then, as the recipient of as many shares, open, decode
     * and add them. Pass -p holders=100 for the 67-of-100 figure.
     */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Poly thresholdSetupPerParty(Thr thr) {
        Thresholdizer th = new Thresholdizer(thr.ctx, thr.threshold);
        ThresholdWireCodec codec = new ThresholdWireCodec(thr.ctx);
        EcdhShareSealer sealer = new EcdhShareSealer();
        List<EcdhShareOpener> openers = thr.openers;
        Thresholdizer.Dealing d = th.deal(thr.secrets.get(0), SecretRandom.create());
        Poly sum = thr.ctx.ring().newPoly();
        for (int j = 0; j < thr.holders; j++) {
            SealLabel label = new SealLabel("bench", "site-0", "site-" + j);
            byte[] sealed = sealer.seal(label, thr.kits.get(j).getPublic(), codec.encodeShamirShare(d.shareFor("site-" + j)));
            // receiving: site-0 opens, decodes and adds one share from each holder — the same work
            // as opening this one, which is done here with the recipient's key
            ShamirShare s = codec.decodeShamirShare(openers.get(j).open(label, sealed));
            thr.ctx.ring().addInPlace(sum, s.value());
        }
        d.destroy();
        return sum;
    }
}
