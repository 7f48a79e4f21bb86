package org.medveil.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README quickstart as separate processes of the packaged jar: provision, one coordinator,
 * two sites, and 'sites list'. Runs in the integration-test phase, after the jar is built.
 */
class QuickstartIT {

    private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path JAR = Path.of(System.getProperty("user.dir"), "target", "medveil.jar");
    private final List<Process> daemons = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stopDaemons() throws InterruptedException {
        for (Process p : daemons) {
            p.destroy(); // SIGTERM: the shutdown hook closes cleanly
        }
        for (Process p : daemons) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private Result run(String... args) throws Exception {
        Process p = command(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("medveil " + String.join(" ", args) + " did not finish:\n" + out);
        }
        return new Result(p.exitValue(), out);
    }

    private void daemon(String name, String... args) throws IOException {
        daemons.add(command(args).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start());
    }

    private ProcessBuilder command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile());
    }

    record Result(int code, String out) {
    }

    @Test
    @DisplayName("provision, coordinator serve, two site serve and sites list work as the README shows")
    void quickstart() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Result init = run("provision", "init", "--project", "demo", "--coordinator", "localhost:" + port,
                "--out", "prov", "--site", "hospital-a", "--site", "hospital-b", "--user", "admin:project-admin");
        assertEquals(0, init.code(), init.out());
        daemon("coordinator", "coordinator", "serve", "--kit", "prov/coordinator");
        daemon("hospital-a", "site", "serve", "--kit", "prov/sites/hospital-a");
        daemon("hospital-b", "site", "serve", "--kit", "prov/sites/hospital-b");

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Result list = null;
        while (System.nanoTime() < deadline) {
            list = run("sites", "list", "--kit", "prov/users/admin");
            if (list.code() == 0 && connected(list.out(), "hospital-a") && connected(list.out(), "hospital-b")) {
                break;
            }
            Thread.sleep(500);
        }
        assertTrue(list != null && connected(list.out(), "hospital-a") && connected(list.out(), "hospital-b"),
                "sites list never showed both sites connected:\n" + (list == null ? "" : list.out())
                        + "\ncoordinator log:\n" + Files.readString(dir.resolve("coordinator.log")));
        for (Process p : daemons) {
            assertTrue(p.isAlive(), "a daemon exited early");
        }
    }

    @Test
    @DisplayName("the launcher script runs the jar, --help works on every command, and errors are one line")
    void launcherAndHelp() throws Exception {
        // Run from a folder outside the checkout: the launcher must find its repository by itself.
        Process p = new ProcessBuilder(REPO.resolve("medveil").toString(), "--version").directory(dir.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("medveil "), out);
        for (String[] c : new String[][] {{"--help"}, {"provision", "--help"}, {"provision", "init", "--help"},
                {"coordinator", "serve", "--help"}, {"site", "serve", "--help"}, {"sites", "list", "--help"}}) {
            Result r = run(c);
            assertEquals(0, r.code(), String.join(" ", c) + "\n" + r.out());
            assertTrue(r.out().startsWith("Usage: medveil"), r.out());
        }
        Result bad = run("site", "serve", "--kit", "no-such-kit");
        assertEquals(1, bad.code());
        assertEquals("medveil: error: kit folder no-such-kit does not exist or is not a folder", bad.out().trim());
    }

    private static boolean connected(String listing, String site) {
        return listing.lines().anyMatch(l -> l.startsWith(site + " ") && l.contains(" connected "));
    }
}
