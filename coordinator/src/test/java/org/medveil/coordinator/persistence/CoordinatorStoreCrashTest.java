package org.medveil.coordinator.persistence;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kill -9 of a process writing to the SQLite store and the model folder loses nothing it acknowledged. */
class CoordinatorStoreCrashTest {

    @TempDir
    Path tmp;

    @Test
    @DisplayName("kill -9 at random moments: every acknowledged write is there after reopening, and reserved decryptions stay reserved")
    void killNineKeepsAcknowledgedWrites() throws Exception {
        String url = "jdbc:sqlite:" + tmp.resolve("coordinator.db");
        Path models = tmp.resolve("models");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Random random = new Random();
        List<String> acks = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            Process child = new ProcessBuilder(java, "-cp", cp, StoreWriterProcess.class.getName(), url, models.toString(),
                    "run" + run).redirectErrorStream(true).start();
            int killAfter = 3 + random.nextInt(120);
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            try {
                String line;
                int seen = 0;
                while (seen < killAfter && (line = out.readLine()) != null) {
                    lines.add(line);
                    if (line.startsWith("ACK ")) {
                        seen++;
                        acks.add(line.substring(4));
                    }
                }
                assertEquals(killAfter, seen, "child stopped early: " + lines);
            } finally {
                child.destroyForcibly(); // SIGKILL: no close, no checkpoint
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            }
            check(url, models, acks);
        }
        assertFalse(acks.isEmpty());
    }

    private static void check(String url, Path models, List<String> acks) throws Exception {
        ModelFiles files = ModelFiles.open(models);
        try (Stream<Path> left = Files.list(models)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "temporary files left behind");
        }
        try (CoordinatorStore s = CoordinatorStore.open(url)) {
            for (String a : acks) {
                String[] p = a.split(" ");
                String job = p[1];
                switch (p[0]) {
                    case "JOB" -> assertTrue(s.job(job).isPresent(), "lost " + a);
                    case "ROUND" -> assertTrue(s.round(job, 1).orElseThrow(() -> new AssertionError("lost " + a))
                            .attempt() >= Integer.parseInt(p[2]), "lost " + a);
                    case "CONTRIB" -> {
                        CoordinatorStore.Round r = s.round(job, 1).orElseThrow();
                        if (r.attempt() == Integer.parseInt(p[2])) {
                            assertEquals(List.of("site-a"), s.contributions(job, 1).stream()
                                    .map(CoordinatorStore.Contribution::site).toList(), "lost " + a);
                        }
                    }
                    case "RESERVE" -> assertFalse(s.reserveDecryption(job, 1, Integer.parseInt(p[2]), 0),
                            "a reserved decryption was granted again after the crash: " + a);
                    case "MODEL" -> {
                        float i = Float.parseFloat(p[2]);
                        assertArrayEquals(new float[]{i, i + 0.5f, -i - 1}, files.readFloats(job), "lost " + a);
                    }
                    case "FINISH" -> assertEquals(RoundState.COMPLETED, s.round(job, 1).orElseThrow().state(), "lost " + a);
                    case "MANIFEST" -> assertEquals("d-" + job, s.lastManifestDigest(job).orElseThrow(), "lost " + a);
                    default -> throw new AssertionError("unexpected line " + a);
                }
            }
            // the round the child was in when killed restarts on a new attempt that may reserve again
            for (CoordinatorStore.Job j : s.jobs()) {
                CoordinatorStore.Round r = s.round(j.jobId(), 1).orElse(null);
                if (r != null && r.state() == RoundState.RUNNING) {
                    int next = s.clearRoundAttempt(j.jobId(), 1);
                    assertTrue(s.reserveDecryption(j.jobId(), 1, next, 0));
                    assertFalse(s.reserveDecryption(j.jobId(), 1, r.attempt(), 0));
                    s.failRound(j.jobId(), 1, next, "test: left behind by the killed writer", java.time.Instant.now());
                }
            }
        }
    }
}
