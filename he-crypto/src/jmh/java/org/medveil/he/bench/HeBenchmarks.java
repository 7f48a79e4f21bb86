package org.medveil.he.bench;

import java.security.SecureRandom;
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
import org.medveil.he.ring.Prng;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Encoder;
import org.medveil.he.rlwe.Encryptor;
import org.medveil.he.rlwe.Evaluator;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.he.rlwe.PublicKey;
import org.medveil.he.rlwe.VectorEncryptor;
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
 * Per-ciphertext costs (one ciphertext = N = 4096 values at the default set), single-threaded,
 * and the multi-threaded time to encrypt a 10^6-value update. Run: see he-crypto/README.md.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HeBenchmarks {

    /** Key material and one fresh ciphertext for a {@code parties}-party federation. */
    @State(Scope.Benchmark)
    public static class Fed {
        @Param({"n4096"})
        public String params;
        @Param({"3"})
        public int parties;

        HeContext ctx;
        PublicKey key;
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
            Prng prng = Prng.secure();
            for (int i = 0; i < parties; i++) {
                KeyShare s = KeyShare.generate(ctx, "site-" + i, prng);
                secrets.add(s);
                shares.add(ckg.share(s, prng));
            }
            key = ckg.combine(shares);
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
            encryptor = new Encryptor(fed.ctx, fed.key, Prng.secure());
            evaluator = new Evaluator(fed.ctx);
            acc = encryptor.encrypt(encoder.encode(fed.values, 1.0), 0);
            // a fresh ledger per iteration keeps memory flat; every request below is distinct
            holder = new KeyShareHolder(fed.ctx, fed.secrets.get(0), fed.key, new InMemoryDecryptionLedger(),
                    FloodingNoise.DEFAULT, 1, Prng.secure());
            request = fed.ct.copy();
            combiner = new DecryptionCombiner(fed.ctx, fed.key);
            shares = new ArrayList<>();
            for (KeyShare s : fed.secrets) {
                shares.add(new KeyShareHolder(fed.ctx, s, fed.key, new InMemoryDecryptionLedger(),
                        FloodingNoise.DEFAULT, 1, Prng.secure()).decryptionShare(fed.ct));
            }
        }
    }

    @Benchmark
    public Ciphertext encodeEncrypt(Fed fed, Worker w) {
        return w.encryptor.encrypt(w.encoder.encode(fed.values, 1.0), 0);
    }

    /** acc += ct; the declared bound grows by 1 per call, far below the 2^26 limit per iteration. */
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

    /** Encrypting a 10^6-value update on all cores (245 ciphertexts at N=4096). */
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
        return new VectorEncryptor(fed.ctx, fed.key, Prng::secure).encrypt(m.update, 1.0, m.pool, m.threads);
    }
}
