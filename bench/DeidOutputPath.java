import org.medveil.dicom.files.NoReplaceFiles;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.Tag;
import org.medveil.dicom.VR;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Where an output's time goes, without the engine: 300 MR objects of 384 KB (pydicom's MR_small
 * with a 512x384 16-bit matrix, each with its own SOP Instance UID) are built in memory once, then
 * written N rounds, each round every way in turn, in a folder next to the current one:
 * <pre>
 *   memory  serialise to a discarding stream (the writer alone)
 *   raw     the already serialised bytes, one write to a new file (the kernel's floor)
 *   rename  DicomWriter.writeFile(Path): temporary file + atomic rename (the path before issue 9)
 *   link    NoReplaceFiles.place: hidden temporary file + hard link + unlink (the path now)
 *   fsync   a new file and FileChannel.force per file (what a per-file sync would cost)
 * </pre>
 * Usage: java -cp cli/target/medveil.jar bench/DeidOutputPath.java [ROUNDS]   (default 7; round 1 is warm-up)
 */
public class DeidOutputPath {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        DicomFile mr = new DicomReader().read(Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files/MR_small.dcm"));
        DataSet ds = mr.dataSet();
        ds.putInts(Tag.Rows, VR.US, 384);
        ds.putInts(Tag.Columns, VR.US, 512);
        byte[] px = new byte[384 * 512 * 2];
        new Random(9).nextBytes(px);
        ds.putBytes(Tag.PixelData, VR.OW, px);
        mr.meta().remove(Tag.MediaStorageSOPInstanceUID);
        List<DicomFile> objects = new ArrayList<>();
        List<byte[]> bytes = new ArrayList<>();
        Random uids = new Random(42);
        for (int i = 0; i < 300; i++) {
            DataSet c = ds.copy();
            c.putString(Tag.SOPInstanceUID, VR.UI, "2.25." + new BigInteger(120, uids));
            DicomFile f = new DicomFile(mr.meta().copy(), c, mr.transferSyntax(), 0);
            objects.add(f);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            new DicomWriter().writeFile(f, b, f.transferSyntax());
            bytes.add(b.toByteArray());
        }
        Path root = Files.createTempDirectory(Path.of("."), ".deid-output-path-");
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (String mode : List.of("memory", "raw", "rename", "link", "fsync")) {
                Path dir = Files.createDirectories(root.resolve(mode + round));
                long t0 = System.nanoTime();
                for (int i = 0; i < objects.size(); i++) {
                    DicomFile f = objects.get(i);
                    Path target = dir.resolve(i + ".dcm");
                    switch (mode) {
                        case "memory" -> new DicomWriter().writeFile(f, OutputStream.nullOutputStream(), f.transferSyntax());
                        case "raw" -> {
                            try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                                ch.write(ByteBuffer.wrap(bytes.get(i)));
                            }
                        }
                        case "rename" -> new DicomWriter().writeFile(f, target, f.transferSyntax());
                        case "link" -> NoReplaceFiles.place(target, o -> new DicomWriter().writeFile(f, o, f.transferSyntax()),
                                (a, b) -> false);
                        case "fsync" -> {
                            try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                                 OutputStream o = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                                new DicomWriter().writeFile(f, o, f.transferSyntax());
                                o.flush();
                                ch.force(true);
                            }
                        }
                        default -> throw new IllegalStateException(mode);
                    }
                }
                if (round > 0) {
                    ms.computeIfAbsent(mode, k -> new ArrayList<>()).add((System.nanoTime() - t0) / 1e6 / objects.size());
                }
            }
            try (Stream<Path> s = Files.walk(root)) { // keep the page cache from filling up with old rounds
                s.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(root)).forEach(p -> p.toFile().delete());
            }
        }
        Files.delete(root);
        System.out.printf("300 files of %d bytes, %d rounds after warm-up%n", bytes.get(0).length, rounds - 1);
        ms.forEach((mode, l) -> {
            Collections.sort(l);
            System.out.printf("%-7s median %6.3f ms/file  (min %.3f, max %.3f)%n", mode, l.get(l.size() / 2), l.get(0), l.get(l.size() - 1));
        });
        System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }
}
