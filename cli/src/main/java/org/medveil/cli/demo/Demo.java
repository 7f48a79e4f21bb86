package org.medveil.cli.demo;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.medveil.cli.job.JobClient;
import org.medveil.coordinator.CoordinatorServer;
import org.medveil.coordinator.CoordinatorSettings;
import org.medveil.dicom.io.DicomReader;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.dua.DataUseAgreement;
import org.medveil.governance.dua.DuaSignature;
import org.medveil.governance.job.JobSpec;
import org.medveil.governance.manifest.ManifestReport;
import org.medveil.governance.manifest.ManifestVerifier;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.models.data.DicomImageReader;
import org.medveil.models.data.LabeledFolders;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.data.Normalization;
import org.medveil.models.eval.Evaluator;
import org.medveil.models.eval.Metrics;
import org.medveil.models.engine.Engines;
import org.medveil.models.engine.TorchScriptFile;
import org.medveil.models.engine.TrainableModel;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.Optimizer;
import org.medveil.models.synth.SiteSummary;
import org.medveil.models.synth.SyntheticGenerator;
import org.medveil.models.train.TrainConfig;
import org.medveil.proto.admin.AdminGrpc;
import org.medveil.proto.admin.GetJobRequest;
import org.medveil.proto.admin.JobStatus;
import org.medveil.proto.admin.SiteAgreement;
import org.medveil.proto.siteadmin.ImportConsentsRequest;
import org.medveil.proto.siteadmin.ImportLabelsRequest;
import org.medveil.site.CoordinatorChannel;
import org.medveil.site.SiteInit;
import org.medveil.site.SiteNode;
import org.medveil.site.SiteSettings;
import org.medveil.site.admin.SiteAdminClient;
import org.medveil.site.config.SiteConfig;
import org.medveil.site.store.ObjectFilter;
import org.medveil.site.store.StoredObjectKind;

/**
 * A whole federation on one machine: a provisioned project, synthetic CT for each site, a
 * coordinator and the site nodes in this JVM over real mutual TLS on loopback, ingest through
 * each site's pipeline (consent, grading, de-identification, encrypted store), signed data use
 * agreements, one federated job, and the comparison that shows why federation pays: each site
 * alone, federated, and pooled (the upper bound nobody may build), on one held-out test set.
 */
public final class Demo implements AutoCloseable {

    /** What to run. */
    public record Options(int sites, int patients, int testPatients, int rounds, int epochs, boolean he, String model,
            long seed, Path work, String engine) {
        /** With the default training engine. */
        public Options(int sites, int patients, int testPatients, int rounds, int epochs, boolean he, String model,
                long seed, Path work) {
            this(sites, patients, testPatients, rounds, epochs, he, model, seed, work, Engines.DEFAULT);
        }

        public static Options defaults(Path work) {
            return new Options(3, 120, 60, 5, 2, true, "cnn:input=32", 1, work);
        }
    }

    /** Where the demo is; called on the demo's thread. */
    public interface Progress {
        void step(String what);

        void job(JobStatus status);
    }

    /** One row of the final table. */
    public record Row(String setting, Metrics metrics) {
    }

    /** What the demo produced. */
    public record Outcome(List<Row> rows, JobStatus job, Path result, ManifestReport manifests, Path work) {
    }

    private final Options o;
    private final Path prov;
    private final List<AutoCloseable> running = new ArrayList<>();

    public Demo(Options options) {
        this.o = options;
        this.prov = options.work().resolve("project");
    }

    static String siteName(int i) {
        return "hospital-" + i;
    }

    private int port;
    private List<SiteSummary> train;
    private Kit coordinatorKit;
    private final List<SiteNode> nodes = new ArrayList<>();
    private final List<SiteConfig> configs = new ArrayList<>();
    private CoordinatorServer coordinator;

    private CoordinatorSettings coordinatorSettings() {
        return CoordinatorSettings.DEFAULTS.withListen("127.0.0.1:" + port).withHeartbeatSeconds(2)
                .withDatabase(database);
    }

