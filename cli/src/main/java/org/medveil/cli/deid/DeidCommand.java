package org.medveil.cli.deid;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.medveil.cli.dicom.MediaDirectory;
import org.medveil.dicom.files.NoReplaceFiles;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.deid.AnnexETable;
import org.medveil.dicom.deid.DeidRefusedException;
import org.medveil.dicom.deid.DeidResult;
import org.medveil.dicom.deid.Deidentifier;
import org.medveil.dicom.deid.EscrowKey;
import org.medveil.dicom.deid.ProjectKey;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;
import org.medveil.dicom.net.DirectoryStore;
import org.medveil.dicom.occlusion.OcclusionRules;
import org.medveil.dicom.occlusion.PixelBlanker;
import org.medveil.governance.config.ConfigException;
import org.medveil.governance.deid.DeidProfiles;
import org.medveil.governance.deid.LoadedProfile;
import org.medveil.governance.strategy.StrategyDecision;
import org.medveil.governance.strategy.StrategyViolationException;
import org.medveil.models.data.DatasetException;
import org.medveil.models.data.LabeledFolders;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
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
 * refused go to the quarantine folder with a reason file, and the run goes on. An output is never
 * replaced: a second input with the same SOP Instance UID is a duplicate (same content, no second
 * file) or is quarantined. DICOMDIRs are skipped, never copied. Every input is counted once.
 * A label sidecar ({@code IN/labels.csv}, or {@code --labels FILE}) is not an input: it follows
 * the objects to {@code OUT/labels.csv}, re-keyed to their new SOP Instance UIDs (see {@link CarriedLabels}).
 */
@Command(name = "deid", mixinStandardHelpOptions = true,
        description = {"De-identify DICOM files with a PS3.15 Annex E profile (Basic Profile + options), "
                + "checked against Table 2 of T/SCGS 313008-2024.",
                "Outputs go to OUT/<StudyUID>/<SOPInstanceUID>.dcm and are never replaced; unreadable or refused "
                        + "files, and inputs whose SOP Instance UID is already taken by different content, go to the "
                        + "quarantine folder with a .reason.txt each. An input that de-identifies to an existing output's "
                        + "content is counted as a duplicate. A DICOMDIR is skipped (not copied); the files it references "
                        + "are de-identified. Exit code 1 only when no file could be de-identified.",
                "Labels follow the images: a labels.csv at the top of the IN folder in the format 'medveil train' reads "
                        + "(SOPInstanceUID,label lines) is not treated as an input but written to OUT/labels.csv with each row "
                        + "re-keyed to its object's new SOP Instance UID, so 'medveil train --data OUT' works; rows whose "
                        + "object was not de-identified are dropped and counted, and no original UID is written."})
public final class DeidCommand implements Callable<Integer> {

    @Option(names = "--profile", required = true, paramLabel = "FILE",
            description = "Profile YAML (see config/deid/*.yaml): name, scenario, options, dates, ...")
    Path profileFile;

    @Option(names = "--key", required = true, paramLabel = "FILE",
            description = "Project substitution key: exactly 32 random bytes, raw or as 64 hex characters (one trailing newline allowed) "
                    + "(create one with: head -c 32 /dev/urandom > FILE; keep it secret, the same for a whole project).")
    Path keyFile;

    @Option(names = "--escrow-key", paramLabel = "FILE",
            description = "Re-identifier's AES-256 key (exactly 32 bytes raw, or 64 hex characters); required when the profile sets escrow: true.")
    Path escrowKeyFile;

    @Option(names = "--quarantine", paramLabel = "DIR",
            description = "Where refused or unreadable files go (default: OUT-quarantine next to OUT).")
    Path quarantine;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Label file to carry along instead of IN/labels.csv (same format: SOPInstanceUID,label "
                    + "per line); its rows go to OUT/labels.csv under the new SOP Instance UIDs. An existing OUT/labels.csv "
                    + "is merged with (rows added), never overwritten with other labels.")
    Path labelsFile;

    @Option(names = "--no-progress", description = "Do not draw the progress bar (never drawn without a terminal).")
    boolean noProgress;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Files de-identified in parallel (default: one per processor).")
    int threads;

