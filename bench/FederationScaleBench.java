import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.medveil.cli.job.JobClient;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.audit.AuditSigner;
import org.medveil.governance.classify.ImagingCategory;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.dua.DataUseAgreement;
import org.medveil.governance.dua.DuaSignature;
import org.medveil.governance.job.DataSelection;
import org.medveil.governance.job.JobSpec;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kit;
import org.medveil.proto.admin.AdminGrpc;
import org.medveil.proto.admin.GetJobRequest;
import org.medveil.proto.admin.JobStatus;
import org.medveil.proto.admin.RoundSummary;
import org.medveil.proto.federation.CoordinatorMessage;
import org.medveil.proto.rounds.RoundsMessage;
import org.medveil.site.CoordinatorChannel;
import org.medveil.site.FederationClient;
import org.medveil.site.SiteInit;
import org.medveil.site.SiteNode;
import org.medveil.site.SiteSettings;
import org.medveil.site.config.SiteConfig;
import org.medveil.site.federation.LocalTraining;
import org.medveil.site.jobs.SiteJobs;
import org.medveil.site.training.StoreLocalTraining;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.Secret;
import org.medveil.site.store.SiteKeystore;

/**
 * The sites and the researcher of one federation-scale run (bench/federation-scale.sh), against a
 * coordinator daemon that runs in its own process. In this JVM:
 * <ul>
 *   <li>a counting TCP proxy in front of the coordinator's port: the sites dial the proxy, so every
 *       byte between sites and coordinator (TLS records, both directions) is counted;</li>
 *   <li>N site federation clients, each as the site node wires it: a site folder made by
 *       {@code SiteInit.create} (keystore, store, signed audit log, site.yaml with an auto-approval
 *       rule for research up to grade 3), {@code SiteJobs} (offer checks, use request, participants
 *       with the file key vault and decryption ledger, the Transfer service for bulk data) and a
 *       {@code FederationClient} over mTLS with the site's provisioned kit. Only the
 *       {@link LocalTraining} is the bench's: {@link SyntheticTraining} declares N_SAMPLES
 *       selectable CT objects at grade 2 and returns a seeded random update;</li>
 *   <li>the researcher: signed data use agreements per site (its data manager and the researcher),
 *       {@code JobClient.submit} of the job (initial model from the zoo spec), then the job's watch
 *       stream until it ends.</li>
 * </ul>
 * Output: "key value..." lines on stdout, read by the script. Exit 1 with one line on stderr when
 * the job does not complete.
 * <p>
 * Usage: java -cp medveil.jar bench/FederationScaleBench.java PROJECT WORK COORDINATOR_PORT SITES MODEL ROUNDS HE
 * <br>MODEL is a zoo spec ({@code cnn:input=32}) or {@code params=P}: the cnn whose parameter count is nearest P.
 * HE is a parameter set name ({@code n8192}) or {@code plaintext}.
 */
public class FederationScaleBench {

    static final long N_SAMPLES = 200;