    /** Stops the coordinator and starts it again on the same port and state, as an operator would after a crash. */
    public synchronized void restartCoordinator() {
        coordinator.close();
        running.remove(coordinator);
        coordinator = CoordinatorServer.start(coordinatorKit, coordinatorSettings(), Clock.systemUTC(), observer);
        running.add(coordinator);
        if (consolePort != null) {
            coordinator.openConsole(consolePort);
        }
    }
    private ManagedChannel researcher;
    private Integer consolePort;

    /**
     * Serves the coordinator's web console on this port (0: any free one) and provisions a project
     * admin ({@code users/pat}) and a compliance officer ({@code users/carla}) besides the
     * researcher and the data managers, to sign in as; before {@link #start}.
     */
    public Demo console(int port) {
        this.consolePort = port;
        return this;
    }

    /** The console's port, or -1 when it is off. */
    public int consolePort() {
        return consolePort == null ? -1 : coordinator.openConsole(consolePort).port();
    }

    /**
     * A one-time sign-in link to the console for the user kit {@code users/NAME}, asked for over the
     * admin API with that kit, as {@code medveil console open} does.
     */
    public String consoleLink(String user) {
        ManagedChannel ch = CoordinatorChannel.forKit(kit("users/" + user), HostNames.parse("localhost:" + port)).open();
        try {
            return AdminGrpc.newBlockingStub(ch).withDeadlineAfter(15, java.util.concurrent.TimeUnit.SECONDS)
                    .openConsole(org.medveil.proto.admin.OpenConsoleRequest.getDefaultInstance()).getUrl();
        } finally {
            ch.shutdownNow();
        }
    }
    private String database;
    private io.grpc.ServerInterceptor observer;

    /**
     * For tests: an interceptor on every coordinator service (see
     * {@link CoordinatorServer#start(Kit, CoordinatorSettings, Clock, io.grpc.ServerInterceptor)}),
     * kept across {@link #restartCoordinator}; before {@link #start}.
     */
    public Demo observeCoordinator(io.grpc.ServerInterceptor observer) {
        this.observer = observer;
        return this;
    }

    /** Runs the coordinator on this store (a JDBC URL) instead of its embedded SQLite file; before {@link #start}. */
    public Demo database(String jdbcUrl) {
        this.database = jdbcUrl;
        return this;
    }

    public Outcome run(Progress p) throws Exception {
        start(p);
        List<String> sites = new ArrayList<>();
        for (int i = 1; i <= o.sites(); i++) {
            sites.add(siteName(i));
        }
        p.step("signing a data use agreement per site (its data manager and the researcher)");
        List<SiteAgreement> agreements = new ArrayList<>();
        for (int i = 1; i <= o.sites(); i++) {
            agreements.add(JobClient.agreement(agreement(i)));
        }
        JobSpec spec = JobClient.pinModelFile(JobSpec.parse(jobYaml(sites), "demo job"), Path.of("").toAbsolutePath());
        p.step("submitting job '" + spec.name() + "': " + o.rounds() + " rounds, FedAvg, "
                + (o.he() ? "homomorphically encrypted updates (" + spec.he() + ")" : "plaintext updates (HE off)"));
        String jobId = submit(spec, agreements);
        JobStatus last = watch(jobId, p);
        if (!"completed".equals(last.getState())) {
            throw new DemoException("the federated job did not complete: " + last.getState() + " " + last.getReason());
        }
        Path result = o.work().resolve("result");
        ManifestReport manifests = countersignedResult(jobId, result);

        p.step("training the comparisons on the same test set: each site alone, and all data pooled");
        List<Row> rows = compare(train, JobClient.floats(Files.readAllBytes(result.resolve("model.params"))));
        return new Outcome(rows, last, result, manifests, o.work());
    }

