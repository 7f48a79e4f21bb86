package org.medveil.dicom;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The one place that decides what happens when an external tool or test corpus is missing:
 * the test is skipped with the reason, except under CI=true where it fails.
 */
public final class Environment {
    private Environment() {}

    public static final Path PYDICOM_DATA = Path.of("/usr/lib/python3/dist-packages/pydicom/data");

    private static boolean ci() { return "true".equalsIgnoreCase(System.getenv("CI")); }

    /** Skips (or fails under CI=true) unless {@code ok}. */
    public static void require(boolean ok, String what) {
        String reason = what + " is missing (install it: apt-get install -y dcmtk orthanc python3-pydicom)";
        if (ci()) {
            Assertions.assertTrue(ok, reason + "; CI=true makes this a failure");
        } else {
            Assumptions.assumeTrue(ok, reason);
        }
    }

    /** Path of an executable on PATH, or skip/fail. */
    public static Path tool(String name) {
        Path found = null;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                found = p;
                break;
            }
        }
        require(found != null, "external tool '" + name + "'");
        return found;
    }

    /** The system python3 with pydicom, Pillow (OpenJPEG) and numpy, used as a reference decoder; or skip/fail. */
    public static Path referencePython() {
        Path py = Path.of("/usr/bin/python3");
        boolean ok = false;
        if (Files.isExecutable(py)) {
            try {
                ok = run(List.of(py.toString(), "-c", "import pydicom, PIL, numpy"))[0].equals("0");
            } catch (Exception e) {
                ok = false;
            }
        }
        require(ok, "/usr/bin/python3 with pydicom, Pillow and numpy (python3-pydicom python3-pil python3-numpy)");
        return py;
    }

    /** True if the tool is on PATH (no skipping). */
    public static boolean hasTool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    /** Every DICOM file of pydicom's test_files/ and charset_files/ (skip/fail if absent). */
    public static List<Path> corpus() {
        require(Files.isDirectory(PYDICOM_DATA.resolve("test_files")), "pydicom test corpus " + PYDICOM_DATA);
        List<Path> out = new ArrayList<>();
        for (String sub : List.of("test_files", "charset_files")) {
            try (Stream<Path> s = Files.walk(PYDICOM_DATA.resolve(sub))) {
                s.filter(Files::isRegularFile).filter(Environment::looksDicom).sorted().forEach(out::add);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    /** Corpus file by name relative to the pydicom data folder, e.g. "test_files/CT_small.dcm". */
    public static Path corpusFile(String relative) {
        Path p = PYDICOM_DATA.resolve(relative);
        require(Files.isRegularFile(p), "pydicom test file " + relative);
        return p;
    }

    private static boolean looksDicom(Path p) {
        String n = p.getFileName().toString();
        return !(n.endsWith(".txt") || n.endsWith(".json") || n.endsWith(".dump") || n.endsWith(".gz")
                || n.equals("README"));
    }

    /** Runs a command, returns {exit code, stdout (ISO-8859-1), stderr}; bounded to 60 s. */
    public static String[] run(List<String> cmd) throws Exception {
        Path outF = Files.createTempFile("medveil-run", ".out");
        Path errF = Files.createTempFile("medveil-run", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(outF.toFile()).redirectError(errF.toFile()).start();
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("command timed out: " + cmd.get(0));
            }
            return new String[] {Integer.toString(p.exitValue()),
                    Files.readString(outF, java.nio.charset.StandardCharsets.ISO_8859_1),
                    Files.readString(errF, java.nio.charset.StandardCharsets.ISO_8859_1)};
        } finally {
            Files.deleteIfExists(outF);
            Files.deleteIfExists(errF);
        }
    }
}
