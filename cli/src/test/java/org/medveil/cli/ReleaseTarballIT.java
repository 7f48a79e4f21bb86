package org.medveil.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, release path: {@code ./mvnw package} leaves a server tarball that runs without the
 * source tree, from any working folder and through a symlink (how an upgrade switches releases).
 */
class ReleaseTarballIT {
    private static final Path TARGET = Path.of(System.getProperty("user.dir"), "target");

    @TempDir
    Path dir;

    private static String run(Path cwd, List<String> cmd, int expected) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(expected, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    @Test
    @DisplayName("the server tarball holds the jar, bin/medveil, example config and systemd units, and runs on its own")
    void tarballRunsWithoutTheSourceTree() throws Exception {
        Path tarball;
        try (Stream<Path> s = Files.list(TARGET)) {
            tarball = s.filter(p -> p.getFileName().toString().matches("medveil-.+-server\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no medveil-VERSION-server.tar.gz in " + TARGET));
        }
        run(dir, List.of("tar", "-xzf", tarball.toString()), 0);
        Path release;
        try (Stream<Path> s = Files.list(dir)) {
            release = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        for (String f : List.of("medveil.jar", "bin/medveil", "README.md", "config/deid/basic.yaml",
                "systemd/medveil-coordinator.service", "systemd/medveil-site.service")) {
            assertTrue(Files.isRegularFile(release.resolve(f)), f + " missing from " + tarball.getFileName());
        }
        assertTrue(Files.isExecutable(release.resolve("bin/medveil")));
        Path current = dir.resolve("current");
        Files.createSymbolicLink(current, release.getFileName());
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        String version = run(elsewhere, List.of(current.resolve("bin/medveil").toString(), "--version"), 0);
        assertTrue(version.startsWith("medveil "), version);
        // a command with a relative path, resolved against the working folder, and a profile from the release
        String err = run(elsewhere, List.of(current.resolve("bin/medveil").toString(), "deid", "--no-progress",
                "--profile", current.resolve("config/deid/basic.yaml").toString(), "--key", "missing.key", "in", "out"), 1);
        assertTrue(err.startsWith("medveil: error: --key"), err);
    }
}
