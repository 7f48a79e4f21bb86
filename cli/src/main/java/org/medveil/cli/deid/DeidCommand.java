package org.medveil.cli.deid;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.deid.AnnexETable;
import org.medveil.dicom.deid.DeidRefusedException;
import org.medveil.dicom.deid.DeidResult;
import org.medveil.dicom.deid.Deidentifier;
import org.medveil.dicom.deid.EscrowKey;
import org.medveil.dicom.deid.ProjectKey;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;
import org.medveil.dicom.occlusion.OcclusionRules;
import org.medveil.dicom.occlusion.PixelBlanker;
import org.medveil.governance.config.ConfigException;
import org.medveil.governance.deid.DeidProfiles;
import org.medveil.governance.deid.LoadedProfile;
import org.medveil.governance.strategy.StrategyDecision;
import org.medveil.governance.strategy.StrategyViolationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * {@code medveil deid --profile FILE --key FILE IN OUT}: de-identifies a file or folder with a
 * PS3.15 Annex E profile checked against Table 2. Outputs are named by their new UIDs
 * (OUT/STUDY/SOP.dcm), so no identifying input path survives; files that cannot be read or are
 * refused go to the quarantine folder with a reason file, and the run goes on.
 */
@Command(name = "deid", mixinStandardHelpOptions = true,
        description = {"De-identify DICOM files with a PS3.15 Annex E profile (Basic Profile + options), "
                + "checked against Table 2 of T/SCGS 313008-2024.",
                "Outputs go to OUT/<StudyUID>/<SOPInstanceUID>.dcm; unreadable or refused files go to the "
                        + "quarantine folder with a .reason.txt each. Exit code 1 only when no file could be de-identified."})
public final class DeidCommand implements Callable<Integer> {

    @Option(names = "--profile", required = true, paramLabel = "FILE",
            description = "Profile YAML (see config/deid/*.yaml): name, scenario, options, dates, ...")
    Path profileFile;

    @Option(names = "--key", required = true, paramLabel = "FILE",
            description = "Project substitution key: 32 random bytes, raw or as hex "
                    + "(create one with: head -c 32 /dev/urandom > FILE; keep it secret, the same for a whole project).")
    Path keyFile;

    @Option(names = "--escrow-key", paramLabel = "FILE",
            description = "Re-identifier's AES-256 key (32 bytes, raw or hex); required when the profile sets escrow: true.")
    Path escrowKeyFile;

    @Option(names = "--quarantine", paramLabel = "DIR",
            description = "Where refused or unreadable files go (default: OUT-quarantine next to OUT).")
    Path quarantine;

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    boolean noProgress;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Files de-identified in parallel (default: one per processor).")
    int threads;

    @Parameters(index = "0", paramLabel = "IN", description = "Input file or folder.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "Output folder.")
    Path out;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private String strategyNote;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        DeidProfiles profiles = DeidProfiles.standard();
        LoadedProfile profile;
        StrategyDecision decision;
        try {
            profile = profiles.load(profileFile);
            decision = profiles.check(profile);
        } catch (ConfigException | StrategyViolationException e) {
            throw new DeidCliException(e.getMessage(), e);
        }
        Deidentifier engine = new Deidentifier(AnnexETable.standard(), profile.profile(), new ProjectKey(readKey(keyFile, "--key", 16)),
                rules(profile), new PixelBlanker(), escrowKey(profile));
        List<Path> files = inputs();
        Path q = quarantine != null ? quarantine
                : out.toAbsolutePath().resolveSibling(out.getFileName() + "-quarantine");
        o.println("profile " + profile.profile().name() + " (" + profile.scenario().describe() + "), Table 2: "
                + (decision.overridden() ? "override recorded for " + decision.discouragedUsed()
                + " approved by " + decision.override().approvedBy() : "no discouraged technique"));
        // REQ-DEID-5: every object also names the Table 2 scenario (and override) it was produced under
        // An LO value holds at most 64 characters; the longest form here has 51.
        strategyNote = "T/SCGS 313008 Table 2 avail " + profile.scenario().availability().english()
                + " conf " + profile.scenario().confidentiality().english()
                + (decision.overridden() ? " override" : "");
        Summary s = run(engine, files, q);
        o.println(s.describe(q));
        if (s.done == 0 && s.quarantined > 0) {
            throw new DeidCliException("no file could be de-identified; every input is in the quarantine folder " + q
                    + " with its reason");
        }
        return 0;
    }

    /** Counts for the summary; reasons are categories, never file names. */
    private static final class Summary {
        int done;
        int quarantined;
        long bytes;
        long nanos;
        final Map<String, Integer> reasons = new TreeMap<>();
        final Map<String, Integer> rulesApplied = new TreeMap<>();