    public static void main(String[] args) throws Exception {
        Path project = Path.of(args[0]).toAbsolutePath();
        Path work = Path.of(args[1]).toAbsolutePath();
        int coordinatorPort = Integer.parseInt(args[2]);
        int sites = Integer.parseInt(args[3]);
        String model = args[4].startsWith("params=") ? cnnNear(Long.parseLong(args[4].substring(7))) : args[4];
        int rounds = Integer.parseInt(args[5]);
        String he = args[6];

        CountingProxy proxy = new CountingProxy(coordinatorPort);
        Timeline timeline = new Timeline(sites, proxy);
        List<AutoCloseable> open = new ArrayList<>();
        List<FederationClient> clients = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try {
            for (int i = 1; i <= sites; i++) {
                String name = "site-" + i;
                names.add(name);
                clients.add(startSite(work.resolve("sites").resolve(name), project.resolve("sites").resolve(name), i,
                        proxy.port(), timeline, open));
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (clients.stream().anyMatch(c -> c.state() != FederationClient.State.CONNECTED)) {
                if (System.nanoTime() > deadline) {
                    fail("not every site connected to the coordinator within 60 s; see the log lines above");
                }
                Thread.sleep(100);
            }

            Kit rita = Kit.load(project.resolve("users/rita"));
            ManagedChannel researcher = CoordinatorChannel.forKit(rita,
                    HostNames.parse("localhost:" + coordinatorPort)).open();
            open.add(researcher::shutdownNow);
            List<org.medveil.proto.admin.SiteAgreement> agreements = new ArrayList<>();
            for (int i = 1; i <= sites; i++) {
                agreements.add(JobClient.agreement(agreement(work, project, i)));
            }
            JobSpec spec = JobSpec.parse(jobYaml(names, model, rounds, he), "federation-scale job");
            long parameters = JobClient.initialParameters(spec, null).length;
            System.out.printf(Locale.ROOT, "model %s%nparameters %d%n", model, parameters);
            long before = proxy.total();
            String jobId = JobClient.submit(researcher, spec, null, agreements, CertifiedKey.of(rita), Instant.now()).getJobId();
            JobStatus last = null;
            Iterator<JobStatus> watch = AdminGrpc.newBlockingStub(researcher)
                    .watchJob(GetJobRequest.newBuilder().setJobId(jobId).build());
            while (watch.hasNext()) {
                last = watch.next();
            }
            if (last == null || !"completed".equals(last.getState())) {
                timeline.partial();
                fail("job " + jobId + " did not complete: " + (last == null ? "no status"
                        : last.getState() + " " + last.getReason()));
            }
            // the job ends when the coordinator sent the last round's result; let every site receive it
            long until = System.nanoTime() + 30_000_000_000L;
            while (!timeline.allReceived(rounds) && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            timeline.report(last, proxy.total() - before);
            System.out.printf(Locale.ROOT, "sites_cpu %.1f%n", ((com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9);
        } finally {
            for (int i = clients.size() - 1; i >= 0; i--) {
                clients.get(i).close();
            }
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    // stopping anyway
                }
            }
            proxy.close();
        }
    }

    static void fail(String why) {
        System.err.println("federation-scale: " + why);
        System.exit(1);
    }

    /** The zoo cnn ({@code ModelZoo}: 90f² + 16f + (4f+3)·dense + 2 parameters, 2 classes) nearest to {@code p}. */
    static String cnnNear(long p) {
        long best = Long.MAX_VALUE;
        String spec = null;
        for (int f = 1; f <= 256; f++) {
            long fixed = 90L * f * f + 16L * f + 2;
            long d = Math.max(1, Math.min(4096, Math.round((double) (p - fixed) / (4 * f + 3))));
            long err = Math.abs(fixed + (4L * f + 3) * d - p);
            if (err < best) {
                best = err;
                spec = "cnn:input=32,filters=" + f + ",dense=" + d;
            }
        }
        return spec;
    }

    /** One site as SiteNode wires its federation part, with the bench's training; returns its client. */
    static FederationClient startSite(Path dir, Path kitDir, int index, int proxyPort, Timeline timeline,
            List<AutoCloseable> open) throws IOException {
        String name = "site-" + index;
        SiteInit.Result init = SiteInit.create(dir, name, 11112);
        Files.writeString(init.config(), Files.readString(init.config())
                .replaceFirst("(?m)^(\\s*enabled:) true", "$1 false")
                .replaceFirst("(?s)autoApprove:.*$", "autoApprove:\n  - purpose: research\n    maxGrade: 3\n"
                        + "    datasets: [" + SiteNode.DEFAULT_DATASET + "]\n"));
        SiteConfig config = SiteConfig.load(init.config());
        Kit kit = Kit.load(kitDir);
        var st = config.store();
        SiteKeystore keystore = SiteKeystore.open(st.keystore(), Secret.parse(st.keystorePassword().toString()));
        ObjectStore store = ObjectStore.open(st.dataFolder(), keystore);
        open.add(store);
        AuditLog audit = AuditLog.open(st.dataFolder().resolve("audit"), AuditSigner.of(kit));
        open.add(audit);
        String target = "localhost:" + proxyPort;
        ManagedChannel bulk = CoordinatorChannel.forKit(kit, HostNames.parse(target)).open();
        open.add(bulk::shutdownNow);
        SiteJobs jobs = new SiteJobs();
        open.add(jobs);
        FederationClient[] client = new FederationClient[1];
        jobs.connect(kit, config, store, audit, new SyntheticTraining(index, timeline, name,
                StoreLocalTraining.profileDigest(config.deidProfile().source())), () -> client[0],
                Clock.systemUTC(), keystore, bulk);
        FederationClient.MessageHandler timed = new FederationClient.MessageHandler() {
            @Override
            public void onMessage(CoordinatorMessage m) {
                if (m.getBodyCase() == CoordinatorMessage.BodyCase.ROUNDS) {
                    timeline.received(name, m.getRounds());
                }
                jobs.onMessage(m);
            }

            @Override
            public void onConnected() {
                jobs.onConnected();
            }
        };
        client[0] = FederationClient.start(kit, SiteSettings.DEFAULTS.withCoordinator(target).withBackoff(200, 2000),
                timed, SiteJobs.CAPABILITIES);
        return client[0];
    }

    /** Site i's agreement, signed by its data manager and the researcher (period from yesterday, one year). */
    static Path agreement(Path work, Path project, int i) throws IOException {
        Path file = work.resolve("agreements").resolve("dua-site-" + i + ".yaml");
        Files.createDirectories(file.getParent());
        LocalDate today = LocalDate.now();
        Files.writeString(file, String.format(Locale.ROOT, """
                id: dua-bench-%d
                project: bench
                parties: {site: site-%d, dataManager: dm-%d, researcher: rita, organisation: Bench University}
                purpose: research
                waysOfUse: [federated-training, evaluation]
                period: {from: %s, to: %s}
                protection: [de-identification to grade 3 or lower, HE-encrypted updates only]
                breachPlan:
                  contact: dpo@site-%d.example
                  steps: [stop the job, notify the data manager within 24 h]
                dataScope: {modalities: [CT], categories: [clinical-structural], maxGrade: 3}
                """, i, i, i, today.minusDays(1), today.plusYears(1), i));
        DataUseAgreement dua = DataUseAgreement.read(file);
        DuaSignature.sign(dua, Kit.load(project.resolve("users/dm-" + i))).write(file);
        DuaSignature.sign(dua, Kit.load(project.resolve("users/rita"))).write(file);
        return file;
    }

    static String jobYaml(List<String> sites, String model, int rounds, String he) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, """
                name: federation-scale
                project: bench
                model: "%s"
                seed: 1
                rounds: %d
                local: {epochs: 1, batchSize: 32, learningRate: 0.002}
                strategy: {name: fedavg}
                minSites: %d
                roundTimeoutSeconds: 7200
                he: %s
                selection: {modalities: [CT], categories: [clinical-structural], maxGrade: 3, purpose: research}
                sites:
                """, model, rounds, sites.size(), he));
        for (int i = 0; i < sites.size(); i++) {
            s.append("  - {site: ").append(sites.get(i)).append(", dua: dua-bench-").append(i + 1).append("}\n");
        }
        return s.toString();
    }

    /**
     * The bench's local training: declares N_SAMPLES selectable CT objects at grade 2 (what a site
     * store's summary would report for the job's selection; the site's real de-identification profile
     * digest, and as dataset root the SHA-256 of "bench-synthetic dataset of SITE") and returns, per round, a seeded
     * Gaussian update of the global model's size with standard deviation 1e-3 (the size of one
     * epoch of Adam steps at learning rate 0.002), plus plausible held-out metrics. No DL4J, no data.
     */
    static final class SyntheticTraining implements LocalTraining {
        private final int index;
        private final Timeline timeline;
        private final String site;
        private final String profileDigest;

        SyntheticTraining(int index, Timeline timeline, String site, String profileDigest) {
            this.index = index;
            this.timeline = timeline;
            this.site = site;
            this.profileDigest = profileDigest;
        }

        @Override
        public DataSummary summarize(DataSelection selection) {
            return new DataSummary(List.of(new CategoryGradeCount(ImagingCategory.CLINICAL_STRUCTURAL.name(), 2,
                    N_SAMPLES)), profileDigest, Sha256.hex(("bench-synthetic dataset of " + site)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }

        /** Synthetic training ignores the model; the bench's jobs name the zoo CNN. */
        @Override
        public void checkModel(String engine, String modelSpec) {
        }

        @Override
        public TrainingOutcome train(TrainingRequest r) {
            timeline.mark("train-start", r.round(), site);
            SplittableRandom rnd = new SplittableRandom(1_000_003L * index + r.round());
            float[] delta = new float[r.global().length];
            for (int j = 0; j < delta.length; j++) {
                delta[j] = (float) (rnd.nextGaussian() * 1e-3);
            }
            long[] pos = new long[TrainingOutcome.SCORE_BINS];
            long[] neg = new long[TrainingOutcome.SCORE_BINS];
            for (int i = 0; i < 20; i++) {
                pos[40 + rnd.nextInt(60)]++;
                neg[rnd.nextInt(70)]++;
            }
            timeline.mark("train-end", r.round(), site);
            return new TrainingOutcome(delta, N_SAMPLES, 0.4, 15, 4, 16, 5, pos, neg);
        }
    }

    /**
     * When each site saw each step of each round (epoch nanoseconds), and the proxy's byte count
     * when a round began (first site got its RoundStart) and ended (last site got its RoundResult).
     */
    static final class Timeline {
        private final int sites;
        private final CountingProxy proxy;
        private final Map<String, Long> at = new ConcurrentHashMap<>();
        private final Map<String, Integer> count = new ConcurrentHashMap<>();
        private final Map<Integer, long[]> bytes = new ConcurrentHashMap<>();

        Timeline(int sites, CountingProxy proxy) {
            this.sites = sites;
            this.proxy = proxy;
        }

        static long now() {
            Instant i = Instant.now();
            return i.getEpochSecond() * 1_000_000_000L + i.getNano();
        }

        /** Records the first and the last time a step was seen (over sites). */
        void mark(String step, int round, String site) {
            long t = now();
            at.merge(step + "/" + round + "/first", t, Math::min);
            at.merge(step + "/" + round + "/last", t, Math::max);
            count.merge(step + "/" + round, 1, Integer::sum);
        }

        void received(String site, RoundsMessage m) {
            switch (m.getBodyCase()) {
                case ROUND_START -> {
                    int r = m.getRoundStart().getRound();
                    bytes.computeIfAbsent(r, x -> new long[] {proxy.total(), -1});
                    mark("start", r, site);
                }
                case DECRYPTION_REQUEST -> mark("decryption-request", m.getDecryptionRequest().getRound(), site);
                case CHALLENGE_ANSWER -> mark("challenge-answer", m.getChallengeAnswer().getRound(), site);
                case ROUND_RESULT -> {
                    int r = m.getRoundResult().getRound();
                    mark("result", r, site);
                    if (count.get("result/" + r) == sites) {
                        bytes.get(r)[1] = proxy.total();
                    }
                }
                default -> { }
            }
        }

        /** For a job that failed: when each step of each round was first and last seen, seconds from the round's start. */
        void partial() {
            for (int r : new TreeSet<>(bytes.keySet())) {
                long t0 = at.get("start/" + r + "/first");
                StringBuilder b = new StringBuilder("round index " + r + " (s from its start, first/last site):");
                for (String step : List.of("start", "train-start", "train-end", "decryption-request", "challenge-answer",
                        "result")) {
                    Long f = at.get(step + "/" + r + "/first");
                    Long l = at.get(step + "/" + r + "/last");
                    if (f != null) {
                        b.append(String.format(Locale.ROOT, " %s %.1f/%.1f (%d sites)", step, (f - t0) / 1e9,
                                (l - t0) / 1e9, count.get(step + "/" + r)));
                    }
                }
                b.append(String.format(Locale.ROOT, "; job ended %.1f", (now() - t0) / 1e9));
                System.err.println(b);
            }
        }

        /** Whether every site got the result of as many rounds as the job has. */
        boolean allReceived(int rounds) {
            return bytes.size() == rounds && bytes.values().stream().allMatch(b -> b[1] >= 0);
        }

        private double seconds(String a, String b) {
            Long x = at.get(a);
            Long y = at.get(b);
            return x == null || y == null ? Double.NaN : (y - x) / 1e9;
        }

        /** Prints one line per round and the job's totals. */
        void report(JobStatus job, long jobBytes) {
            List<Integer> rounds = new ArrayList<>(new TreeSet<>(bytes.keySet()));
            List<RoundSummary> summaries = new ArrayList<>(job.getRoundSummariesList());
            summaries.sort((a, b) -> Integer.compare(a.getRound(), b.getRound()));
            if (summaries.size() != rounds.size()) {
                fail("the job reports " + summaries.size() + " rounds but the sites saw " + rounds.size());
            }
            for (int i = 0; i < rounds.size(); i++) {
                int r = rounds.get(i);
                RoundSummary s = summaries.get(i);
                double wall = (s.getFinished().getSeconds() - s.getStarted().getSeconds())
                        + (s.getFinished().getNanos() - s.getStarted().getNanos()) / 1e9;
                long[] b = bytes.get(r);
                boolean he = at.containsKey("decryption-request/" + r + "/first");
                // phases as the sites saw them: last site done with a step -> first site sees the next
                double download = seconds("start/" + r + "/first", "train-start/" + r + "/last");
                double train = seconds("train-start/" + r + "/first", "train-end/" + r + "/last") ;
                double upload = seconds("train-end/" + r + "/last", (he ? "decryption-request/" : "result/") + r + "/first");
                double verify = he ? seconds("decryption-request/" + r + "/first", "challenge-answer/" + r + "/first") : 0;
                double decrypt = he ? seconds("challenge-answer/" + r + "/first", "result/" + r + "/first") : 0;
                System.out.printf(Locale.ROOT, "round %d wall %.3f bytes %d download %.3f train %.3f upload %.3f verify %.3f decrypt %.3f%n", s.getRound(), wall,
                        b[1] < 0 ? -1 : b[1] - b[0], download, train, upload, verify,
                        decrypt);
            }
            System.out.printf(Locale.ROOT, "job_bytes %d%n", jobBytes);
        }
    }

    /** Relays TCP connections from a local port to the coordinator and counts the bytes both ways. */
    static final class CountingProxy implements AutoCloseable {
        private final ServerSocket server;
        private final AtomicLong up = new AtomicLong();
        private final AtomicLong down = new AtomicLong();
        private final List<Socket> sockets = new ArrayList<>();

        CountingProxy(int targetPort) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket in = server.accept();
                        Socket out = new Socket();
                        out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
                        in.setTcpNoDelay(true);
                        out.setTcpNoDelay(true);
                        synchronized (sockets) {
                            sockets.add(in);
                            sockets.add(out);
                        }
                        pump(in, out, up);
                        pump(out, in, down);
                    } catch (IOException e) {
                        if (!server.isClosed()) {
                            System.err.println("proxy: " + e);
                        }
                    }
                }
            }, "proxy-accept");
            accept.setDaemon(true);
            accept.start();
        }

        private static void pump(Socket from, Socket to, AtomicLong counter) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[256 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                        counter.addAndGet(n);
                    }
                } catch (IOException e) {
                    // the other side closed
                } finally {
                    try {
                        from.close();
                        to.close();
                    } catch (IOException e) {
                        // closing
                    }
                }
            }, "proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        long total() {
            return up.get() + down.get();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }
}
