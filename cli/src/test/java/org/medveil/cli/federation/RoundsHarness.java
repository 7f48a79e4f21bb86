package org.medveil.cli.federation;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import org.medveil.coordinator.rounds.JobPlan;
import org.medveil.coordinator.rounds.JobRun;
import org.medveil.coordinator.rounds.ObjectStore;
import org.medveil.coordinator.rounds.RoundListener;
import org.medveil.coordinator.rounds.ServerStrategy;
import org.medveil.coordinator.rounds.SiteLinks;
import org.medveil.governance.classify.ImagingCategory;
import org.medveil.governance.consent.Purpose;
import org.medveil.governance.crypto.CertificateVerifier;
import org.medveil.governance.crypto.KitSigner;
import org.medveil.governance.job.DataSelection;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.governance.pki.RevocationList;
import org.medveil.proto.rounds.RoundResult;
import org.medveil.proto.rounds.RoundsMessage;
import org.medveil.site.federation.InMemoryKeyVault;
import org.medveil.site.federation.JobParticipant;
import org.medveil.site.federation.LocalTraining;
import org.medveil.site.federation.Transfers;

/**
 * In-process federation for the rounds tests: real provisioned kits (ECDSA P-256 certificates
 * under the project CA), one {@link JobParticipant} per site with a real file ledger, a
 * {@link JobRun} at the coordinator, bulk objects in one shared map, and a loopback transport
 * that delivers each site's messages in order on its own thread and can drop chosen messages
 * (a site that goes silent).
 */
final class RoundsHarness implements AutoCloseable {

    static final List<String> SITES = List.of("hospital-a", "hospital-b", "hospital-c");
    static final String JOB = "job-7";
    static final int PARAMETERS = 4000; // with the metrics: 4206 values, two n4096 chunks

    /** One shared object map: the coordinator's store and every site's transfers. */
    static final class Objects implements ObjectStore, Transfers {
        final Map<String, List<byte[]>> objects = new ConcurrentHashMap<>();
        /** Rewrites (name, parts) as they are stored: an upload altered in transit or at rest. */
        volatile java.util.function.BiFunction<String, List<byte[]>, List<byte[]>> onPut = (n, p) -> p;

        @Override
        public void put(String name, Iterable<byte[]> parts) {
            List<byte[]> copy = new ArrayList<>();
            parts.forEach(p -> copy.add(p.clone()));
            objects.put(name, Collections.unmodifiableList(new ArrayList<>(onPut.apply(name, copy))));
        }

        @Override
        public Iterator<byte[]> get(String name) {
            List<byte[]> parts = objects.get(name);
            if (parts == null) {
                throw new NoSuchElementException("no object " + name);
            }
            return parts.stream().map(byte[]::clone).iterator();
        }

        @Override
        public boolean contains(String name) {
            return objects.containsKey(name);
        }
    }

    /** Deterministic local training: each site pulls the model towards its own target; metrics from a seeded source. */
    static final class FakeTraining implements LocalTraining {
        final String site;
        final int index;
        final Map<Integer, TrainingOutcome> outcomes = new ConcurrentHashMap<>();

        FakeTraining(String site) {
            this.site = site;
            this.index = SITES.indexOf(site);
        }

        static long samples(String site) {
            return 30 + 20L * SITES.indexOf(site);
        }

        static float[] delta(String site, float[] global) {
            int s = SITES.indexOf(site);
            float[] d = new float[global.length];
            for (int j = 0; j < d.length; j++) {
                double target = Math.sin(0.01 * j * (s + 1)) + 0.5 * s;
                d[j] = (float) (0.3 * (target - global[j]));
            }
            return d;
        }

        @Override
        public DataSummary summarize(DataSelection selection) {
            return new DataSummary(List.of(new CategoryGradeCount("CT", 2, samples(site))), "profile", "root");
        }

        /** Deterministic fake training runs any model. */
        @Override
        public void checkModel(String engine, String modelSpec) {
        }

