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

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * In-memory steady-state cost of de-identification per file, by phase (read, Basic Profile,
 * Basic Profile + escrow, write), one thread, no disk: the engine without the file system.
 * Run: java -cp cli/target/medveil.jar bench/DeidPhases.java [SECONDS]
 */
public class DeidPhases {
    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        Path src = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");
        List<byte[]> files = new ArrayList<>();
        long bytes = 0;
        for (String f : List.of("CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "rtdose.dcm", "rtstruct.dcm",
                "test-SR.dcm", "liver_1frame.dcm", "SC_rgb_rle.dcm")) {
            byte[] b = Files.readAllBytes(src.resolve(f));
            files.add(b);
            bytes += b.length;
        }
        Deidentifier basic = Deidentifier.of(DeidProfile.basic(), ProjectKey.generate());
        Deidentifier escrow = new Deidentifier(AnnexETable.standard(), DeidProfile.basic().withEscrow(true),
                ProjectKey.generate(), OcclusionRules.shipped(), new PixelBlanker(), EscrowKey.generate());
        DicomReader reader = new DicomReader();
        DicomWriter writer = new DicomWriter();
        for (int round = 0; round < 2; round++) { // round 0 warms the JIT up
            long tRead = 0, tBasic = 0, tEscrow = 0, tWrite = 0;
            int n = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
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
                    writer.writeFile(r.file(), new ByteArrayOutputStream(), r.outputSyntax());
                    long t5 = System.nanoTime();
                    tRead += t1 - t0;
                    tBasic += t2 - t1;
                    tEscrow += t4 - t3;
                    tWrite += t5 - t4;
                    n++;
                }
            }
            if (round == 1) {
                double mbPerFile = bytes / 1e6 / files.size();
                System.out.printf("files: %d (%.1f kB average), one thread, in memory%n", n, mbPerFile * 1e3);
                System.out.printf("read           %7.1f us/file%n", tRead / 1e3 / n);
                System.out.printf("basic profile  %7.1f us/file  %8.0f files/s  %6.1f MB/s%n", tBasic / 1e3 / n,
                        n / (tBasic / 1e9), n * mbPerFile / (tBasic / 1e9));
                System.out.printf("basic + escrow %7.1f us/file  %8.0f files/s  %6.1f MB/s%n", tEscrow / 1e3 / n,
                        n / (tEscrow / 1e9), n * mbPerFile / (tEscrow / 1e9));
                System.out.printf("write          %7.1f us/file%n", tWrite / 1e3 / n);
            }
        }
    }
}
