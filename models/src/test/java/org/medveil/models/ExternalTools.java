package org.medveil.models;

import org.medveil.testsupport.External;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * External tools and files the models tests rely on; the rule for a missing one (skip, or fail
 * under CI=true) is test-support's {@link External}.
 */
public final class ExternalTools {
    public static final Path PYDICOM_FILES = External.PYDICOM_TEST_FILES;
    /** Debian's python3 with python3-pydicom and numpy (not a pyenv shim). */
    public static final Path SYSTEM_PYTHON = Path.of("/usr/bin/python3");

    private ExternalTools() {}

    /** Requires {@code condition}; {@code what} says what is missing and how to install it. */
    public static void require(boolean condition, String what) {
        External.require(condition, what);
    }

    public static Path dcmdump() {
        return External.tool("dcmdump", "dcmtk");
    }

    public static Path pydicomFile(String name) {
        return External.pydicomTestFile(name);
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
        External.Result r = External.run(command);
        return new Result(r.exit(), r.out(StandardCharsets.UTF_8), r.err(StandardCharsets.UTF_8));
    }
}
