package org.medveil.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.Tag;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.VR;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomWriter;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9 part 6: the launcher's class data sharing archive for {@code medveil deid}. The first
 * run makes it, later runs use it, a newer jar makes it be rebuilt, and none of this changes what
 * the command prints or returns. Runs the packaged jar through the launcher (integration-test phase).
 */
class LauncherCdsIT {
    private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path BUILT = REPO.resolve("cli/target/medveil.jar");

    @TempDir
    Path dir;

    private record Result(int code, String out) {}

    private Result deid(Map<String, String> env, String out) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(REPO.resolve("medveil").toString(), "deid", "--no-progress", "--threads", "1",
                "--profile", REPO.resolve("config/deid/basic.yaml").toString(), "--key", dir.resolve("key").toString(),
                dir.resolve("in").toString(), dir.resolve(out).toString()).redirectErrorStream(true);
        pb.environment().remove("MEDVEIL_JAVA_OPTS");
        pb.environment().remove("MEDVEIL_CDS");
        pb.environment().putAll(env);
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), text);
        return new Result(p.exitValue(), text);
    }

    /** What deid prints, with the times taken out. */
    private static List<String> lines(Result r) {
        List<String> l = new ArrayList<>();
        for (String s : r.out().split("\n")) {
            l.add(s.replaceAll("[0-9.]+ (s|files/s|MB/s)\\b", "N $1"));
        }
        return l;
    }

    @Test
    @DisplayName("deid makes and then uses its class data sharing archive; output, exit code and outputs are unchanged")
    void archiveIsMadeUsedAndRebuilt() throws Exception {
        assertTrue(Files.isRegularFile(BUILT), "package the cli module first");
        Files.write(dir.resolve("key"), new byte[32]);
        DataSet ds = new DataSet();
        ds.putString(Tag.SOPClassUID, VR.UI, "1.2.840.10008.5.1.4.1.1.7");
        ds.putString(Tag.SOPInstanceUID, VR.UI, "2.25.4242");
        ds.putString(0x0020000D, VR.UI, "2.25.4243");
        ds.putString(Tag.PatientName, VR.PN, "Launcher^Test");
        Files.createDirectories(dir.resolve("in"));
        new DicomWriter().writeFile(new DicomFile(new DataSet(), ds, TransferSyntax.EXPLICIT_LE, 0),
                dir.resolve("in/a.dcm"), TransferSyntax.EXPLICIT_LE);

        Result plain = deid(Map.of("MEDVEIL_CDS", "0"), "out0");
        assertEquals(0, plain.code(), plain.out());
        assertTrue(plain.out().contains("de-identified 1 file(s)"), plain.out());
        // The launcher runs its content-addressed copy of the build; the archive lies beside it.
        String[] current = Files.readString(REPO.resolve(".medveil/current")).trim().split(" ");
        Path jar = Path.of(current[current.length - 1]);
        String base = jar.getFileName().toString().replaceFirst("\\.jar$", "");
        Path archive = jar.resolveSibling(base + ".deid.jsa");

        Files.deleteIfExists(archive);
        Result first = deid(Map.of(), "out1");
        assertEquals(0, first.code(), first.out());
        assertEquals(lines(plain), lines(first), "the run that writes the archive prints the same");
        assertTrue(Files.isRegularFile(archive), "the first deid run leaves an archive");
        try (Stream<Path> s = Files.list(jar.getParent())) {
            assertEquals(List.of(archive, jar), s.filter(p -> p.getFileName().toString().startsWith(base)).sorted().toList(),
                    "no temporary archive left behind");
        }

        Result used = deid(Map.of("MEDVEIL_JAVA_OPTS", "-Xlog:cds=info"), "out2");
        assertEquals(0, used.code(), used.out());
        assertTrue(used.out().contains("Mapped dynamic region"), "the archive is used:\n" + used.out());
        Result quiet = deid(Map.of(), "out3");
        assertEquals(lines(plain), lines(quiet));
        assertEquals(readAll(dir.resolve("out0")), readAll(dir.resolve("out3")), "same output files");

        // a jar newer than its archive (content-addressed jars are never rewritten, but if one were):
        // the archive is made again, never used against it
        FileTime archiveTime = Files.getLastModifiedTime(archive);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(archiveTime.toMillis() + 1000));
        Result rebuilt = deid(Map.of("MEDVEIL_JAVA_OPTS", "-Xlog:cds=info"), "out4");
        assertEquals(0, rebuilt.code(), rebuilt.out());
        assertFalse(rebuilt.out().contains("Mapped dynamic region"), "a stale archive is not used:\n" + rebuilt.out());
        assertTrue(Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0, "archive rebuilt");

        // a failing run passes its exit code and message through, on both paths of the launcher
        Files.delete(archive);
        Files.delete(dir.resolve("key"));
        Result failingFirst = deid(Map.of(), "out5");
        Result failingLater = deid(Map.of(), "out6");
        for (Result failing : List.of(failingFirst, failingLater)) {
            assertEquals(1, failing.code(), failing.out());
            assertTrue(failing.out().startsWith("medveil: error: --key"), failing.out());
        }
        assertEquals(failingFirst.out(), failingLater.out());
    }

    /** Relative path → content (Base64) of every file under {@code root}. */
    private static Map<String, String> readAll(Path root) throws Exception {
        Map<String, String> m = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(root.relativize(p).toString(), java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(p)));
            }
        }
        assertFalse(m.isEmpty(), "no output under " + root);
        return m;
    }
}
