package org.medveil.cli.models;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.stream.Stream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.medveil.models.synth.SiteSummary;
import org.medveil.models.synth.SyntheticGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code medveil synth}: writes the reproducible multi-site synthetic CT data set (DICOM files plus
 * a labels.csv per site) that demos and benchmarks train on.
 */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a reproducible synthetic multi-site CT data set (DICOM + labels).",
                "Per site a folder of DICOM files (lesion / no lesion) and a labels.csv (SOPInstanceUID,label).",
                "Sites differ in calibration, noise, resolution, lesion appearance and class balance;",
                "headers carry invented PHI (incl. GB18030 Chinese names) and some images burned-in text.",
                "The same --seed gives byte-identical files."})
public final class SynthCommand implements Runnable {

    @Option(names = "--sites", paramLabel = "K", defaultValue = "3",
            description = "Number of sites (default: ${DEFAULT-VALUE}).")
    int sites;

    @Option(names = "--patients", paramLabel = "N", defaultValue = "100",
            description = "Patients (one slice each) per site (default: ${DEFAULT-VALUE}).")
    int patients;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Output folder; sites go to DIR/site-1, DIR/site-2, ...")
    Path out;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed for every random choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--force",
            description = "Write into --out even when it is not empty (files of the same names are replaced).")
    boolean force;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (sites < 1 || sites > 100) {
            throw new IllegalArgumentException("--sites must be between 1 and 100, got " + sites);
        }
        if (patients < 1 || patients > 1_000_000) {
            throw new IllegalArgumentException("--patients must be between 1 and 1000000, got " + patients);
        }
        if (!force && !emptyOrAbsent(out)) {
            // A second run over an older data set would mix the two (other --seed, fewer patients).
            throw new IllegalArgumentException("--out " + out + " is not empty; choose a new folder, or pass --force"
                    + " to write into it (files of the same names are replaced, others are left)");
        }
        PrintWriter w = spec.commandLine().getOut();
        List<SiteSummary> summaries = new SyntheticGenerator(seed).generate(sites, patients, out);
        for (SiteSummary s : summaries) {
            w.printf(Locale.ROOT, "%s: %d images, %d with lesion, %d with burned-in text, %d Chinese names -> %s%n",
                    s.site(), s.images(), s.positives(), s.burnedIn(), s.chineseNames(), s.folder());
        }
        w.flush();
    }

    private static boolean emptyOrAbsent(Path dir) {
        if (!Files.exists(dir)) {
            return true;
        }
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --out " + dir + ": " + e.getMessage(), e);
        }
    }
}
