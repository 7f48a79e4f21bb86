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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 11: the launcher never changes the jar a running daemon uses, and two launcher runs on a
 * stale tree share one build. Works on a copy of this checkout (sources, poms, wrapper and the
 * build output already made by this Maven run, times kept), so the one rebuild it causes is
 * incremental and the real checkout is untouched.
 */
class LauncherIT {
    private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private Path tree;
    private final List<Process> daemons = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : daemons) {
            p.destroy();
        }
        for (Process p : daemons) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private record Result(int code, String out) {}

    private ProcessBuilder launcher(String... args) {
        List<String> cmd = new ArrayList<>(List.of(tree.resolve("medveil").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tree.toFile()).redirectErrorStream(true);
        pb.environment().remove("MEDVEIL_JAVA_OPTS");
        return pb;
    }

    private Result run(Process p, String what) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(what + " did not finish:\n" + out);
        }
        return new Result(p.exitValue(), out);
    }

    private Result run(String... args) throws Exception {
        return run(launcher(args).start(), "medveil " + String.join(" ", args));
    }

    private Process daemon(String name, String... args) throws IOException {
        Process p = launcher(args).redirectOutput(dir.resolve(name + ".out").toFile()).start();
        daemons.add(p);
        return p;
    }

    private String read(String name) {
        try {
            Path f = dir.resolve(name + ".out");
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void await(String what, BooleanSupplier condition, String log) throws InterruptedException {
        Instant end = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(end)) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(200);
        }
        fail("timed out waiting for " + what + "; log:\n" + log);
    }

    private List<Path> jars() throws IOException {
        try (Stream<Path> s = Files.list(tree.resolve(".medveil/jars"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
    }

    /** Copies what a build needs, keeping modification times so the copied build output counts as fresh. */
    private void copyCheckout() throws Exception {
        assertTrue(Files.isRegularFile(REPO.resolve("cli/target/medveil.jar")), "package the cli module first");
        tree = dir.resolve("checkout");
        Files.createDirectories(tree);
        Process p = new ProcessBuilder("bash", "-c", "tar -C \"$1\" --exclude=./.git --exclude=./.medveil --exclude=./try"
                + " --exclude='./*/src/test' --exclude='./*/target/surefire-reports' --exclude='./*/target/failsafe-reports'"
                + " -cf - . | tar -C \"$2\" -xf -", "copy", REPO.toString(), tree.toString())
                .redirectErrorStream(true).start();
        Result r = run(p, "copying the checkout");
        assertEquals(0, r.code(), r.out());
    }

    @Test
    @DisplayName("a rebuild by two launcher runs at once leaves a running coordinator serving new sites; old jars go once unused")
    void rebuildNeverTouchesARunningDaemon() throws Exception {
        copyCheckout();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Result init = run("provision", "init", "--project", "demo", "--coordinator", "localhost:" + port,
                "--out", dir.resolve("prov").toString(), "--site", "hospital-a", "--site", "hospital-b",
                "--user", "admin:project-admin");
        assertEquals(0, init.code(), init.out());
        assertFalse(init.out().contains("building"), "the copied build output is used as it is:\n" + init.out());
        List<Path> before = jars();
        assertEquals(1, before.size(), before.toString());

        daemon("coordinator", "coordinator", "serve", "--kit", dir.resolve("prov/coordinator").toString());
        daemon("hospital-a", "site", "serve", "--kit", dir.resolve("prov/sites/hospital-a").toString());
        await("hospital-a connected", () -> read("coordinator").contains("site hospital-a connected"), read("coordinator"));

        // A source change (what `git pull` brings), then two launcher runs at once: one builds, the other waits.
        Path source = tree.resolve("cli/src/main/java/org/medveil/cli/Main.java");
        Files.writeString(source, Files.readString(source) + "// changed by LauncherIT\n");
        Process first = launcher("--help").start();
        Process second = launcher("--help").start();
        Result a = run(first, "first ./medveil --help");
        Result b = run(second, "second ./medveil --help");
        for (Result r : List.of(a, b)) {
            assertEquals(0, r.code(), r.out());
            assertTrue(r.out().contains("Usage: medveil"), r.out());
        }
        String both = a.out() + b.out();
        assertEquals(1, both.split("building the runnable jar", -1).length - 1, "exactly one build:\n" + both);
        assertTrue(both.contains("waiting for another medveil launcher to finish building"), both);
        List<Path> after = jars();
        assertEquals(2, after.size(), "the old jar stays while the daemons use it: " + after);
        assertTrue(after.containsAll(before), after.toString());

        // The coordinator, still on the old jar, serves a site started from the new one.
        daemon("hospital-b", "site", "serve", "--kit", dir.resolve("prov/sites/hospital-b").toString());
        await("hospital-b connected", () -> read("coordinator").contains("site hospital-b connected"), read("coordinator"));
        Result list = run("sites", "list", "--kit", dir.resolve("prov/users/admin").toString());
        assertEquals(0, list.code(), list.out());
        for (String site : List.of("hospital-a", "hospital-b")) {
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith(site + " ") && l.contains(" connected ")),
                    list.out());
        }
        assertFalse(read("coordinator").contains("NoClassDefFoundError"), read("coordinator"));
        assertTrue(daemons.get(0).isAlive(), read("coordinator"));

        // Once the daemons are gone, the next run deletes the jar nobody uses any more.
        stop();
        daemons.clear();
        assertEquals(0, run("--version").code());
        List<Path> last = jars();
        assertEquals(1, last.size(), last.toString());
        assertFalse(last.containsAll(before), "the old jar was deleted: " + last);
    }
}