    @Parameters(index = "0", paramLabel = "IN",
            description = "Input file or folder; a DICOMDIR file stands for the files it references.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "Output folder; not IN and not inside IN.")
    Path out;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private String strategyNote;
    private EscrowKey escrow;
    private final Set<Path> madeDirs = ConcurrentHashMap.newKeySet();
    /** The labels carried along, or null; read before any output is written. */
    private CarriedLabels labels;
    /** Why IN/labels.csv was not carried along, or null. */
    private String labelsNote;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        refuseOutInsideIn();
        DeidProfiles profiles = DeidProfiles.standard();
        LoadedProfile profile;
        StrategyDecision decision;
        try {
            profile = profiles.load(profileFile);
            decision = profiles.check(profile);
        } catch (ConfigException | StrategyViolationException e) {
            throw new DeidCliException(e.getMessage(), e);
        }
        escrow = escrowKey(profile);
        Deidentifier engine = new Deidentifier(AnnexETable.standard(), profile.profile(), new ProjectKey(readKey(keyFile, "--key")),
                rules(profile), new PixelBlanker(), escrow);
        labels = labels();
        Inputs inputs = inputs();
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
        Summary s = run(engine, inputs, q);
        o.println(s.describe(q));
        if (labelsNote != null) {
            o.println(labelsNote);
        }
        if (s.done + s.duplicates == 0 && s.quarantined > 0) {
            throw new DeidCliException("no file could be de-identified; " + s.quarantined + " input(s) are in the "
                    + "quarantine folder " + q + " with their reasons" + (labels != null ? "; no labels written" : ""));
        }
        if (labels != null) {
            o.println(labels.writeTo(out).describe());
        }
        return 0;
    }

    /** Reasons printed in the summary and written next to quarantined files. */
    static final String DUPLICATE_DIFFERENT = org.medveil.dicom.files.DuplicateSop.DIFFERENT_CONTENT;
    static final String SKIPPED_DICOMDIR = "media directory (DICOMDIR), not copied: its Referenced File IDs often "
            + "hold patient IDs; the files it references are de-identified one by one";

    /**
     * Counts for the summary; reasons are categories, never file names. Every input lands in
     * exactly one of done, duplicates, quarantined and skipped.
     */
    private static final class Summary {
        int inputs;
        int done;
        int duplicates;
        int quarantined;
        int skipped;
        int missingReferences;
        int outsideReferences;
        long bytes;
        long nanos;
        final Map<String, Integer> reasons = new TreeMap<>();
        final Map<String, Integer> rulesApplied = new TreeMap<>();

