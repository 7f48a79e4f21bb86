package org.medveil.cli.deid;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.cli.CliRun;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.VR;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;
import org.medveil.testsupport.External;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9 part 6: `medveil deid` killed with SIGKILL in the middle of a run leaves no partly
 * written file under a final name; a re-run into the same folder finds every output it left
 * complete (a duplicate) and quarantines nothing. Runs the packaged jar as a separate process.
 */
@Tag("issue-9")
class DeidKillIT {
    private static final Path JAR = Path.of(System.getProperty("user.dir"), "target", "medveil.jar");
    private static final int ROWS = 384;
    private static final int COLS = 512;

    @TempDir
    Path dir;

    private static List<Path> outputs(Path out) throws Exception {
        if (!Files.exists(out)) {
            return List.of();
        }
        // the run may rename or remove a temporary file while we walk: look again
        for (int attempt = 0; ; attempt++) {
            try (Stream<Path> s = Files.walk(out)) {
                return s.filter(Files::isRegularFile).toList();
            } catch (java.io.UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 20) {
                    throw e;
                }
            }
        }
    }

    /** Outputs under their final names (not the hidden temporary files). */
    private static long finished(Path out) throws Exception {
        return outputs(out).stream().filter(f -> !f.getFileName().toString().startsWith(".")).count();
    }

    @Test
    void killedRunLeavesOnlyCompleteOutputs() throws Exception {
        // 400 MR images of 384 KB (512 x 384, 16 bit), each with its own SOP Instance UID
        DicomFile mr = new DicomReader().read(External.pydicomTestFile("MR_small.dcm"));
        DataSet ds = mr.dataSet();
        ds.putInts(org.medveil.dicom.Tag.Rows, VR.US, ROWS);
        ds.putInts(org.medveil.dicom.Tag.Columns, VR.US, COLS);
        byte[] px = new byte[ROWS * COLS * 2];
        new Random(9).nextBytes(px);
        ds.putBytes(org.medveil.dicom.Tag.PixelData, VR.OW, px);
        Path in = Files.createDirectories(dir.resolve("in"));
        Random uids = new Random(42);
        int n = 400;
        for (int i = 0; i < n; i++) {
            ds.putString(org.medveil.dicom.Tag.SOPInstanceUID, VR.UI, "2.25." + new BigInteger(120, uids));
            mr.meta().remove(org.medveil.dicom.Tag.MediaStorageSOPInstanceUID);
            new DicomWriter().writeFile(mr, in.resolve(String.format("%04d.dcm", i)), mr.transferSyntax());
        }
        Path key = dir.resolve("project.key");
        Files.writeString(key, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        Path out = dir.resolve("out");
        String profile = Path.of("..", "config", "deid", "basic.yaml").toString();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(),
                "deid", "--no-progress", "--threads", "2", "--profile", profile, "--key", key.toString(), in.toString(),
                out.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("deid.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (finished(out) < 20 && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertTrue(p.isAlive(), "the run ended before it could be killed: " + Files.readString(dir.resolve("deid.log")));
        p.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));

        List<Path> left = outputs(out);
        int complete = 0;
        for (Path f : left) {
            if (f.getFileName().toString().startsWith(".")) {
                assertTrue(f.getFileName().toString().endsWith(".part"), "unexpected hidden file " + f);
                continue; // an unfinished temporary file: the documented leftover
            }
            byte[] pixels = new DicomReader().read(f).dataSet().getBytes(org.medveil.dicom.Tag.PixelData);
            assertEquals(ROWS * COLS * 2, pixels == null ? -1 : pixels.length, "a partly written output under its final name: " + f);
            complete++;
        }
        assertTrue(complete >= 20 && complete < n, "killed mid-run: " + complete + " outputs");
        // (20 or more: outputs are only ever added, and 20 were there before the kill)

        CliRun again = CliRun.run("deid", "--no-progress", "--threads", "2", "--profile", profile, "--key", key.toString(),
                in.toString(), out.toString());
        assertEquals(0, again.exit(), again.err());
        DeidCommandTest.Counts c = DeidCommandTest.Counts.of(again.out());
        assertEquals(new DeidCommandTest.Counts(n - complete, 0, complete, 0, n), c,
                "every output the killed run left is complete (a duplicate now); nothing is quarantined");
        List<String> finals = new ArrayList<>();
        for (Path f : outputs(out)) {
            if (!f.getFileName().toString().startsWith(".")) {
                finals.add(f.getFileName().toString());
            }
        }
        assertEquals(n, finals.size());
    }
}