    /**
     * Downloads the result and verifies its manifests with every site countersignature required.
     * Sites countersign each manifest as it is written, so the last round's countersignatures can
     * reach the coordinator a moment after the job completes: download again for up to 20 s.
     */
    private ManifestReport countersignedResult(String jobId, Path result) throws InterruptedException {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (true) {
            JobClient.result(researcher(), jobId, result, modelFolder());
            ManifestReport r = ManifestVerifier.verify(result.resolve("manifests"), coordinatorKit.caCertificate(), true);
            if (r.ok() || System.nanoTime() > until || r.problems().stream().noneMatch(x -> x.reason()
                    .contains("has not countersigned"))) {
                return r;
            }
            Thread.sleep(250);
        }
    }

    /** The researcher's channel to the coordinator (mTLS with rita's kit). */
    public ManagedChannel researcher() {
        if (researcher == null) {
            researcher = CoordinatorChannel.forKit(kit("users/rita"), HostNames.parse("localhost:" + port)).open();
            running.add(researcher::shutdownNow);
        }
        return researcher;
    }

    /** Signs and submits a job as the researcher; returns its id. */
    public String submit(JobSpec spec, List<SiteAgreement> agreements) {
        return JobClient.submit(researcher(), spec, modelFolder(), agreements, CertifiedKey.of(kit("users/rita")),
                Instant.now()).getJobId();
    }

    /** Follows a job until it ends; returns its last status. */
    public JobStatus watch(String jobId, Progress p) {
        JobStatus last = null;
        Iterator<JobStatus> watch = AdminGrpc.newBlockingStub(researcher())
                .watchJob(GetJobRequest.newBuilder().setJobId(jobId).build());
        while (watch.hasNext()) {
            last = watch.next();
            p.job(last);
        }
        if (last == null) {
            throw new DemoException("the coordinator sent no status for job " + jobId);
        }
        return last;
    }

    public Kit kit(String relative) {
        return Kit.load(prov.resolve(relative));
    }

    public Path project() {
        return prov;
    }

    public List<SiteNode> nodes() {
        return List.copyOf(nodes);
    }

    public int coordinatorPort() {
        return port;
    }

    /** Stops site i (1-based) and starts it again from its folder, as hospital IT would after a reboot. */
    public synchronized void restartSite(int i) {
        SiteNode old = nodes.get(i - 1);
        old.close();
        running.remove(old);
        SiteNode again = SiteNode.start(configs.get(i - 1), kit("sites/" + siteName(i)), SiteSettings.DEFAULTS
                .withCoordinator("localhost:" + port).withBackoff(200, 2000));
        running.add(again);
        nodes.set(i - 1, again);
    }

    /** Provisions, starts the coordinator and the sites, and ingests each site's synthetic data. */
    public void start(Progress p) throws Exception {
        Files.createDirectories(o.work());
        port = freePort();
        List<String> sites = new ArrayList<>();
        List<ProjectSpec.User> users = new ArrayList<>(List.of(new ProjectSpec.User("rita", "researcher")));
        for (int i = 1; i <= o.sites(); i++) {
            sites.add(siteName(i));
            users.add(new ProjectSpec.User("dm-" + i, "data-manager"));
        }
        if (consolePort != null) {
            users.add(new ProjectSpec.User("pat", "project-admin"));
            users.add(new ProjectSpec.User("carla", "compliance-officer"));
        }
        p.step("provisioning project 'demo': CA, coordinator, " + o.sites() + " sites, researcher and data managers");
        Provisioner.init(new ProjectSpec("demo", "localhost:" + port, null, null, sites, users), prov,
                Clock.systemUTC());

        p.step("generating synthetic CT: " + o.sites() + " sites x " + o.patients() + " patients (+ "
                + o.testPatients() + " per site held out for the final test)");
        train = new SyntheticGenerator(o.seed()).generate(o.sites(), o.patients(),
                o.work().resolve("synthetic/train"));
        new SyntheticGenerator(o.seed() + 1000).generate(o.sites(), o.testPatients(), o.work().resolve("synthetic/test"));

        p.step("starting the coordinator on 127.0.0.1:" + port + " (TLS 1.3, client certificates required)");
        coordinatorKit = Kit.load(prov.resolve("coordinator"));
        coordinator = CoordinatorServer.start(coordinatorKit, coordinatorSettings(), Clock.systemUTC(), observer);
        running.add(coordinator);
        if (consolePort != null) {
            int webPort = coordinator.openConsole(consolePort).port();
            p.step("web console on https://localhost:" + webPort + "/ (sign in: medveil console open --kit "
                    + prov.resolve("users/pat") + ")");
        }

        List<Integer> adminPorts = new ArrayList<>();
        for (int i = 1; i <= o.sites(); i++) {
            String name = siteName(i);
            p.step("site " + name + ": init, start, ingest " + train.get(i - 1).images() + " DICOM files through"
                    + " the pipeline (consent, grade, de-identify, encrypt)");
            adminPorts.add(startSite(i, name, port, train.get(i - 1)));
        }
    }

