import org.medveil.dicom.DicomException;
import org.medveil.dicom.dump.DumpFormatter;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Parse throughput of the MedVeil DICOM reader over a folder of files held in memory (so the disk
 * is not measured). Run by bench/dicom-parse.sh, which also times dcmdump on the same files.
 * Usage: java -cp <dicom classes> DicomParseBench.java DIR SECONDS
 */
public class DicomParseBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        double seconds = Double.parseDouble(args[1]);
        List<byte[]> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                byte[] b = Files.readAllBytes(p);
                try {
                    new DicomReader().read(b);
                    files.add(b);
                } catch (DicomException e) {
                    // refused files are left out so both tools parse the same set
                }
            }
        }
        long bytes = files.stream().mapToLong(b -> b.length).sum();
        System.out.printf("corpus: %d files, %.2f MB%n", files.size(), bytes / 1e6);
        DicomReader full = new DicomReader();
        DicomReader headers = new DicomReader(DicomReader.Options.HEADERS);
        DumpFormatter dump = new DumpFormatter(false);
        for (String mode : List.of("parse", "parse-headers-only", "parse+dump")) {
            run(mode, files, bytes, seconds / 3, full, headers, dump); // warm-up
            double mbps = run(mode, files, bytes, seconds, full, headers, dump);
            System.out.printf("medveil %-20s %8.1f MB/s%n", mode, mbps);
        }
    }

    private static double run(String mode, List<byte[]> files, long bytes, double seconds, DicomReader full,
                              DicomReader headers, DumpFormatter dump) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        long rounds = 0;
        long sink = 0;
        do {
            for (byte[] b : files) {
                DicomFile f = mode.equals("parse-headers-only") ? headers.read(b) : full.read(b);
                sink += f.dataSet().size();
                if (mode.equals("parse+dump")) {
                    sink += dump.format(f.dataSet()).length();
                }
            }
            rounds++;
        } while (System.nanoTime() < deadline);
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (sink == 42) {
            System.out.print(""); // keeps the JIT from discarding the work
        }
        return rounds * bytes / 1e6 / elapsed;
    }
}
