package org.medveil.cli.he;

import java.io.PrintWriter;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.medveil.he.multiparty.CollectiveKeyGenerator;
import org.medveil.he.multiparty.DecryptionCombiner;
import org.medveil.he.multiparty.DecryptionLedger;
import org.medveil.he.multiparty.DecryptionShare;
import org.medveil.he.multiparty.FloodingNoise;
import org.medveil.he.multiparty.InMemoryDecryptionLedger;
import org.medveil.he.multiparty.KeyShare;
import org.medveil.he.multiparty.KeyShareHolder;
import org.medveil.he.multiparty.NoiseBudget;
import org.medveil.he.multiparty.PublicKeyShare;
import org.medveil.he.multiparty.SeedAgreement;
import org.medveil.he.multiparty.StreamingAccumulator;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.he.rlwe.PublicKey;
import org.medveil.he.rlwe.VectorEncryptor;
import org.medveil.he.threshold.ActiveSet;
import org.medveil.he.threshold.EcdhShareOpener;
import org.medveil.he.threshold.EcdhShareSealer;
import org.medveil.he.threshold.SealLabel;
import org.medveil.he.threshold.Threshold;
import org.medveil.he.threshold.ThresholdCombiner;
import org.medveil.he.threshold.ThresholdDecryptionShare;
import org.medveil.he.threshold.ThresholdKeyShare;
import org.medveil.he.threshold.ThresholdShareHolder;
import org.medveil.he.threshold.Thresholdizer;
import org.medveil.he.wire.ThresholdWireCodec;
import org.medveil.he.wire.WireCodec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code medveil he bench}: runs one aggregation round on random data, like {@code openssl speed},
 * so operators can size hardware: K parties each encrypt an N-value update, the coordinator
 * deserializes and adds the ciphertexts as they stream in, the key holders return decryption
 * shares, and the coordinator combines and decodes. With {@code --threshold} (or
 * {@code --dropouts}) the key is first shared t-of-N — every holder deals sealed Shamir shares to
 * every other — and D holders then do not answer: the round succeeds when N − D ≥ t and fails
 * with the typed one-line error otherwise. Prints wall-clock time per step, per party and per
 * ciphertext, bytes on the wire and the largest error against the plaintext sum.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time one encrypted aggregation round on random data (like 'openssl speed').",
                "Steps: key setup, [threshold setup], encrypt, serialize, aggregate (deserialize + add),",
                "decryption shares, combine + decode. Memory stays bounded: parties are processed one after the other."})
public final class BenchCommand implements Runnable {

    @Option(names = "--values", paramLabel = "N", defaultValue = "100000",
            description = "Values per model update (default: ${DEFAULT-VALUE}).")
    int values;

    @Option(names = "--parties", paramLabel = "K", defaultValue = "3",
            description = "Sites, each contributing an update and holding a key share (default: ${DEFAULT-VALUE}).")
    int parties;

    @Option(names = "--threads", paramLabel = "T",
            description = "Worker threads (default: available processors).")
    Integer threads;

    @Option(names = "--params", paramLabel = "SET", defaultValue = Params.DEFAULT_NAME,
            description = "Parameter set: " + Params.DEFAULT_NAME + " (default) or " + Params.FAST_NAME + ".")
    String paramSet;

    @Option(names = "--threshold", paramLabel = "T",
            description = "Threshold decryption: any T of the K key holders decrypt (default with --dropouts: ceil(2K/3);"
                    + " without either option every holder must answer).")
    Integer threshold;

    @Option(names = "--dropouts", paramLabel = "D", defaultValue = "0",
            description = "Key holders that do not answer the decryption requests (default: ${DEFAULT-VALUE}).")
    int dropouts;

