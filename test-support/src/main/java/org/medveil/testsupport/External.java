package org.medveil.testsupport;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one rule for tests that need something this project did not write (dcmtk, Orthanc,
 * pydicom's test files, openssl): when it is missing the test is skipped with the reason and
 * how to install it, except under {@code CI=true}, where .ci/run has installed everything and a
 * missing peer is a failure.
 */
public final class External {

    public static final Path PYDICOM_DATA = Path.of("/usr/lib/python3/dist-packages/pydicom/data");
    public static final Path PYDICOM_TEST_FILES = PYDICOM_DATA.resolve("test_files");

    private External() {
    }

    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips, or fails under CI=true, unless {@code ok}; {@code missing} names what is missing and how to get it. */
    public static void require(boolean ok, String missing) {
        require(ok, missing, ci());
    }

    static void require(boolean ok, String missing, boolean ci) {
        if (ci) {
            Assertions.assertTrue(ok, "missing: " + missing + "; CI=true makes this a failure");
        } else {
            Assumptions.assumeTrue(ok, "missing: " + missing);
        }
    }

    /** An executable on PATH, e.g. {@code tool("dcmdump", "dcmtk")}. */
    public static Path tool(String name, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        require(false, "external tool '" + name + "' (apt-get install -y " + debianPackage + ")");
        return null;
    }

    /** A file of Debian's python3-pydicom data, relative to its data folder, e.g. {@code test_files/CT_small.dcm}. */
    public static Path pydicomData(String relative) {
        Path p = PYDICOM_DATA.resolve(relative);
        require(Files.isRegularFile(p), "pydicom data file " + relative + " (apt-get install -y python3-pydicom)");
        return p;
    }

    /** One of pydicom's {@code test_files}. */
    public static Path pydicomTestFile(String name) {
        return pydicomData("test_files/" + name);
    }

    /** What a finished external command returned; output kept as bytes so each caller picks the charset. */
    public record Result(int exit, byte[] out, byte[] err) {
        public String out(Charset cs) {
            return new String(out, cs);
        }

        public String err(Charset cs) {
            return new String(err, cs);
        }
    }

    /** Runs a command to completion, at most 60 s; output goes through files so a chatty tool cannot block. */
    public static Result run(List<String> command) throws IOException {
        Path out = Files.createTempFile("medveil-ext", ".out");
        Path err = Files.createTempFile("medveil-ext", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after 60 s: " + command.get(0));
            }
            return new Result(p.exitValue(), Files.readAllBytes(out), Files.readAllBytes(err));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
