package org.medveil.cli.he;

import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
import org.medveil.he.ring.Prng;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.he.rlwe.PublicKey;
import org.medveil.he.rlwe.VectorEncryptor;
import org.medveil.he.wire.WireCodec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code medveil he bench}: runs one aggregation round on random data, like {@code openssl speed},
 * so operators can size hardware: K parties each encrypt an N-value update, the coordinator
 * deserializes and adds the ciphertexts as they stream in, every party returns its decryption
 * shares, and the coordinator combines and decodes. Prints wall-clock time per step, bytes on
 * the wire and the largest error against the plaintext sum.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time one encrypted aggregation round on random data (like 'openssl speed').",
                "Steps: key setup, encrypt, serialize, aggregate (deserialize + add), decryption shares,",
                "combine + decode. Memory stays bounded: parties are processed one after the other."})
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
            description = "Parameter set: " + Params.DEFAULT_NAME + " (default) or " + Params.LARGE_NAME + ".")
    String paramSet;

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
        ExecutorService pool = Executors.newFixedThreadPool(t);
        try {
            HeContext ctx = new HeContext(params);
            if (!noWarmup) {
                PrintWriter discard = new PrintWriter(java.io.Writer.nullWriter());
                new Round(ctx, Math.min(values, 64 * ctx.n()), Math.min(parties, 3), t, pool, discard).run();
            }
            new Round(ctx, values, parties, t, pool, spec.commandLine().getOut()).run();
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
    }

    /** One benchmark round; holds its timings. */
    private static final class Round {
        private final HeContext ctx;
        private final int n;
        private final int k;
        private final int threads;
        private final ExecutorService pool;
        private final PrintWriter out;

        Round(HeContext ctx, int n, int k, int threads, ExecutorService pool, PrintWriter out) {
            this.ctx = ctx;
            this.n = n;
            this.k = k;
            this.threads = threads;
            this.pool = pool;
            this.out = out;
        }

        void run() {
            Params p = ctx.params();
            int chunks = (n + ctx.n() - 1) / ctx.n();
            out.printf(Locale.ROOT, "medveil he bench: %d values x %d parties, %d threads, params %s "
                            + "(N=%d, log2 Q=%d, scale 2^%d, %d ciphertexts per update)%n",
                    n, k, threads, p.name(), p.n(), p.logQ(), p.logScale(), chunks);

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
            Prng prng = Prng.secure();
            for (int i = 0; i < k; i++) {
                KeyShare s = KeyShare.generate(ctx, party(i), prng);
                secrets.add(s);
                pkShares.add(ckg.share(s, prng));
            }
            PublicKey key = ckg.combine(pkShares);
            long keySetup = System.nanoTime() - t0;

            // each party: random update in [-1, 1], encrypt, serialize; coordinator: deserialize, add
            VectorEncryptor encryptor = new VectorEncryptor(ctx, key, Prng::secure);
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

            // decryption shares and combination, in batches so that K x batch shares fit in memory
            DecryptionCombiner combiner = new DecryptionCombiner(ctx, key);
            List<DecryptionLedger> ledgers = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                ledgers.add(new InMemoryDecryptionLedger());
            }
            // holders are single-threaded (own PRNG): one set per worker thread, ledgers shared
            ThreadLocal<List<KeyShareHolder>> holders = ThreadLocal.withInitial(() -> {
                List<KeyShareHolder> hs = new ArrayList<>(k);
                for (int i = 0; i < k; i++) {
                    hs.add(new KeyShareHolder(ctx, secrets.get(i), key, ledgers.get(i), FloodingNoise.DEFAULT, k,
                            Prng.secure()));
                }
                return hs;
            });
            int batch = Math.max(1, Math.min(chunks, 8192 / k));
            double[] decrypted = new double[n];
            long sharesTime = 0;
            long combineTime = 0;
            for (int from = 0; from < chunks; from += batch) {
                List<Ciphertext> slice = aggregateCts.subList(from, Math.min(chunks, from + batch));
                long a = System.nanoTime();
                List<List<DecryptionShare>> shares = parallel(slice, ct -> {
                    List<DecryptionShare> perCt = new ArrayList<>(k);
                    for (KeyShareHolder h : holders.get()) {
                        perCt.add(h.decryptionShare(ct));
                    }
                    return perCt;
                });
                long b = System.nanoTime();
                List<Integer> idx = new ArrayList<>();
                for (int s = 0; s < slice.size(); s++) {
                    idx.add(s);
                }
                parallel(idx, s -> {
                    Ciphertext ct = slice.get(s);
                    double[] part = combiner.combine(ct, shares.get(s));
                    System.arraycopy(part, 0, decrypted, ct.chunk() * ctx.n(), part.length);
                    return Boolean.TRUE;
                });
                sharesTime += b - a;
                combineTime += System.nanoTime() - b;
            }

            double maxError = 0;
            for (int j = 0; j < n; j++) {
                maxError = Math.max(maxError, Math.abs(decrypted[j] - expected[j]));
            }
            double bound = NoiseBudget.maxAbsoluteError(ctx, k, k, FloodingNoise.DEFAULT);

            double per4096 = 4096.0 / n;
            out.printf(Locale.ROOT, "%-40s %12s %14s %18s%n", "step", "wall total", "per party", "wall per 4096 values");
            row("key setup (seed, shares, public key)", keySetup, k, Double.NaN);
            row("encrypt (every party)", encrypt, k, per4096 / k);
            row("serialize (every party)", serialize, k, per4096 / k);
            row("aggregate (deserialize + add)", aggregate, k, per4096 / k);
            row("decryption shares (every party)", sharesTime, k, per4096 / k);
            row("combine + decode", combineTime, 1, per4096);
            out.printf(Locale.ROOT, "wire: %.2f bytes per encrypted value (%d bytes per ciphertext of %d values)%n",
                    (double) wireBytes / ((double) n * k), codec.ciphertextBytes(), ctx.n());
            out.printf(Locale.ROOT, "max |decrypted - plaintext sum|: %.3e (guaranteed bound %.3e; flooding sigma 2^%d)%n",
                    maxError, bound, Math.getExponent(FloodingNoise.DEFAULT.sigma()));
            out.flush();
        }

        private void row(String step, long nanos, int perParty, double perValueFactor) {
            out.printf(Locale.ROOT, "%-40s %12s %14s %18s%n", step, millis(nanos),
                    perParty > 1 ? millis(nanos / perParty) : "",
                    Double.isNaN(perValueFactor) ? "" : micros(nanos * perValueFactor));
        }

        private static String millis(double nanos) {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }

        private static String micros(double nanos) {
            return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
        }

        private <A, B> List<B> parallel(List<A> items, java.util.function.Function<A, B> f) {
            List<Future<List<B>>> futures = new ArrayList<>();
            int tasks = Math.max(1, Math.min(threads, items.size()));
            for (int t = 0; t < tasks; t++) {
                int from = (int) ((long) items.size() * t / tasks);
                int to = (int) ((long) items.size() * (t + 1) / tasks);
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

        private static String party(int i) {
            return "site-" + i;
        }
    }
}