        @Override
        public TrainingOutcome train(TrainingRequest r) {
            Random rnd = new Random(1000L * index + r.round());
            long[] pos = new long[TrainingOutcome.SCORE_BINS];
            long[] neg = new long[TrainingOutcome.SCORE_BINS];
            for (int i = 0; i < 40 + 10 * index; i++) {
                pos[Math.min(99, 40 + rnd.nextInt(60))]++;
                neg[rnd.nextInt(70)]++;
            }
            TrainingOutcome o = new TrainingOutcome(delta(site, r.global()), samples(site), 0.25 + 0.1 * index + 0.01 * r.round(),
                    20 + 3 * index + r.round(), 5 + index, 30 - index, 4 + 2 * index, pos, neg);
            outcomes.put(r.round(), o);
            return o;
        }
    }

    final Objects objects = new Objects();
    final Map<String, JobParticipant> participants = new ConcurrentHashMap<>();
    final Map<String, FakeTraining> trainings = new TreeMap<>();
    final Map<String, ExecutorService> siteThreads = new TreeMap<>();
    final Map<String, InMemoryKeyVault> vaults = new TreeMap<>();
    /** Rewrites (site, message) on its way to the site: a coordinator that tampers with what it relays. */
    volatile java.util.function.BiFunction<String, RoundsMessage, RoundsMessage> rewriteToSite = (s, m) -> m;
    /** Everything sites sent to the coordinator, in arrival order. */
    final List<Map.Entry<String, RoundsMessage>> fromSites = Collections.synchronizedList(new ArrayList<>());
    /** Everything the coordinator sent, per site. */
    final List<Map.Entry<String, RoundsMessage>> toSites = Collections.synchronizedList(new ArrayList<>());
    /** Rewrites (site, message) on its way to the coordinator: a message altered in transit. */
    volatile java.util.function.BiFunction<String, RoundsMessage, RoundsMessage> rewriteFromSite = (s, m) -> m;
    /** Drop (site, message) going to the site when true. */
    volatile BiPredicate<String, RoundsMessage> dropToSite = (s, m) -> false;
    final CertificateVerifier verifier;
    final Path dir;
    JobRun run;
    /** The job the participants serve (set before {@link #start} for a job id other than {@link #JOB}). */
    String job = JOB;
    /** Where sites' messages go instead of {@link #run} (e.g. a coordinator's RoundsRunner); null = the run. */
    volatile java.util.function.BiConsumer<String, RoundsMessage> toCoordinator;