        String describe(Path q) {
            double secs = Math.max(1e-9, nanos / 1e9);
            String nl = System.lineSeparator();
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("de-identified %d file(s), quarantined %d, duplicates %d, skipped %d (%d input(s)); "
                            + "%.1f MB in %.2f s (%.1f files/s, %.1f MB/s)",
                    done, quarantined, duplicates, skipped, inputs, bytes / 1e6, secs, inputs / secs, bytes / 1e6 / secs));
            rulesApplied.forEach((r, n) -> sb.append(nl).append("  occlusion rule '").append(r).append("': ").append(n));
            if (duplicates > 0) {
                sb.append(nl).append("  duplicates (same SOP Instance UID and same content as an output; no second file): ")
                        .append(duplicates);
            }
            if (skipped > 0) {
                sb.append(nl).append("  skipped (").append(SKIPPED_DICOMDIR).append("): ").append(skipped);
            }
            if (missingReferences > 0) {
                sb.append(nl).append("  a DICOMDIR references ").append(missingReferences)
                        .append(" file(s) that are not in the input; they were not de-identified");
            }
            if (outsideReferences > 0) {
                sb.append(nl).append("  a DICOMDIR references ").append(outsideReferences)
                        .append(" file(s) outside its folder; they were not followed");
            }
            if (quarantined > 0) {
                reasons.forEach((r, n) -> sb.append(nl).append("  quarantined (").append(r).append("): ").append(n));
                sb.append(nl).append("  see ").append(q).append(" (one .reason.txt per file)");
            }
            return sb.toString();
        }
    }

    private enum Kind { DONE, DUPLICATE, QUARANTINED, SKIPPED }

    /** What happened to one input; the summary is built on the calling thread only. */
    private record Outcome(Kind kind, long bytes, String rule, String quarantineCategory,
                           MediaDirectory.References references) {
        static Outcome of(Kind kind, long bytes) { return new Outcome(kind, bytes, null, null, null); }
    }

    /**
     * The files to de-identify, each once; {@code base} is the folder quarantine paths are
     * relative to; {@code references} are what a DICOMDIR given as IN pointed at.
     */
    private record Inputs(List<Path> files, Path base, MediaDirectory.References references) {}

    private Summary run(Deidentifier engine, Inputs inputs, Path q) {
        List<Path> files = inputs.files();
        Summary s = new Summary();
        s.inputs = files.size();
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        if (n > 64) {
            throw new DeidCliException("--threads " + threads + " is too many; use at most 64");
        }
        List<MediaDirectory.References> seenReferences = new ArrayList<>();
        if (inputs.references() != null) {
            seenReferences.add(inputs.references());
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        long t0 = System.nanoTime();
        // no bar when stderr is not a terminal (a log file, a pipe, a service): it would fill it with redraws
        boolean drawBar = !noProgress && System.console() != null;
        try (ProgressBar bar = !drawBar ? null : new ProgressBarBuilder().setTaskName("deid").setInitialMax(files.size())
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUnit(" files", 1).build()) {
            CompletionService<Outcome> done = new ExecutorCompletionService<>(pool);
            for (Path f : files) {
                done.submit(() -> one(engine, f, inputs.base(), q));
            }
            for (int i = 0; i < files.size(); i++) {
                Outcome o = done.take().get();
                s.bytes += o.bytes();
                switch (o.kind()) {
                    case DONE -> {
                        s.done++;
                        if (o.rule() != null) {
                            s.rulesApplied.merge(o.rule(), 1, Integer::sum);
                        }
                    }
                    case DUPLICATE -> s.duplicates++;
                    case SKIPPED -> {
                        s.skipped++;
                        if (o.references() != null && inputs.references() == null) {
                            seenReferences.add(o.references());
                        }
                    }
                    case QUARANTINED -> {
                        s.quarantined++;
                        s.reasons.merge(o.quarantineCategory(), 1, Integer::sum);
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
        // a DICOMDIR's references should all be inputs; say how many were not (never which: they name patients)
        Set<Path> given = new HashSet<>();
        files.forEach(f -> given.add(f.toAbsolutePath().normalize()));
        for (MediaDirectory.References r : seenReferences) {
            s.outsideReferences += r.outside();
            s.missingReferences += (int) r.files().stream().filter(p -> !given.contains(p)).count();
        }
        return s;
    }

    private Outcome one(Deidentifier engine, Path f, Path base, Path q) {
        long size = 0;
        try {
            size = Files.size(f);
            DicomFile input = new DicomReader().read(f);
            if (MediaDirectory.is(input)) {
                // never copied: records point at each other by offset and name files by patient folders
                Path folder = f.toAbsolutePath().getParent();
                return new Outcome(Kind.SKIPPED, size, null, null, MediaDirectory.references(input, folder));
            }
            // read before de-identification replaces it: the labels are keyed on it
            String oldSop = labels == null ? null : input.dataSet().getString(org.medveil.dicom.Tag.SOPInstanceUID);
            DeidResult r = engine.deidentify(input);
            List<String> method = new ArrayList<>(r.file().dataSet().getStrings(0x00120063));
            method.add(strategyNote);
            r.file().dataSet().putString(0x00120063, org.medveil.dicom.VR.LO, method.toArray(String[]::new));
            String study = r.file().dataSet().getString(0x0020000D);
            String sop = r.file().dataSet().getString(org.medveil.dicom.Tag.SOPInstanceUID);
            Path dir = directory(out.resolve(study == null ? "no-study" : study));
            Path target = dir.resolve((sop == null ? "object-" + java.util.UUID.randomUUID() : sop) + ".dcm");
            NoReplaceFiles.Placed placed = NoReplaceFiles.place(target,
                    o -> new DicomWriter().writeFile(r.file(), o, r.outputSyntax()), this::sameObject);
            if (labels != null && placed != NoReplaceFiles.Placed.DIFFERENT) {
                labels.deidentified(oldSop, sop);
            }
            return switch (placed) {
                case CREATED -> new Outcome(Kind.DONE, size, r.occlusionRule(), null, null);
                case SAME -> Outcome.of(Kind.DUPLICATE, size);
                case DIFFERENT -> quarantine(f, base, q, size, DUPLICATE_DIFFERENT, "another input with the same SOP "
                        + "Instance UID was de-identified to a different data set; its output was kept, not replaced");
            };
        } catch (DeidRefusedException e) {
            return quarantine(f, base, q, size, "refused by the profile", e.getMessage());
        } catch (DicomException e) {
            return quarantine(f, base, q, size, "not readable as DICOM", e.getMessage());
        } catch (IOException | RuntimeException e) {
            return quarantine(f, base, q, size, "error", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Creates an output folder once per run (not a stat and mkdir per file). */
    private Path directory(Path dir) throws IOException {
        if (!madeDirs.contains(dir)) {
            Files.createDirectories(dir);
            madeDirs.add(dir);
        }
        return dir;
    }

    /**
     * Whether our new output holds the same object as the existing file of the same name: same
     * bytes, or equal data sets. Escrow seals the originals with a random nonce, so two sealings of
     * one input differ in bytes: then the sealed originals are recovered and compared instead.
     */
    private boolean sameObject(Path ours, Path existing) throws IOException {
        if (Files.mismatch(ours, existing) == -1) {
            return true;
        }
        DicomFile a;
        DicomFile b;
        try {
            a = new DicomReader().read(ours);
            b = new DicomReader().read(existing);
        } catch (DicomException e) {
            return false;
        }
        if (escrow != null && a.dataSet().contains(EscrowKey.ENCRYPTED_ATTRIBUTES_SEQUENCE)
                && b.dataSet().contains(EscrowKey.ENCRYPTED_ATTRIBUTES_SEQUENCE)) {
            try {
                if (!DirectoryStore.sameObject(escrow.recover(a.dataSet()), escrow.recover(b.dataSet()))) {
                    return false;
                }
            } catch (DicomException e) {
                return false; // sealed under another key, or altered
            }
            a.dataSet().remove(EscrowKey.ENCRYPTED_ATTRIBUTES_SEQUENCE);
            b.dataSet().remove(EscrowKey.ENCRYPTED_ATTRIBUTES_SEQUENCE);
        }
        return DirectoryStore.sameObject(a.dataSet(), b.dataSet());
    }

    /**
     * Copies the original into the quarantine folder (same relative path) with a reason file next
     * to it. Never replaces a file there: a different file under that name from an earlier run
     * keeps its name and this one gets "~2", "~3", ...
     */
    private Outcome quarantine(Path f, Path base, Path q, long size, String category, String message) {
        byte[] reason = (category + ": " + message + System.lineSeparator()).getBytes(StandardCharsets.UTF_8);
        try {
            Path rel = base != null ? base.relativize(f.toAbsolutePath().normalize()) : f.getFileName();
            Path first = q.resolve(rel.toString());
            directory(first.getParent());
            for (int n = 1; n < 1000; n++) {
                Path copy = n == 1 ? first : first.resolveSibling(first.getFileName() + "~" + n);
                if (NoReplaceFiles.place(copy, o -> Files.copy(f, o), BYTES) == NoReplaceFiles.Placed.DIFFERENT) {
                    continue;
                }
                Path why = copy.resolveSibling(copy.getFileName() + ".reason.txt");
                if (NoReplaceFiles.place(why, o -> o.write(reason), BYTES) != NoReplaceFiles.Placed.DIFFERENT) {
                    return new Outcome(Kind.QUARANTINED, size, null, category, null);
                }
            }
            throw new IOException("999 files of that name are already there");
        } catch (IOException e) {
            throw new DeidCliException("cannot write to the quarantine folder " + q + ": " + e.getMessage()
                    + "; check that it is writable", e);
        }
    }

    private static final NoReplaceFiles.Same BYTES = (a, b) -> Files.mismatch(a, b) == -1;

    /**
     * IN as a list of files, each once: a folder's files in name order; a file; or a DICOMDIR
     * file, which stands for itself (skipped) and the files it references.
     */
    private Inputs inputs() {
        Path abs = in.toAbsolutePath().normalize();
        if (Files.isRegularFile(in)) {
            MediaDirectory.References refs = null;
            try {
                DicomFile f = new DicomReader().read(in);
                if (MediaDirectory.is(f)) {
                    refs = MediaDirectory.references(f, abs.getParent());
                }
            } catch (IOException e) {
                // not readable: one() quarantines it with the reason
            }
            if (refs == null) {
                return new Inputs(List.of(in), null, null);
            }
            List<Path> files = new ArrayList<>();
            files.add(abs);
            refs.files().stream().filter(Files::isRegularFile).forEach(files::add);
            return new Inputs(files, abs.getParent(), refs);
        }
        if (!Files.isDirectory(in)) {
            throw new DeidCliException("no such file or folder: " + in);
        }
        Path carried = labels == null ? null : labels.source().toAbsolutePath().normalize();
        try (Stream<Path> s = Files.walk(abs)) {
            return new Inputs(s.filter(Files::isRegularFile).filter(p -> !p.equals(carried)).sorted().toList(), abs, null);
        } catch (IOException e) {
            throw new DeidCliException("cannot list " + in + ": " + e.getMessage(), e);
        }
    }

    /**
     * The label file to carry along: --labels, else IN/labels.csv when IN is a folder. A bad
     * --labels file stops the run before anything is written; an IN/labels.csv that is not in
     * train's format is left as an ordinary input (quarantined as not DICOM) with a note.
     */
    private CarriedLabels labels() {
        Path detected = Files.isDirectory(in) ? in.resolve(LabeledFolders.LABELS) : null;
        if (detected != null && !Files.isRegularFile(detected)) {
            detected = null;
        }
        if (labelsFile != null) {
            if (!Files.isRegularFile(labelsFile)) {
                throw new DeidCliException("--labels " + labelsFile + ": no such file; give the label file "
                        + "(SOPInstanceUID,label per line) of the images in IN");
            }
            try {
                if (detected != null && !Files.isSameFile(detected, labelsFile)) {
                    throw new DeidCliException("two label files: --labels " + labelsFile + " and " + detected
                            + "; move the one that should not follow the images out of IN, or drop --labels");
                }
                return CarriedLabels.read(labelsFile.toAbsolutePath().normalize());
            } catch (DatasetException e) {
                throw new DeidCliException("--labels: " + e.getMessage() + "; fix the file (SOPInstanceUID,label per line)", e);
            } catch (IOException e) {
                throw new DeidCliException("--labels " + labelsFile + ": " + e.getMessage(), e);
            }
        }
        if (detected == null) {
            return null;
        }
        try {
            return CarriedLabels.read(detected.toAbsolutePath().normalize());
        } catch (DatasetException e) {
            labelsNote = "labels: " + detected + " is not in the SOPInstanceUID,label format train reads (" + e.getMessage()
                    + "); it was quarantined like any non-DICOM file, not carried along; fix it and run again, "
                    + "or name the right file with --labels";
            return null;
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
        return new EscrowKey(readKey(escrowKeyFile, "--escrow-key"));
    }

    /**
     * Exactly what --help promises: 32 raw bytes, or 64 hex characters with at most one trailing
     * newline. Anything else (a short key, a typo in the hex, a pasted key with spaces) is refused
     * rather than guessed at, since a wrong key silently changes every substituted UID.
     */
    static byte[] readKey(Path file, String option) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DeidCliException(option + ": cannot read key file " + file + " (" + e.getMessage()
                    + "); create one with: head -c 32 /dev/urandom > " + file, e);
        }
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.length() == 64 && text.matches("[0-9a-fA-F]{64}")) {
            return HexFormat.of().parseHex(text);
        }
        if (raw.length == 32) {
            return raw;
        }
        throw new DeidCliException(option + ": key file " + file + " holds " + raw.length + " bytes; expected exactly "
                + "32 raw bytes (head -c 32 /dev/urandom > FILE) or 64 hex characters, optionally followed by one newline");
    }

    /**
     * Refuses an OUT equal to IN or inside it: a re-run would read its own outputs as inputs.
     * Compares real paths (links resolved); OUT need not exist yet, so its deepest existing
     * ancestor is resolved and the rest appended. Creates nothing.
     */
    private void refuseOutInsideIn() {
        if (!Files.exists(in)) {
            return; // inputs() reports it
        }
        try {
            Path inReal = in.toRealPath();
            Path o = out.toAbsolutePath().normalize();
            Path existing = o;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            Path outReal = existing == null ? o : existing.toRealPath().resolve(existing.relativize(o));
            if (outReal.startsWith(inReal)) {
                throw new DeidCliException("OUT " + out + (outReal.equals(inReal) ? " is IN" : " is inside IN " + in)
                        + "; choose an output folder outside the input");
            }
        } catch (IOException e) {
            throw new DeidCliException("cannot resolve IN or OUT: " + e.getMessage(), e);
        }
    }
}
