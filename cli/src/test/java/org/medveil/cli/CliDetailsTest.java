package org.medveil.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exit codes of incomplete command lines, provision init's all-or-nothing, synth's --force, launcher hints. */
class CliDetailsTest {

    @TempDir
    Path dir;

    private static List<Path> contents(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }

    @Test
    @DisplayName("bare 'medveil', 'provision', 'dicom' and 'he' without a subcommand exit 2 with usage on stderr")
    void bareCommandsExit2() {
        CliRun bare = CliRun.run();
        assertEquals(2, bare.exit(), bare.err());
        assertTrue(bare.err().contains("Usage: medveil"), bare.err());
        assertEquals("", bare.out());
        for (String group : List.of("provision", "dicom", "he", "audit", "manifest", "dua", "site consent", "site labels")) {
            CliRun run = CliRun.run(group.split(" "));
            assertEquals(2, run.exit(), run.err());
            assertTrue(run.err().startsWith("medveil: error: 'medveil " + group + "' needs a subcommand"), run.err());
            assertTrue(run.err().contains("Usage: medveil " + group), run.err());
            assertEquals("", run.out());
        }
        assertEquals(0, CliRun.run("--help").exit(), "--help still succeeds");
    }

    @Test
    @DisplayName("provision init with an invalid argument writes nothing, and the corrected command then works")
    void provisionInitAllOrNothing() throws IOException {
        Path out = dir.resolve("try/prov");
        // The role of the second user is a typo: found only after the CA and three kits were issued.
        CliRun bad = CliRun.run("provision", "init", "--project", "demo", "--coordinator", "localhost:8443",
                "--out", out.toString(), "--site", "hospital-a", "--site", "hospital-b",
                "--user", "admin:project-admin", "--user", "rita:reseacher");
        assertEquals(1, bad.exit(), bad.err());
        assertTrue(bad.err().startsWith("medveil: error: "), bad.err());
        assertEquals(List.of(), contents(dir), "nothing may be left behind, not even a partial folder");

        CliRun badSite = CliRun.run("provision", "init", "--project", "demo", "--coordinator", "localhost:8443",
                "--out", out.toString(), "--site", "hospital-a", "--site", "Hospital B");
        assertEquals(1, badSite.exit(), badSite.err());
        assertEquals(List.of(), contents(dir));

        CliRun good = CliRun.run("provision", "init", "--project", "demo", "--coordinator", "localhost:8443",
                "--out", out.toString(), "--site", "hospital-a", "--site", "hospital-b",
                "--user", "admin:project-admin", "--user", "rita:researcher");
        assertEquals(0, good.exit(), good.err());
        assertEquals(List.of(out), contents(dir.resolve("try")), "only the project folder, no staging folder");
        assertTrue(Files.isRegularFile(out.resolve("sites/hospital-b/medveil.yaml")));
        assertTrue(Files.isDirectory(out.resolve("users/rita")));
        assertTrue(good.out().contains("  medveil coordinator serve --kit " + out.resolve("coordinator")), good.out());

        CliRun again = CliRun.run("provision", "init", "--project", "demo", "--coordinator", "localhost:8443",
                "--out", out.toString());
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("already holds a provisioned project"), again.err());
    }

    @Test
    @DisplayName("provision init into an existing empty folder works; into a non-empty one it refuses and leaves it")
    void provisionInitExistingFolder() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertEquals(0, CliRun.run("provision", "init", "--project", "demo", "--coordinator", "localhost:8443",
                "--out", empty.toString()).exit());
        assertTrue(Files.isRegularFile(empty.resolve("coordinator/medveil.yaml")));

        Path busy = Files.createDirectory(dir.resolve("busy"));
        Files.writeString(busy.resolve("notes.txt"), "mine");
        CliRun r = CliRun.run("provision", "init", "--project", "demo", "--coordinator", "localhost:8443",
                "--out", busy.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("is not an empty folder"), r.err());
        assertEquals(List.of(busy.resolve("notes.txt")), contents(busy));
    }

    @Test
    @DisplayName("next-step hints print the command as the launcher was run")
    void hintsUseTheLauncherName() {
        assertEquals("./medveil", Invocation.command(Map.of("MEDVEIL_LAUNCHER", "./medveil")));
        assertEquals("/opt/medveil/medveil", Invocation.command(Map.of("MEDVEIL_LAUNCHER", "/opt/medveil/medveil")));
        assertEquals("medveil", Invocation.command(Map.of()));
        assertEquals("medveil", Invocation.command(Map.of("MEDVEIL_LAUNCHER", "x; rm -rf /")));
    }

    @Test
    @DisplayName("synth refuses a non-empty --out unless --force")
    void synthRefusesNonEmptyFolder() throws IOException {
        Path out = dir.resolve("data");
        CliRun first = CliRun.run("synth", "--sites", "1", "--patients", "2", "--out", out.toString());
        assertEquals(0, first.exit(), first.err());
        Path file = out.resolve("site-1/labels.csv");
        String before = Files.readString(file);
        Files.writeString(file, "changed");

        CliRun again = CliRun.run("synth", "--sites", "1", "--patients", "3", "--out", out.toString());
        assertEquals(1, again.exit(), again.err());
        assertTrue(again.err().startsWith("medveil: error: --out " + out + " is not empty"), again.err());
        assertEquals("changed", Files.readString(file), "a refused run writes nothing");

        CliRun forced = CliRun.run("synth", "--sites", "1", "--patients", "2", "--out", out.toString(), "--force");
        assertEquals(0, forced.exit(), forced.err());
        assertEquals(before, Files.readString(file));

        Path plainFile = Files.writeString(dir.resolve("file"), "x");
        assertEquals(1, CliRun.run("synth", "--sites", "1", "--patients", "2", "--out", plainFile.toString()).exit());
        assertFalse(Files.isDirectory(plainFile));
    }
}