    RoundsHarness(Path dir) {
        this.dir = dir;
        Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null, SITES, null), dir.resolve("project"),
                Clock.systemUTC());
        Kit coordinator = Kit.load(dir.resolve("project/coordinator"));
        verifier = new CertificateVerifier(coordinator.caCertificate(), "demo",
                new RevocationList(coordinator.crlFile(), coordinator.caCertificate(), Clock.systemUTC(), Duration.ZERO),
                Clock.systemUTC());
    }

    static JobPlan plan(String he, int t, int minSites, int rounds, Duration roundTimeout) {
        return new JobPlan(JOB, SITES, he, t, minSites, 1e5, rounds, Duration.ofSeconds(60), roundTimeout,
                Duration.ofSeconds(20), "test-model", 1, 0, 8, 0.1, 0.0, 42L);
    }

    static final ServerStrategy FED_AVG = (global, meanDelta) -> {
        float[] next = new float[global.length];
        for (int i = 0; i < next.length; i++) {
            next[i] = global[i] + meanDelta[i];
        }
        return next;
    };

    /** Wires a job: the given run (possibly a malicious subclass) and one participant per site. */
    JobRun start(java.util.function.Function<SiteLinks, JobRun> runFactory) {
        SiteLinks links = (site, m) -> {
            toSites.add(Map.entry(site, m));
            if (!dropToSite.test(site, m)) {
                RoundsMessage delivered = rewriteToSite.apply(site, m);
                siteThreads.get(site).execute(() -> participants.get(site).onMessage(delivered));
            }
        };
        run = runFactory.apply(links);
        for (String site : SITES) {
            trainings.put(site, new FakeTraining(site));
            siteThreads.put(site, Executors.newSingleThreadExecutor());
            participants.put(site, participant(site, false));
        }
        return run;
    }

    /** What the sites' signed job says about training; null means the values of {@link #plan}. */
    volatile LocalTraining.JobTraining training;

    private JobParticipant participant(String site, boolean restore) {
        DataSelection selection = new DataSelection(List.of("CT"), List.of(), List.of(ImagingCategory.CLINICAL_STRUCTURAL),
                3, Purpose.RESEARCH);
        Kit kit = Kit.load(dir.resolve("project/sites/" + site));
        JobParticipant.Identity id = new JobParticipant.Identity(new KitSigner(kit),
                new KeyPair(kit.certificate().getPublicKey(), kit.privateKey()), verifier);
        JobRun r = run;
        org.medveil.site.federation.CoordinatorLink link = m -> {
            RoundsMessage sent = rewriteFromSite.apply(site, m);
            fromSites.add(Map.entry(site, sent));
            java.util.function.BiConsumer<String, RoundsMessage> to = toCoordinator;
            if (to != null) {
                to.accept(site, sent);
            } else {
                r.onMessage(site, sent);
            }
        };
        InMemoryKeyVault vault = vaults.computeIfAbsent(site, x -> new InMemoryKeyVault());
        Path ledger = dir.resolve("ledger-" + site + ".log");
        LocalTraining.JobTraining training = this.training != null ? this.training
                // the training values of plan() below, as a signed job would state them
                : new LocalTraining.JobTraining(selection, "test-model", "dl4j", 1, null, 8, 0.1, 0.0, 42L);
        return restore ? JobParticipant.restore(job, id, training, trainings.get(site), link, objects, vault, ledger)
                : new JobParticipant(job, id, training, trainings.get(site), link, objects, vault, ledger);
    }

    /** A site node that stops (its participant closes) and starts again from its vault and ledger file. */
    void restart(String site) throws Exception {
        siteThreads.get(site).submit(() -> {
            participants.get(site).close();
            participants.put(site, participant(site, true));
        }).get(30, TimeUnit.SECONDS);
    }

    JobRun start(JobPlan plan, RoundListener listener) {
        return start(links -> new JobRun(plan, links, objects, verifier, FED_AVG, listener));
    }

    static float[] initialModel() {
        return initialModel(PARAMETERS);
    }

    static float[] initialModel(int parameters) {
        float[] w = new float[parameters];
        for (int j = 0; j < w.length; j++) {
            w[j] = (float) Math.cos(0.003 * j);
        }
        return w;
    }

    /** Plain FedAvg computed here, independently of the protocol code, over the given contributors per round. */
    static float[] referenceRound(float[] global, List<String> contributors) {
        double[] sum = new double[global.length];
        double n = 0;
        for (String site : contributors) {
            float[] d = FakeTraining.delta(site, global);
            long samples = FakeTraining.samples(site);
            for (int j = 0; j < d.length; j++) {
                sum[j] += (double) d[j] * samples;
            }
            n += samples;
        }
        float[] next = new float[global.length];
        for (int j = 0; j < next.length; j++) {
            next[j] = global[j] + (float) (sum[j] / n);
        }
        return next;
    }

    List<RoundsMessage> sentBy(String site, RoundsMessage.BodyCase kind) {
        synchronized (fromSites) {
            return fromSites.stream().filter(e -> e.getKey().equals(site) && e.getValue().getBodyCase() == kind)
                    .map(Map.Entry::getValue).toList();
        }
    }

    /** Waits until every site thread has processed what was delivered so far. */
    void drain() throws Exception {
        for (ExecutorService e : siteThreads.values()) {
            e.submit(() -> { }).get(30, TimeUnit.SECONDS);
        }
    }

    static List<String> contributors(RoundResult r) {
        return r.getContributorsList();
    }

    @Override
    public void close() throws Exception {
        for (ExecutorService e : siteThreads.values()) {
            e.shutdown();
            e.awaitTermination(30, TimeUnit.SECONDS);
        }
        for (JobParticipant p : participants.values()) {
            p.close();
        }
    }
}