        String describe(Path q) {
            double secs = Math.max(1e-9, nanos / 1e9);
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("de-identified %d file(s), quarantined %d; %.1f MB in %.2f s (%.1f files/s, %.1f MB/s)",
                    done, quarantined, bytes / 1e6, secs, done / secs, bytes / 1e6 / secs));
            rulesApplied.forEach((r, n) -> sb.append(System.lineSeparator()).append("  occlusion rule '").append(r)
                    .append("': ").append(n));
            if (quarantined > 0) {
                reasons.forEach((r, n) -> sb.append(System.lineSeparator()).append("  quarantined (").append(r)
                        .append("): ").append(n));
                sb.append(System.lineSeparator()).append("  see ").append(q).append(" (one .reason.txt per file)");
            }
            return sb.toString();
        }
    }

    /** What happened to one input; the summary is built on the calling thread only. */
    private record Outcome(long bytes, String rule, String quarantineCategory) {}

    private Summary run(Deidentifier engine, List<Path> files, Path q) {
        Summary s = new Summary();
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        if (n > 64) {
            throw new DeidCliException("--threads " + threads + " is too many; use at most 64");
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        long t0 = System.nanoTime();
        try (ProgressBar bar = noProgress ? null : new ProgressBarBuilder().setTaskName("deid").setInitialMax(files.size())
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUnit(" files", 1).build()) {
            CompletionService<Outcome> done = new ExecutorCompletionService<>(pool);
            for (Path f : files) {
                done.submit(() -> one(engine, f, q));
            }
            for (int i = 0; i < files.size(); i++) {
                Outcome o = done.take().get();
                if (o.quarantineCategory() != null) {
                    s.quarantined++;
                    s.reasons.merge(o.quarantineCategory(), 1, Integer::sum);
                } else {
                    s.done++;
                    s.bytes += o.bytes();
                    if (o.rule() != null) {
                        s.rulesApplied.merge(o.rule(), 1, Integer::sum);
                    }
                }
                if (bar != null) {
                    bar.step();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeidCliException("interrupted; outputs written so far are complete files", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof DeidCliException d ? d : new DeidCliException(String.valueOf(c.getMessage()), c);
        } finally {
            pool.shutdownNow();
        }
        s.nanos = System.nanoTime() - t0;
        return s;
    }

    private Outcome one(Deidentifier engine, Path f, Path q) {
        try {
            long size = Files.size(f);
            DeidResult r = engine.deidentify(new DicomReader().read(f));
            List<String> method = new java.util.ArrayList<>(r.file().dataSet().getStrings(0x00120063));
            method.add(strategyNote);
            r.file().dataSet().putString(0x00120063, org.medveil.dicom.VR.LO, method.toArray(String[]::new));
            String study = r.file().dataSet().getString(0x0020000D);
            String sop = r.file().dataSet().getString(org.medveil.dicom.Tag.SOPInstanceUID);
            Path dir = out.resolve(study == null ? "no-study" : study);
            Files.createDirectories(dir);
            Path target = dir.resolve((sop == null ? "object-" + java.util.UUID.randomUUID() : sop) + ".dcm");
            new DicomWriter().writeFile(r.file(), target, r.outputSyntax());
            return new Outcome(size, r.occlusionRule(), null);
        } catch (DeidRefusedException e) {
            return quarantine(f, q, "refused by the profile", e.getMessage());
        } catch (DicomException e) {
            return quarantine(f, q, "not readable as DICOM", e.getMessage());
        } catch (IOException | RuntimeException e) {
            return quarantine(f, q, "error", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Copies the original into the quarantine folder (same relative path) with a reason file next to it. */
    private Outcome quarantine(Path f, Path q, String category, String message) {
        try {
            Path rel = Files.isDirectory(in) ? in.relativize(f) : f.getFileName();
            Path target = q.resolve(rel.toString());
            Files.createDirectories(target.getParent());
            Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(target.resolveSibling(target.getFileName() + ".reason.txt"),
                    category + ": " + message + System.lineSeparator(), StandardCharsets.UTF_8);
            return new Outcome(0, null, category);
        } catch (IOException e) {
            throw new DeidCliException("cannot write to the quarantine folder " + q + ": " + e.getMessage()
                    + "; check that it is writable", e);
        }
    }

    private List<Path> inputs() {
        if (Files.isRegularFile(in)) {
            return List.of(in);
        }
        if (!Files.isDirectory(in)) {
            throw new DeidCliException("no such file or folder: " + in);
        }
        try (Stream<Path> s = Files.walk(in)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new DeidCliException("cannot list " + in + ": " + e.getMessage(), e);
        }
    }

    private static OcclusionRules rules(LoadedProfile p) {
        if (p.occlusionRules() == null) {
            return OcclusionRules.shipped();
        }
        try {
            return OcclusionRules.load(p.occlusionRules());
        } catch (DicomException e) {
            throw new DeidCliException(e.getMessage(), e);
        }
    }

    private EscrowKey escrowKey(LoadedProfile p) {
        if (!p.profile().escrow()) {
            return null;
        }
        if (escrowKeyFile == null) {
            throw new DeidCliException("profile '" + p.profile().name() + "' sets escrow: true; give the re-identifier's "
                    + "key with --escrow-key FILE (32 bytes, e.g. head -c 32 /dev/urandom > FILE)");
        }
        byte[] k = readKey(escrowKeyFile, "--escrow-key", 32);
        if (k.length != 32) {
            throw new DeidCliException("escrow key " + escrowKeyFile + " has " + k.length + " bytes; an AES-256 key has 32");
        }
        return new EscrowKey(k);
    }

    /** Raw bytes, or hex text when the file holds only hex digits. */
    static byte[] readKey(Path file, String option, int minBytes) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DeidCliException(option + ": cannot read key file " + file + " (" + e.getMessage()
                    + "); create one with: head -c 32 /dev/urandom > " + file, e);
        }
        String text = new String(raw, StandardCharsets.ISO_8859_1).strip();
        byte[] key = text.length() >= 2 * minBytes && text.length() % 2 == 0 && text.matches("[0-9a-fA-F]+")
                ? HexFormat.of().parseHex(text) : raw;
        if (key.length < minBytes) {
            throw new DeidCliException(option + ": key file " + file + " holds " + key.length + " bytes; at least "
                    + minBytes + " random bytes are needed (head -c 32 /dev/urandom > FILE)");
        }
        return key;
    }
}