    /** Starts a site node in this JVM and ingests its synthetic data through the inbox; returns its admin port. */
    private int startSite(int i, String name, int coordinatorPort, SiteSummary data) throws Exception {
        Path dir = o.work().resolve("sites").resolve(name);
        int adminPort = freePort();
        SiteInit.Result init = SiteInit.create(dir, name, freePort());
        Path yaml = init.config();
        configureSite(yaml, adminPort);
        approveModelFile(yaml);
        SiteConfig config = SiteConfig.load(yaml);
        Kit kit = Kit.load(prov.resolve("sites").resolve(name));
        SiteNode node = SiteNode.start(config, kit, SiteSettings.DEFAULTS
                .withCoordinator("localhost:" + coordinatorPort).withBackoff(200, 2000));
        running.add(node);
        nodes.add(node);
        configs.add(config);

        Kit dm = Kit.load(prov.resolve("users/dm-" + i));
        List<Path> files;
        try (Stream<Path> s = Files.list(data.folder())) {
            files = s.filter(f -> f.toString().endsWith(".dcm")).sorted().toList();
        }
        // The hospital knows its patients: consent rows by Patient ID, sent to the site's admin API.
        String csv = consentsCsv(files);
        try (SiteAdminClient admin = SiteAdminClient.connect(dm, HostNames.parse("localhost:" + adminPort))) {
            admin.stub().importConsents(ImportConsentsRequest.newBuilder().setFileName("consents.csv")
                    .setCsv(ByteString.copyFromUtf8(csv)).build());
            for (Path f : files) {
                Path part = config.inbox().resolve(f.getFileName() + ".part");
                Files.copy(f, part);
                Files.move(part, config.inbox().resolve(f.getFileName().toString()));
            }
            Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
            while (node.store().list(new ObjectFilter(StoredObjectKind.DERIVATIVE, null, null, null)).size() < files.size()) {
                Path refused = config.inbox().resolve(".refused");
                if (Files.isDirectory(refused)) {
                    try (Stream<Path> r = Files.list(refused)) {
                        Path reason = r.filter(f -> f.toString().endsWith(".reason.txt")).findFirst().orElse(null);
                        if (reason != null) {
                            throw new DemoException("site " + name + " refused a synthetic file: "
                                    + Files.readString(reason).strip());
                        }
                    }
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new DemoException("site " + name + " did not ingest its " + files.size()
                            + " files within 5 minutes; see its log lines above");
                }
                Thread.sleep(200);
            }
            admin.stub().importLabels(ImportLabelsRequest.newBuilder().setFileName("labels.csv")
                    .setCsv(ByteString.copyFrom(Files.readAllBytes(data.folder().resolve(LabeledFolders.LABELS)))).build());
        }
        return adminPort;
    }

