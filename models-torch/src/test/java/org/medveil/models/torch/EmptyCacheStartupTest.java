package org.medveil.models.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The trial's crash: the first libtorch load into an empty JavaCPP cache. A fresh JVM with a new,
 * empty cache folder must start the engine, build the cnn and train one step.
 */
class EmptyCacheStartupTest {
    @Test
    @DisplayName("A fresh JVM with an empty JavaCPP cache starts libtorch (libtorch_cpu.so cached first), builds the cnn and trains one step")
    void emptyCache() throws IOException, InterruptedException {
        Path cache = Files.createTempDirectory("medveil-javacpp-cache");
        Path log = Files.createTempFile("medveil-startup", ".log");
        try {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(StartupProbe.class.getName());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean done = p.waitFor(180, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
            }
            String out = Files.readString(log);
            assertTrue(done, "the probe did not finish in 180 s:\n" + out);
            assertEquals(0, p.exitValue(), "probe JVM failed (exit " + p.exitValue() + "):\n" + out);
            assertTrue(out.contains("trained steps=1 params="), out);
            try (Stream<Path> files = Files.walk(cache)) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().equals("libtorch_cpu.so")),
                        "libtorch_cpu.so was extracted into the fresh cache " + cache);
            }
        } finally {
            Files.deleteIfExists(log);
            try (Stream<Path> files = Files.walk(cache)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
