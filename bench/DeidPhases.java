import org.medveil.dicom.Tag;
import org.medveil.dicom.VR;
import org.medveil.dicom.deid.AnnexETable;
import org.medveil.dicom.deid.DeidProfile;
import org.medveil.dicom.deid.DeidResult;
import org.medveil.dicom.deid.Deidentifier;
import org.medveil.dicom.deid.EscrowKey;
import org.medveil.dicom.deid.ProjectKey;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;
import org.medveil.dicom.occlusion.OcclusionRules;
import org.medveil.dicom.occlusion.PixelBlanker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Steady-state de-identification in one JVM, one thread, after warm-up (run by
 * bench/deid-vs-gdcmanon.sh; numbers are printed as "key value" lines the script parses).
 *
 * <ul>
 *   <li>{@code steady-basic}, {@code steady-escrow}: files/s for what `medveil deid` does per file
 *       (DeidCommand.one): read the file, de-identify, add the Table 2 note, write
 *       OUT/STUDY/SOP.dcm with {@link DicomWriter#writeFile(DicomFile, Path, org.medveil.dicom.TransferSyntax)}.
 *       Each pass over the inputs writes into a fresh folder; removing it afterwards is not timed;
 *       the median pass is reported, in files/s and in CPU µs per file of the working thread
 *       ({@code steady-basic-cpu}, ...).</li>
 *   <li>{@code streamed-basic}, {@code streamed-escrow}: the same, but read with
 *       {@link DicomReader.Options#PIXEL_DATA_IN_FILE}: the pixel data stay in the input file and
 *       are copied file to file by the kernel when the output is written (what the CLI would do
 *       with that reader option).</li>
 *   <li>{@code phase-*}: the engine alone on the same files held in memory, µs per file: read from
 *       bytes, Basic Profile, Basic Profile + escrow, write to a discarding stream.</li>
 * </ul>
 * Usage: java -cp cli/target/medveil.jar bench/DeidPhases.java IN_DIR WORK_DIR [SECONDS]
 */
public class DeidPhases {
    /** The same note DeidCommand appends to (0012,0063) for a low availability / high confidentiality profile. */
    private static final String NOTE = "T/SCGS 313008 Table 2 avail low conf high";

    public static void main(String[] args) throws Exception {
        Path in = Path.of(args[0]);
        Path work = Path.of(args[1]);
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 3;
        List<Path> files;
        try (Stream<Path> s = Files.walk(in)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        ProjectKey key = ProjectKey.generate();
        Deidentifier basic = Deidentifier.of(DeidProfile.basic(), key);
        Deidentifier escrow = new Deidentifier(AnnexETable.standard(), DeidProfile.basic().withEscrow(true), key,
                OcclusionRules.shipped(), new PixelBlanker(), EscrowKey.generate());

        // warm-up (not reported), then the measured run, for each mode
        DicomReader.Options cli = DicomReader.Options.DEFAULT;
        steady(basic, cli, files, work, seconds);
        report("steady-basic", steady(basic, cli, files, work, seconds));
        steady(escrow, cli, files, work, seconds);
        report("steady-escrow", steady(escrow, cli, files, work, seconds));
        // the same with the pixel data left in the input file and copied file to file on write
        // (looked up by name so that this file also runs against versions without the option)
        DicomReader.Options streamed = null;
        try {
            streamed = (DicomReader.Options) DicomReader.Options.class.getField("PIXEL_DATA_IN_FILE").get(null);
        } catch (NoSuchFieldException e) {
            System.out.println("streamed-basic nan");
            System.out.println("streamed-escrow nan");
        }
        if (streamed != null) {
            steady(basic, streamed, files, work, seconds);
            report("streamed-basic", steady(basic, streamed, files, work, seconds));
            steady(escrow, streamed, files, work, seconds);
            report("streamed-escrow", steady(escrow, streamed, files, work, seconds));
        }

        List<byte[]> bytes = new ArrayList<>();
        for (Path p : files) {
            bytes.add(Files.readAllBytes(p));
        }
        phases(basic, escrow, bytes, seconds, false); // warm-up
        phases(basic, escrow, bytes, seconds, true);
    }

    /**
     * Files/s of read → de-identify → write, as the CLI does it: passes over all the files (each
     * into a fresh folder, as gdcmanon writes into an empty one) for about {@code seconds}, at
     * least three; the median pass, because the file system's cost of new files jumps from
     * pass to pass on a shared machine.
     */
    static double[] steady(Deidentifier engine, DicomReader.Options options, List<Path> files, Path work, double seconds)
            throws Exception {
        List<Double> rates = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        long busy = 0;
        int pass = 0;
        while (busy < seconds * 1e9 || rates.size() < 3) {
            Path out = work.resolve("pass-" + pass++);
            long c0 = CPU.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (Path f : files) {
                one(engine, options, f, out);
            }
            long t = System.nanoTime() - t0;
            cpu.add((CPU.getCurrentThreadCpuTime() - c0) / 1e3 / files.size());
            busy += t;
            rates.add(files.size() / (t / 1e9));
            delete(out); // not timed
        }
        return new double[] {median(rates), median(cpu)};
    }

    /** The CPU time (user + system) of this thread, which does all the work of a pass. */
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    static double median(List<Double> v) {
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    static void report(String mode, double[] r) {
        System.out.printf("%s %.1f%n%s-cpu %.1f%n", mode, r[0], mode, r[1]);
    }

    /** What DeidCommand.one does for a file that de-identifies. */
    static void one(Deidentifier engine, DicomReader.Options options, Path f, Path out) throws Exception {
        Files.size(f);
        DeidResult r = engine.deidentify(new DicomReader(options).read(f));
        List<String> method = new ArrayList<>(r.file().dataSet().getStrings(0x00120063));
        method.add(NOTE);
        r.file().dataSet().putString(0x00120063, VR.LO, method.toArray(String[]::new));
        String study = r.file().dataSet().getString(0x0020000D);
        String sop = r.file().dataSet().getString(Tag.SOPInstanceUID);
        Path dir = out.resolve(study == null ? "no-study" : study);
        Files.createDirectories(dir);
        new DicomWriter().writeFile(r.file(), dir.resolve(sop + ".dcm"), r.outputSyntax());
    }

    static void phases(Deidentifier basic, Deidentifier escrow, List<byte[]> files, double seconds, boolean print)
            throws IOException {
        DicomReader reader = new DicomReader();
        DicomWriter writer = new DicomWriter();
        OutputStream sink = OutputStream.nullOutputStream();
        long tRead = 0, tBasic = 0, tEscrow = 0, tWrite = 0;
        int n = 0;
        while (tRead + tBasic + tEscrow + tWrite < seconds * 1e9) {
            for (byte[] b : files) {
                long t0 = System.nanoTime();
                DicomFile f = reader.read(b);
                long t1 = System.nanoTime();
                DeidResult r = basic.deidentify(f);
                long t2 = System.nanoTime();
                DicomFile g = reader.read(b);
                long t3 = System.nanoTime();
                escrow.deidentify(g);
                long t4 = System.nanoTime();
                writer.writeFile(r.file(), sink, r.outputSyntax());
                long t5 = System.nanoTime();
                tRead += t1 - t0;
                tBasic += t2 - t1;
                tEscrow += t4 - t3;
                tWrite += t5 - t4;
                n++;
            }
        }
        if (!print) {
            return;
        }
        System.out.printf("phase-read %.1f%n", tRead / 1e3 / n);
        System.out.printf("phase-basic %.1f%n", tBasic / 1e3 / n);
        System.out.printf("phase-escrow %.1f%n", tEscrow / 1e3 / n);
        System.out.printf("phase-write %.1f%n", tWrite / 1e3 / n);
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