    /**
     * Edits a site.yaml made by {@code site init} for a demo site: no C-STORE SCP, the admin API
     * on {@code adminPort}, a fast inbox, CT only, the keystore password file beside it, research
     * up to grade 3 approved automatically, and the synthetic-training de-identification profile
     * (copied beside it). Also used by tests that run sites as separate processes.
     */
    public static void configureSite(Path yaml, int adminPort) throws IOException {
        Path dir = yaml.getParent();
        String text = Files.readString(yaml)
                .replaceFirst("(?m)^(\\s*enabled:) true", "$1 false")
                .replaceFirst("(?m)^(\\s*port:) 8444", "$1 " + adminPort)
                .replaceFirst("(?m)^(\\s*quietMillis:) \\d+", "$1 200")
                .replaceFirst("(?m)^(\\s*rescanSeconds:) \\d+", "$1 1")
                .replaceFirst("(?m)^(\\s*modalities:) \\[CT, MR\\]", "$1 [CT]")
                .replaceFirst("(?m)^(\\s*keystorePassword:).*$", "$1 file:keys/keystore.pass")
                .replaceFirst("(?s)autoApprove:.*$", "autoApprove:\n  - purpose: research\n    maxGrade: 3\n"
                        + "    datasets: [" + SiteNode.DEFAULT_DATASET + "]\n");
        // Synthetic CT carries burned-in names: the training profile blanks them (occlusion rule) instead of refusing.
        for (String f : List.of("deid/synthetic-training.yaml", "occlusion/synthetic.rules")) {
            try (java.io.InputStream in = Demo.class.getResourceAsStream("config/" + f)) {
                if (in == null) {
                    throw new DemoException("the jar lacks config/" + f + "; rebuild with ./mvnw -B package");
                }
                Files.createDirectories(dir.resolve(f).getParent());
                Files.copy(in, dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        text = text.replaceFirst("(?m)^(\\s*profile:) basic\\b.*$", "$1 deid/synthetic-training.yaml");
        Files.writeString(yaml, text);
    }

    /** The consent registry export for these files' patients: research and joint modelling, from 2020, no expiry. */
    public static String consentsCsv(List<Path> files) throws IOException {
        Set<String> patients = new LinkedHashSet<>();
        DicomReader reader = new DicomReader(DicomReader.Options.HEADERS);
        for (Path f : files) {
            patients.add(reader.read(f).dataSet().getString(0x00100020).strip());
        }
        StringBuilder csv = new StringBuilder("patient_id,purposes,joint_modeling,valid_from,expires\n");
        patients.forEach(id -> csv.append(id).append(",research,yes,2020-01-01,\n"));
        return csv.toString();
    }

    /** Writes site i's agreement (period from yesterday, one year) and has both parties sign it. */
    public Path agreement(int i) throws IOException {
        return agreement(i, "research");
    }

    /** As {@link #agreement(int)} for another purpose of use. */
    public Path agreement(int i, String purpose) throws IOException {
        Kit researcher = kit("users/rita");
        Path file = o.work().resolve("agreements").resolve("dua-" + siteName(i) + "-" + purpose + ".yaml");
        Files.createDirectories(file.getParent());
        LocalDate today = LocalDate.now();
        Files.writeString(file, String.format(Locale.ROOT, """
                id: dua-demo-%d
                project: demo
                parties: {site: %s, dataManager: dm-%d, researcher: rita, organisation: Demo University}
                purpose: %s
                waysOfUse: [federated-training, evaluation]
                period: {from: %s, to: %s}
                protection: [de-identification to grade 3 or lower, HE-encrypted updates only]
                breachPlan:
                  contact: dpo@%s.example
                  steps: [stop the job, notify the data manager within 24 h]
                dataScope: {modalities: [CT], categories: [clinical-structural], maxGrade: 3}
                """, i, siteName(i), i, purpose, today.minusDays(1), today.plusYears(1), siteName(i)));
        DataUseAgreement dua = DataUseAgreement.read(file);
        DuaSignature.sign(dua, Kit.load(prov.resolve("users/dm-" + i))).write(file);
        DuaSignature.sign(dua, researcher).write(file);
        return file;
    }

    /** Folder of the demo's TorchScript file, or null for a zoo model. */
    private Path modelFolder() {
        ModelSpec m = ModelSpec.parse(o.model());
        return ModelSpec.TORCHSCRIPT.equals(m.name())
                ? Path.of(m.params().get(TorchScriptFile.FILE)).toAbsolutePath().getParent() : null;
    }

    /**
     * For a TorchScript model, does what a site's IT does before such a job: copies the file into
     * the site's models folder and names that folder in site.yaml.
     */
    private void approveModelFile(Path yaml) throws IOException {
        Path folder = modelFolder();
        if (folder == null) {
            return;
        }
        Path file = Path.of(ModelSpec.parse(o.model()).params().get(TorchScriptFile.FILE)).toAbsolutePath();
        Path models = Files.createDirectories(yaml.getParent().resolve("models"));
        Files.copy(file, models.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(yaml, "training:\n  modelsDir: models\n", java.nio.file.StandardOpenOption.APPEND);
    }

    /** The demo's job spec for these sites. */
    public String jobYaml(List<String> sites) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, """
                name: demo-lesions
                project: demo
                model: "%s"
                engine: %s
                seed: %d
                rounds: %d
                local: {epochs: %d, batchSize: 32, learningRate: 0.002}
                strategy: {name: fedavg}
                minSites: %d
                roundTimeoutSeconds: 900
                he: %s
                selection: {modalities: [CT], categories: [clinical-structural], maxGrade: 3, purpose: research}
                sites:
                """, o.model(), o.engine(), o.seed(), o.rounds(), o.epochs(), Math.max(1, o.sites() - 1),
                o.he() ? "n8192" : "plaintext"));
        for (int i = 0; i < sites.size(); i++) {
            s.append("  - {site: ").append(sites.get(i)).append(", dua: dua-demo-").append(i + 1).append("}\n");
        }
        return s.toString();
    }

    /** Each site alone and pooled, trained for as many epochs as the federation ran in total; plus the federated model. */
    private List<Row> compare(List<SiteSummary> train, float[] federated) {
        int inputSize;
        try (TrainableModel probe = network()) {
            inputSize = probe.inputSize();
        }
        LabeledFolders folders = new LabeledFolders(new DicomImageReader(Normalization.DEFAULT, inputSize));
        List<Path> testFolders = new ArrayList<>();
        for (int i = 1; i <= o.sites(); i++) {
            testFolders.add(o.work().resolve("synthetic/test/site-" + i));
        }
        List<LabeledImage> test = folders.load(testFolders).images();
        TrainConfig config = TrainConfig.epochs(o.rounds() * o.epochs(), 32, o.seed());
        List<Row> rows = new ArrayList<>();
        List<Path> all = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            try (TrainableModel net = network()) {
                net.train(folders.load(List.of(train.get(i).folder())).images(), config, (e, l) -> { });
                rows.add(new Row(siteName(i + 1) + " alone", Evaluator.evaluate(net, test)));
            }
            all.add(train.get(i).folder());
        }
        try (TrainableModel fed = network()) {
            fed.setParameters(federated);
            rows.add(new Row("federated (" + (o.he() ? "HE" : "plaintext") + ")", Evaluator.evaluate(fed, test)));
        }
        try (TrainableModel pooled = network()) {
            pooled.train(folders.load(all).images(), config, (e, l) -> { });
            rows.add(new Row("pooled (upper bound)", Evaluator.evaluate(pooled, test)));
        }
        return rows;
    }

    private TrainableModel network() {
        return Engines.usable(o.engine()).build(ModelSpec.parse(o.model()), Optimizer.adam(0.002), o.seed());
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                // stopping: nothing more to do with a part that fails to stop
            }
        }
    }
}
