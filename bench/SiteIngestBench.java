import org.medveil.dicom.VR;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.deid.AnnexETable;
import org.medveil.dicom.deid.DeidResult;
import org.medveil.dicom.deid.Deidentifier;
import org.medveil.dicom.deid.ProjectKey;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;
import org.medveil.dicom.occlusion.OcclusionRules;
import org.medveil.dicom.occlusion.PixelBlanker;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.audit.AuditSigner;
import org.medveil.governance.consent.ConsentRules;
import org.medveil.governance.grade.Grader;
import org.medveil.governance.grade.SpecialDiseaseList;
import org.medveil.governance.pki.Kit;
import org.medveil.site.SiteInit;
import org.medveil.site.config.SiteConfig;
import org.medveil.site.ingest.IngestOutcome;
import org.medveil.site.ingest.IngestPipeline;
import org.medveil.site.ingest.IngestRecorder;
import org.medveil.site.ingest.IngestSink;
import org.medveil.site.ingest.Source;
import org.medveil.site.node.AuditRecorder;
import org.medveil.site.node.IndexConsentLookup;
import org.medveil.site.node.StoreSink;
import org.medveil.site.store.LookupKeys;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.Secret;
import org.medveil.site.store.SiteKeystore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Site-node ingest throughput beside de-identification alone and gdcmanon, on the same files, in
 * one JVM run (run by bench/site-ingest.sh; results are "key value" lines the script prints).
 * Each repetition runs the three rows back to back so they see the same machine load:
 * <ul>
 *   <li>{@code pipeline}: a fresh site per repetition ({@link SiteInit#create}: site.yaml, keystore,
 *       project key; the signed audit log under DATA/audit with the provisioned site kit), then for
 *       each file: read its bytes, {@link IngestPipeline#ingest} with the real {@link StoreSink} over
 *       the real {@link ObjectStore} and the {@link AuditRecorder} over the real {@link AuditLog} —
 *       exactly the objects {@code SiteNode} wires (inbox watcher and SCP not started). Every file
 *       must come out STORED. Opening and closing the store and audit log are not timed.</li>
 *   <li>{@code deid}: the same Deidentifier (site.yaml's profile, project key, shipped occlusion
 *       rules, no escrow) as the pipeline builds, per file: read bytes, parse, de-identify, add the
 *       Table 2 note, write the derivative to memory (as the pipeline does before the store).</li>
 *   <li>{@code gdcmanon}: the whole command {@code gdcmanon -e --continue -r -c CERT -i IN -o OUT}
 *       (Basic Profile + CMS escrow of the originals to an RSA certificate), output into a fresh
 *       folder, wall time of the process; its outputs are counted.</li>
 * </ul>
 * The pipeline's time is split by timing wrappers around the sink and the recorder:
 * {@code read} (file bytes from disk), {@code decide} (SHA-256, parse, profile and consent check,
 * Table 1 category, grades, de-identification and derivative written to memory),
 * {@code store} (StoreSink: duplicate lookup, accession re-parse, one ObjectStore.putPair =
 * encrypt both, 2 temp files + fsync, both data keys in one keys.db commit, renames + folder
 * fsyncs, one index transaction), {@code audit} (AuditRecorder: two records, one force).
 * {@code fsync-floor} calibrates the disk: write a file of the same size, force it, rename it and
 * force the folder, per file.
 * <p>
 * Usage: [WARMUP=3] java -cp cli/target/medveil.jar bench/SiteIngestBench.java IN_DIR WORK_DIR KIT_DIR CERT REPS
 */
public class SiteIngestBench {

    public static void main(String[] args) throws Exception {
        Path in = Path.of(args[0]);
        Path work = Path.of(args[1]);
        Kit kit = Kit.load(Path.of(args[2]));
        Path cert = Path.of(args[3]);
        int reps = Integer.parseInt(args[4]);
        List<Path> files;
        try (Stream<Path> s = Files.walk(in)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }

        // Warm-up passes, not in the medians: the JIT compiles the hot paths. The JDK's AES-GCM and
        // GHASH intrinsics only take over after some thousand encryptions (before that, 395 kB cost
        // ~8 ms instead of ~0.2 ms), so one pass of 300 files (600 objects) is not enough. The first
        // pass is reported on its own: it is what a freshly started daemon does.
        int warmups = Integer.parseInt(System.getenv().getOrDefault("WARMUP", "3"));
        double cold = 0;
        for (int w = 0; w < warmups; w++) {
            double s = pipeline(files, work.resolve("warm-" + w), kit)[0];
            cold = w == 0 ? s : cold;
            delete(work.resolve("warm-" + w));
            deidAlone(files, work.resolve("warm-deid"));
        }
        List<Double> pipe = new ArrayList<>(), deid = new ArrayList<>(), gdcm = new ArrayList<>(), floor = new ArrayList<>();
        double[] phases = new double[8];
        for (int rep = 0; rep < reps; rep++) {
            double[] p = pipeline(files, work.resolve("site-" + rep), kit);
            pipe.add(p[0]);
            for (int i = 0; i < phases.length; i++) {
                phases[i] += p[i + 1] / reps;
            }
            deid.add(deidAlone(files, work.resolve("site-" + rep)));
            delete(work.resolve("site-" + rep)); // keep the disk use to one site at a time
            gdcm.add(gdcmanon(in, work.resolve("gdcm-" + rep), cert, files.size()));
            floor.add(fsyncFloor(files, work.resolve("floor-" + rep)));
        }
        print("pipeline", pipe);
        print("pipeline-cold", List.of(cold > 0 ? cold : Double.NaN));
        print("deid", deid);
        print("gdcmanon", gdcm);
        print("fsync-floor", floor);
        String[] names = {"read", "decide", "store", "audit", "store-cpu", "audit-cpu", "store-user", "audit-user"};
        for (int i = 0; i < names.length; i++) {
            System.out.printf("phase-%s %.1f%n", names[i], phases[i]);
        }
    }

    /** Seconds per pass, in rep order: "key s1 s2 ..." — the script computes files/s, MB/s, medians, ratios. */
    static void print(String key, List<Double> seconds) {
        StringBuilder b = new StringBuilder(key);
        for (double s : seconds) {
            b.append(' ').append(String.format("%.4f", s));
        }
        System.out.println(b);
    }

    /**
     * CPU time of the calling thread. System time includes the kernel's work for write and fsync
     * (page writeback runs in the caller); user time is encryption, digests, SQLite; the rest of a
     * phase's wall time is waiting for the disk.
     */
    static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    /** A timing wrapper around the real sink: the pipeline calls it exactly as it calls StoreSink. */
    static final class TimedSink implements IngestSink {
        final StoreSink sink;
        long nanos;
        long cpu;
        long user;

        TimedSink(StoreSink sink) {
            this.sink = sink;
        }

        @Override
        public Stored store(IngestOutcome.Accepted a) throws IOException {
            long t = System.nanoTime();
            long c = CPU.getCurrentThreadCpuTime();
            long u = CPU.getCurrentThreadUserTime();
            try {
                return sink.store(a);
            } finally {
                nanos += System.nanoTime() - t;
                cpu += CPU.getCurrentThreadCpuTime() - c;
                user += CPU.getCurrentThreadUserTime() - u;
            }
        }

        @Override
        public void refused(IngestOutcome.Refused r) throws IOException {
            sink.refused(r);
        }
    }

    static final class TimedRecorder implements IngestRecorder {
        final AuditRecorder recorder;
        long nanos;
        long cpu;
        long user;

        TimedRecorder(AuditRecorder recorder) {
            this.recorder = recorder;
        }

        @Override
        public void ingested(IngestOutcome.Accepted a, IngestSink.Stored stored) {
            long t = System.nanoTime();
            long c = CPU.getCurrentThreadCpuTime();
            long u = CPU.getCurrentThreadUserTime();
            recorder.ingested(a, stored);
            nanos += System.nanoTime() - t;
            cpu += CPU.getCurrentThreadCpuTime() - c;
            user += CPU.getCurrentThreadUserTime() - u;
        }

        @Override
        public void refused(IngestOutcome.Refused r) {
            recorder.refused(r);
        }
    }

    /**
     * One pass of the whole pipeline into a new site folder. Returns {seconds, then µs per file of
     * read, decide, store, audit, then CPU µs per file (user + system, then user alone) of store and audit}.
     */
    static double[] pipeline(List<Path> files, Path site, Kit kit) throws Exception {
        SiteInit.Result init = SiteInit.create(site, "bench", 11112);
        SiteConfig config = SiteConfig.load(init.config());
        var st = config.store();
        SiteKeystore keystore = SiteKeystore.open(st.keystore(), Secret.parse(st.keystorePassword().toString()));
        long read = 0;
        long total;
        TimedSink sink;
        TimedRecorder recorder;
        try (ObjectStore store = ObjectStore.open(st.dataFolder(), keystore);
             AuditLog audit = AuditLog.open(st.dataFolder().resolve("audit"), AuditSigner.of(kit))) {
            LookupKeys keys = new LookupKeys(keystore.pseudonymKey());
            StoreSink storeSink = new StoreSink(store, keys, "default");
            sink = new TimedSink(storeSink);
            recorder = new TimedRecorder(new AuditRecorder(audit, storeSink));
            IngestPipeline pipeline = new IngestPipeline(config.ingest(), config.deidProfile(), config.deidDecision(),
                    projectKey(config), new Grader(SpecialDiseaseList.defaults()), keys::patient,
                    new IndexConsentLookup(new org.medveil.site.store.ConsentRegistry(store.index()), new ConsentRules(ZoneId.systemDefault())), sink, recorder);
            long t0 = System.nanoTime();
            for (Path f : files) {
                long r0 = System.nanoTime();
                byte[] bytes = Files.readAllBytes(f);
                read += System.nanoTime() - r0;
                IngestOutcome o = pipeline.ingest(bytes, Source.inbox(in(f), Instant.now()));
                if (!(o instanceof IngestOutcome.Accepted)) {
                    throw new IllegalStateException(f + " was not stored: " + o
                            + "; the benchmark needs files the example site.yaml accepts (CT or MR, distinct SOP Instance UIDs)");
                }
            }
            total = System.nanoTime() - t0;
            long objects = store.index().read(c -> {
                try (var ps = c.prepareStatement("SELECT count(*) FROM objects"); var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
            if (objects != 2L * files.size()) {
                throw new IllegalStateException(objects + " objects in the index for " + files.size() + " files (expected 2 each)");
            }
        }
        int n = files.size();
        long decide = total - read - sink.nanos - recorder.nanos;
        return new double[] {total / 1e9, read / 1e3 / n, decide / 1e3 / n, sink.nanos / 1e3 / n,
                recorder.nanos / 1e3 / n, sink.cpu / 1e3 / n, recorder.cpu / 1e3 / n,
                sink.user / 1e3 / n, recorder.user / 1e3 / n};
    }

    private static String in(Path f) {
        return f.getFileName().toString();
    }

    /** Seconds for one pass of de-identification alone, as the pipeline builds and runs it, output to memory. */
    static double deidAlone(List<Path> files, Path site) throws Exception {
        if (!Files.exists(site.resolve(SiteConfig.FILE))) {
            SiteInit.create(site, "bench", 11112);
        }
        SiteConfig config = SiteConfig.load(site.resolve(SiteConfig.FILE));
        var deid = config.deidProfile();
        OcclusionRules rules;
        try {
            rules = deid.occlusionRules() == null ? OcclusionRules.shipped() : OcclusionRules.load(deid.occlusionRules());
        } catch (DicomException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Deidentifier engine = new Deidentifier(AnnexETable.standard(), deid.profile(), projectKey(config), rules,
                new PixelBlanker(), null);
        String note = "T/SCGS 313008 Table 2 avail " + deid.scenario().availability().english()
                + " conf " + deid.scenario().confidentiality().english();
        long sink = 0;
        long t0 = System.nanoTime();
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            DeidResult r = engine.deidentify(new DicomReader().read(bytes));
            var out = r.file().dataSet();
            List<String> method = new ArrayList<>(out.getStrings(0x00120063));
            method.add(note);
            out.putString(0x00120063, VR.LO, method.toArray(String[]::new));
            ByteArrayOutputStream b = new ByteArrayOutputStream(bytes.length + 1024);
            new DicomWriter().writeFile(r.file(), b, r.outputSyntax());
            sink += b.size(); // used, so the write is not optimised away
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (sink == 0) {
            throw new IllegalStateException("no derivative bytes");
        }
        return s;
    }

    /** Wall seconds of the whole gdcmanon command into a new folder; its outputs are counted. */
    static double gdcmanon(Path in, Path out, Path cert, int expected) throws Exception {
        Files.createDirectories(out);
        Path log = out.resolveSibling(out.getFileName() + ".log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("gdcmanon", "-e", "--continue", "-r", "-c", cert.toString(), "-i", in.toString(),
                "-o", out.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int code = p.waitFor();
        double s = (System.nanoTime() - t0) / 1e9;
        long n;
        try (Stream<Path> w = Files.walk(out)) {
            n = w.filter(Files::isRegularFile).count();
        }
        if (n != expected) {
            throw new IllegalStateException("gdcmanon (exit " + code + ") wrote " + n + " files for " + expected + "; see " + log);
        }
        delete(out);
        return s;
    }

    /** Seconds to write each input's size of bytes to a temp file, fsync it, rename it and fsync the folder. */
    static double fsyncFloor(List<Path> files, Path dir) throws IOException {
        Files.createDirectories(dir);
        byte[] bytes = Files.readAllBytes(files.get(0));
        long t0 = System.nanoTime();
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            for (int i = 0; i < files.size(); i++) {
                Path tmp = dir.resolve(i + ".part");
                try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ByteBuffer b = ByteBuffer.wrap(bytes);
                    while (b.hasRemaining()) {
                        c.write(b);
                    }
                    c.force(true);
                }
                Files.move(tmp, dir.resolve(Integer.toString(i)), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                d.force(true);
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        delete(dir);
        return s;
    }

    /** The project key of site.yaml's deid.projectKey, as SiteNode reads it. */
    static ProjectKey projectKey(SiteConfig config) {
        byte[] b = config.projectKey().read();
        String text = new String(b, StandardCharsets.US_ASCII).strip();
        return new ProjectKey(text.matches("[0-9a-fA-F]{64}") ? HexFormat.of().parseHex(text) : b);
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