    @Option(names = "--no-warmup", negatable = false,
            description = "Skip the short unmeasured warm-up round (JIT compilation) before the measured one.")
    boolean noWarmup;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        validate(t);
        Params params;
        try {
            params = Params.byName(paramSet);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--params: " + e.getMessage(), e);
        }
        Integer tOfN = threshold != null ? threshold : dropouts > 0 ? Threshold.defaultT(parties) : null;
        ExecutorService pool = Executors.newFixedThreadPool(t);
        try {
            HeContext ctx = new HeContext(params);
            if (!noWarmup) {
                PrintWriter discard = new PrintWriter(java.io.Writer.nullWriter());
                int k = Math.min(parties, 3);
                new Round(ctx, Math.min(values, 16 * ctx.n()), k, tOfN == null ? null : Math.min(tOfN, k), 0, t, pool,
                        discard).run();
            }
            new Round(ctx, values, parties, tOfN, dropouts, t, pool, spec.commandLine().getOut()).run();
        } finally {
            pool.shutdownNow();
        }
    }

    /** Bad values are reported by Main as one line ("medveil: error: ..."), exit code 1. */
    private void validate(int t) {
        if (values < 1 || values > 100_000_000) {
            throw new IllegalArgumentException("--values must be between 1 and 100000000, got " + values);
        }
        if (parties < 1 || parties > 10_000) {
            throw new IllegalArgumentException("--parties must be between 1 and 10000, got " + parties);
        }
        if (t < 1 || t > 1024) {
            throw new IllegalArgumentException("--threads must be between 1 and 1024, got " + t);
        }
        if (threshold != null && (threshold < 1 || threshold > parties)) {
            throw new IllegalArgumentException("--threshold must be between 1 and --parties (" + parties + "), got "
                    + threshold);
        }
        if (dropouts < 0 || dropouts > parties) {
            throw new IllegalArgumentException("--dropouts must be between 0 and --parties (" + parties + "), got "
                    + dropouts);
        }
    }

    /** One benchmark round; holds its timings. */
    private static final class Round {
        private static final String JOB = "bench";
        private final HeContext ctx;
        private final int n;
        private final int k;
        private final Integer t;
        private final int dropouts;
        private final int threads;
        private final ExecutorService pool;
        private final PrintWriter out;
        private final int chunks;

        Round(HeContext ctx, int n, int k, Integer t, int dropouts, int threads, ExecutorService pool, PrintWriter out) {
            this.ctx = ctx;
            this.n = n;
            this.k = k;
            this.t = t;
            this.dropouts = dropouts;
            this.threads = threads;
            this.pool = pool;
            this.out = out;
            this.chunks = (n + ctx.n() - 1) / ctx.n();
        }

        void run() {
            Params p = ctx.params();
            out.printf(Locale.ROOT, "medveil he bench: %d values x %d parties, %d threads, params %s "
                            + "(N=%d, log2 Q=%d, scale 2^%d, %d ciphertexts per update)%n",
                    n, k, threads, p.name(), p.n(), p.logQ(), p.logScale(), chunks);
            FloodingNoise flooding = FloodingNoise.forJob(ctx, k, k);
            out.printf(Locale.ROOT, "decryption: %s; flooding uniform on +-2^%d (statistical distance <= 2^%.1f per"
                            + " decrypted ciphertext, %d-bit target)%n",
                    t == null ? "every key holder answers (" + k + "-of-" + k + ")"
                            : t + "-of-" + k + " threshold, " + dropouts + " holder(s) not answering",
                    flooding.bits(), flooding.distanceLog2(ctx, k, k), p.statisticalBits());

            // key setup: commit-reveal seed, key shares, public-key shares, collective key
            long t0 = System.nanoTime();
            SecureRandom random = new SecureRandom();
            List<SeedAgreement.Contribution> contributions = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                contributions.add(SeedAgreement.contribute(party(i), random));
            }
            byte[] seed = SeedAgreement.combine(
                    contributions.stream().map(SeedAgreement.Contribution::commitment).toList(),
                    contributions.stream().map(SeedAgreement.Contribution::reveal).toList());
            CollectiveKeyGenerator ckg = new CollectiveKeyGenerator(ctx, seed);
            List<KeyShare> secrets = new ArrayList<>();
            List<PublicKeyShare> pkShares = new ArrayList<>();
            SecretRandom secret = SecretRandom.create();
            for (int i = 0; i < k; i++) {
                KeyShare s = KeyShare.generate(ctx, party(i), secret);
                secrets.add(s);
                pkShares.add(ckg.share(s, secret));
            }
            PublicKey key = ckg.combine(pkShares);
            long keySetup = System.nanoTime() - t0;

            ThresholdSetup tsetup = t == null ? null : thresholdSetup(key, secrets);

            // each party: random update in [-1, 1], encrypt, serialize; coordinator: deserialize, add
            VectorEncryptor encryptor = new VectorEncryptor(ctx, key, SecretRandom::create);
            WireCodec codec = new WireCodec(ctx);
            StreamingAccumulator acc = new StreamingAccumulator(ctx, key.keyId(), chunks);
            double[] expected = new double[n];
            SplittableRandom rnd = new SplittableRandom();
            long encrypt = 0;
            long serialize = 0;
            long aggregate = 0;
            long wireBytes = 0;
            for (int i = 0; i < k; i++) {
                double[] update = new double[n];
                for (int j = 0; j < n; j++) {
                    update[j] = rnd.nextDouble(-1.0, 1.0);
                    expected[j] += update[j];
                }
                long a = System.nanoTime();
                List<Ciphertext> cts = encryptor.encrypt(update, 1.0, pool, threads);
                long b = System.nanoTime();
                List<byte[]> wire = parallel(cts, codec::encodeCiphertext);
                long c = System.nanoTime();
                parallel(wire, bytes -> {
                    acc.add(codec.decodeCiphertext(bytes));
                    return Boolean.TRUE;
                });
                long d = System.nanoTime();
                encrypt += b - a;
                serialize += c - b;
                aggregate += d - c;
                for (byte[] w : wire) {
                    wireBytes += w.length;
                }
            }
            List<Ciphertext> aggregateCts = acc.result();

            Decryption dec = t == null ? decryptAll(key, secrets, flooding, aggregateCts)
                    : decryptThreshold(key, tsetup, flooding, aggregateCts);

            double maxError = 0;
            for (int j = 0; j < n; j++) {
                maxError = Math.max(maxError, Math.abs(dec.values[j] - expected[j]));
            }
            double bound = NoiseBudget.maxDecodedError(ctx, k, k, dec.holders, flooding);

            out.printf(Locale.ROOT, "%-44s %12s %12s %16s %16s%n", "step", "wall total", "per party", "per ciphertext",
                    "per 4096 values*");
            row("key setup (seed, shares, public key)", keySetup, k, 0);
            if (tsetup != null) {
                row("threshold setup (deal, seal, open, sum)", tsetup.nanos, k, 0);
            }
            row("encrypt (every party)", encrypt, k, (long) chunks * k);
            row("serialize (every party)", serialize, k, (long) chunks * k);
            row("aggregate (deserialize + add)", aggregate, k, (long) chunks * k);
            row("decryption shares (" + dec.holders + " holders)", dec.shareNanos, dec.holders, (long) chunks * dec.holders);
            row("combine + decode", dec.combineNanos, 1, chunks);
            out.printf(Locale.ROOT, "wall-clock times with %d threads; * per ciphertext x 4096/%d: the cost when updates"
                    + " fill whole ciphertexts (this run filled %d of %d slots)%n", threads, ctx.n(), n, (long) chunks * ctx.n());
            out.printf(Locale.ROOT, "wire: %.2f bytes per encrypted value (%d bytes per ciphertext of %d values)%n",
                    (double) wireBytes / ((double) n * k), codec.ciphertextBytes(), ctx.n());
            if (tsetup != null) {
                out.printf(Locale.ROOT, "threshold setup: each holder sends %d sealed Shamir shares of %d bytes"
                        + " (%.1f MB per holder, once per key)%n", k - 1, tsetup.sealedBytes, (k - 1) * tsetup.sealedBytes / 1e6);
            }
            out.printf(Locale.ROOT, "max |decrypted - plaintext sum|: %.3e (guaranteed bound %.3e; flooding 2^%d)%n",
                    maxError, bound, flooding.bits());
            out.flush();
        }

        /** The holders' threshold key shares and what setting them up cost. */
        private record ThresholdSetup(Threshold threshold, List<ThresholdKeyShare> shares, long nanos, int sealedBytes) {
        }

        /**
         * Every holder deals one sealed Shamir share to every holder (itself included, unsealed
         * cost is the same order); recipients open and sum. Dealers run in parallel.
         */
        private ThresholdSetup thresholdSetup(PublicKey key, List<KeyShare> secrets) {
            Threshold threshold = Threshold.of(key, t);
            List<KeyPair> kits = new ArrayList<>(); // stand-ins for the kit certificates' P-256 keys
            for (int i = 0; i < k; i++) {
                kits.add(p256());
            }
            Thresholdizer thresholdizer = new Thresholdizer(ctx, threshold);
            ThresholdWireCodec codec = new ThresholdWireCodec(ctx);
            EcdhShareSealer sealer = new EcdhShareSealer();
            List<Thresholdizer.Collector> collectors = new ArrayList<>();
            List<EcdhShareOpener> openers = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                collectors.add(thresholdizer.collector(party(j)));
                openers.add(new EcdhShareOpener(kits.get(j)));
            }
            AtomicLong sealedBytes = new AtomicLong();
            List<Integer> dealers = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                dealers.add(i);
            }
            long a = System.nanoTime();
            ThreadLocal<SecretRandom> randoms = ThreadLocal.withInitial(SecretRandom::create);
            parallel(dealers, i -> {
                Thresholdizer.Dealing dealing = thresholdizer.deal(secrets.get(i), randoms.get());
                for (int j = 0; j < k; j++) {
                    SealLabel label = new SealLabel(JOB, party(i), party(j));
                    byte[] sealed = sealer.seal(label, kits.get(j).getPublic(),
                            codec.encodeShamirShare(dealing.shareFor(party(j))));
                    sealedBytes.set(sealed.length);
                    // recipient j: open and add (collectors are per recipient, not thread-safe)
                    var share = codec.decodeShamirShare(openers.get(j).open(label, sealed));
                    Thresholdizer.Collector c = collectors.get(j);
                    synchronized (c) {
                        c.add(share);
                    }
                }
                dealing.destroy();
                return Boolean.TRUE;
            });
            List<ThresholdKeyShare> shares = new ArrayList<>();
            for (Thresholdizer.Collector c : collectors) {
                shares.add(c.finish());
            }
            return new ThresholdSetup(threshold, shares, System.nanoTime() - a, (int) sealedBytes.get());
        }

        private record Decryption(double[] values, int holders, long shareNanos, long combineNanos) {
        }

        /** N-of-N: every holder answers every chunk; in batches so that K x batch shares fit in memory. */
        private Decryption decryptAll(PublicKey key, List<KeyShare> secrets, FloodingNoise flooding,
                                      List<Ciphertext> aggregateCts) {
            DecryptionCombiner combiner = new DecryptionCombiner(ctx, key, flooding);
            List<DecryptionLedger> ledgers = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                ledgers.add(new InMemoryDecryptionLedger());
            }
            // holders are single-threaded (own random stream): one set per worker thread, ledgers shared
            ThreadLocal<List<KeyShareHolder>> holders = ThreadLocal.withInitial(() -> {
                List<KeyShareHolder> hs = new ArrayList<>(k);
                for (int i = 0; i < k; i++) {
                    hs.add(new KeyShareHolder(ctx, secrets.get(i), key, ledgers.get(i), flooding, k, SecretRandom.create()));
                }
                return hs;
            });
            return decrypt(aggregateCts, k, ct -> {
                List<DecryptionShare> perCt = new ArrayList<>(k);
                for (KeyShareHolder h : holders.get()) {
                    perCt.add(h.decryptionShare(ct));
                }
                return perCt;
            }, (ct, shares) -> combiner.combine(ct, shares));
        }

        /**
         * t-of-N: D random holders do not answer; the coordinator forms the active set from the
         * rest ({@link Threshold#choose} throws, naming the silent holders, when fewer than t answer).
         */
        private Decryption decryptThreshold(PublicKey key, ThresholdSetup setup, FloodingNoise flooding,
                                            List<Ciphertext> aggregateCts) {
            List<String> responsive = new ArrayList<>(setup.threshold().parties());
            Collections.shuffle(responsive, new Random());
            responsive = responsive.subList(0, k - dropouts);
            ActiveSet set = setup.threshold().choose(responsive);
            ThresholdCombiner combiner = new ThresholdCombiner(ctx, key, setup.threshold(), flooding);
            List<ThresholdKeyShare> members = new ArrayList<>();
            List<DecryptionLedger> ledgers = new ArrayList<>();
            for (ThresholdKeyShare s : setup.shares()) {
                if (set.members().contains(s.partyId())) {
                    members.add(s);
                    ledgers.add(new InMemoryDecryptionLedger());
                }
            }
            ThreadLocal<List<ThresholdShareHolder>> holders = ThreadLocal.withInitial(() -> {
                List<ThresholdShareHolder> hs = new ArrayList<>(members.size());
                for (int m = 0; m < members.size(); m++) {
                    hs.add(new ThresholdShareHolder(ctx, members.get(m), key, ledgers.get(m), flooding, k,
                            SecretRandom.create()));
                }
                return hs;
            });
            return decrypt(aggregateCts, members.size(), ct -> {
                List<ThresholdDecryptionShare> perCt = new ArrayList<>(members.size());
                for (ThresholdShareHolder h : holders.get()) {
                    perCt.add(h.decryptionShare(ct, set));
                }
                return perCt;
            }, (ct, shares) -> combiner.combine(ct, set, shares));
        }

        private <S> Decryption decrypt(List<Ciphertext> aggregateCts, int holders, Function<Ciphertext, List<S>> share,
                                       java.util.function.BiFunction<Ciphertext, List<S>, double[]> combine) {
            int batch = Math.max(1, Math.min(chunks, 8192 / holders));
            double[] decrypted = new double[n];
            long sharesTime = 0;
            long combineTime = 0;
            for (int from = 0; from < chunks; from += batch) {
                List<Ciphertext> slice = aggregateCts.subList(from, Math.min(chunks, from + batch));
                long a = System.nanoTime();
                List<List<S>> shares = parallel(slice, share);
                long b = System.nanoTime();
                List<Integer> idx = new ArrayList<>();
                for (int s = 0; s < slice.size(); s++) {
                    idx.add(s);
                }
                parallel(idx, s -> {
                    Ciphertext ct = slice.get(s);
                    double[] part = combine.apply(ct, shares.get(s));
                    System.arraycopy(part, 0, decrypted, ct.chunk() * ctx.n(), part.length);
                    return Boolean.TRUE;
                });
                sharesTime += b - a;
                combineTime += System.nanoTime() - b;
            }
            return new Decryption(decrypted, holders, sharesTime, combineTime);
        }

        /** perCiphertext: how many ciphertext operations the step did (0: not a per-ciphertext step). */
        private void row(String step, long nanos, int perParty, long perCiphertext) {
            double perCt = perCiphertext > 0 ? (double) nanos / perCiphertext : Double.NaN;
            out.printf(Locale.ROOT, "%-44s %12s %12s %16s %16s%n", step, millis(nanos),
                    perParty > 1 ? millis((double) nanos / perParty) : "",
                    Double.isNaN(perCt) ? "" : micros(perCt),
                    Double.isNaN(perCt) ? "" : micros(perCt * 4096 / ctx.n()));
        }

        private static String millis(double nanos) {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }

        private static String micros(double nanos) {
            return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
        }

        private <A, B> List<B> parallel(List<A> items, Function<A, B> f) {
            List<Future<List<B>>> futures = new ArrayList<>();
            int tasks = Math.max(1, Math.min(threads, items.size()));
            for (int task = 0; task < tasks; task++) {
                int from = (int) ((long) items.size() * task / tasks);
                int to = (int) ((long) items.size() * (task + 1) / tasks);
                futures.add(pool.submit(() -> {
                    List<B> part = new ArrayList<>(to - from);
                    for (int i = from; i < to; i++) {
                        part.add(f.apply(items.get(i)));
                    }
                    return part;
                }));
            }
            List<B> out = new ArrayList<>(items.size());
            for (Future<List<B>> fu : futures) {
                out.addAll(VectorEncryptor.join(fu));
            }
            return out;
        }

        private static KeyPair p256() {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                return g.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JDK lacks EC P-256", e);
            }
        }

        private static String party(int i) {
            return "site-" + i;
        }
    }
}
