package org.medveil.models;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * External tools and files tests rely on. Missing ones skip the test with the reason, except
 * when CI=true: there the environment is supposed to be complete, so a missing tool fails.
 */
public final class ExternalTools {
    public static final Path PYDICOM_FILES = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");
    /** Debian's python3 with python3-pydicom and numpy (not a pyenv shim). */
    public static final Path SYSTEM_PYTHON = Path.of("/usr/bin/python3");

    private ExternalTools() {}

    /** Requires {@code condition}; {@code what} says what is missing and how to install it. */
    public static void require(boolean condition, String what) {
        if (condition) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("CI=true but " + what);
        }
        assumeTrue(false, "skipped: " + what);
    }

    public static Path dcmdump() {
        Path p = Path.of("/usr/bin/dcmdump");
        require(Files.isExecutable(p), "dcmdump not found; install dcmtk (apt-get install dcmtk)");
        return p;
    }

    public static Path pydicomFile(String name) {
        Path p = PYDICOM_FILES.resolve(name);
        require(Files.isRegularFile(p), p + " not found; install python3-pydicom (apt-get install python3-pydicom)");
        return p;
    }

    /** Python with pydicom and numpy importable. */
    public static Path pythonWithPydicom() {
        boolean ok = false;
        if (Files.isExecutable(SYSTEM_PYTHON)) {
            try {
                ok = run(List.of(SYSTEM_PYTHON.toString(), "-c", "import pydicom, numpy")).exitCode() == 0;
            } catch (IOException e) {
                ok = false;
            }
        }
        require(ok, "/usr/bin/python3 cannot import pydicom and numpy; install python3-pydicom and python3-numpy");
        return SYSTEM_PYTHON;
    }

    /** Result of a finished process. */
    public record Result(int exitCode, String stdout, String stderr) {}

    /** Runs a command to completion (60 s limit) and captures its output. */
    public static Result run(List<String> command) throws IOException {
        Path out = Files.createTempFile("medveil-tool", ".out");
        Path err = Files.createTempFile("medveil-tool", ".err");
        try {
            Process p = new ProcessBuilder(new ArrayList<>(command)).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + command.get(0));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
