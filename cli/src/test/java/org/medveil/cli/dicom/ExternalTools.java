package org.medveil.cli.dicom;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Missing tool or corpus: skip with the reason, or fail when CI=true. */
final class ExternalTools {
    private ExternalTools() {}

    static final Path CORPUS = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");

    static void require(boolean ok, String what) {
        String reason = what + " is missing (apt-get install -y dcmtk python3-pydicom)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.assertTrue(ok, reason + "; CI=true makes this a failure");
        } else {
            Assumptions.assumeTrue(ok, reason);
        }
    }

    static Path corpusFile(String name) {
        Path p = CORPUS.resolve(name);
        require(Files.isRegularFile(p), "pydicom test file " + name);
        return p;
    }

    static Path tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        require(false, "external tool '" + name + "'");
        return null;
    }

    static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd[0] + " timed out");
        }
        return p.exitValue();
    }
}
