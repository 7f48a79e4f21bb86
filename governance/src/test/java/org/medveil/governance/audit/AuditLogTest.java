package org.medveil.governance.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing, re-opening, recovering and crashing a real audit log. */
class AuditLogTest {

    @TempDir
    Path tmp;
    private AuditFixture fx;

    @BeforeEach
    void provision() {
        fx = new AuditFixture(tmp, "demo");
    }

    private static List<AuditRecord> records(Path dir) throws Exception {
        List<AuditRecord> all = new ArrayList<>();
        for (Path f : AuditFiles.list(dir)) {
            for (byte[] line : AuditFiles.read(f).lines()) {
                all.add(AuditRecord.parse(line));
            }
        }
        return all;
    }

    @Test
    @Tag("REQ-USE-4")
    @DisplayName("re-opening continues the chain; checkpoints every N records and at close; the whole log verifies")
    void reopenContinuesChain() throws Exception {
        Path dir = tmp.resolve("audit");
        fx.writeLog(dir, 12, 5);
        fx.writeLog(dir, 3, 5);
        List<AuditRecord> rs = records(dir);
        for (int i = 0; i < rs.size(); i++) {
            assertEquals(i + 1, rs.get(i).seq());
        }
        List<Long> checkpoints = rs.stream().filter(AuditRecord::isCheckpoint).map(AuditRecord::seq).toList();
        assertEquals(List.of(6L, 12L, 15L, 19L), checkpoints); // every 5, at close, at close
        AuditReport r = AuditVerifier.verify(dir, fx.ca());
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(List.of(), r.warnings());
        assertEquals("seq=19\nline-sha256=" + AuditRecord.sha256Hex(rs.get(18).line()) + "\n",
                Files.readString(dir.resolve(AuditHead.FILE)));
    }

    @Test
    @DisplayName("appendAll writes its records in order, chained, on disk when it returns, across a file rotation; the log verifies")
    void appendAllChainsAndIsOnDisk() throws Exception {
        Path dir = tmp.resolve("audit");
        try (AuditLog log = AuditLog.open(dir, fx.signer(),
                AuditLog.Options.DEFAULTS.withCheckpointEvery(5).withMaxFileBytes(4096))) {
            for (int i = 0; i < 6; i++) {
                List<AuditRecord> rs = log.appendAll(List.of(
                        new AuditLog.Entry("ingest", "system", Map.of("object", "o" + i, "pad", "x".repeat(500))),
                        new AuditLog.Entry("deid", "system", Map.of("original", "o" + i, "derivative", "d" + i))));
                assertEquals(2, rs.size());
                assertEquals(rs.get(0).seq() + 1, rs.get(1).seq());
                assertTrue(records(dir).containsAll(rs), "records of batch " + i + " not on disk");
            }
        }
        List<AuditRecord> all = records(dir);
        assertEquals(List.of("ingest", "deid"), all.stream().filter(r -> !r.isCheckpoint()).limit(2)
                .map(AuditRecord::type).toList());
        assertTrue(Files.list(dir).filter(p -> p.getFileName().toString().endsWith(".jsonl")).count() > 1,
                "the batches did not cross a file rotation");
        AuditReport report = AuditVerifier.verify(dir, fx.ca());
        assertTrue(report.ok(), report.problems().toString());
    }

    @Test
    @DisplayName("every appended record is on disk when append returns; the unsigned tail of an open log is a warning")
    void appendIsOnDiskBeforeClose() throws Exception {
        Path dir = tmp.resolve("audit");
        AuditLog log = AuditLog.open(dir, fx.signer(), AuditLog.Options.DEFAULTS.withCheckpointEvery(5));
        try {
            for (int i = 0; i < 8; i++) {
                AuditRecord r = log.append("access", "data-manager", Map.of("decision", "deny", "object", "o" + i));
                assertTrue(records(dir).contains(r), "seq " + r.seq() + " not on disk");
            }
            AuditReport open = AuditVerifier.verify(dir, fx.ca());
            assertTrue(open.ok(), open.problems().toString());
            assertEquals(1, open.warnings().size(), open.warnings().toString());
            assertTrue(open.warnings().get(0).startsWith("3 record(s) after the last checkpoint (seq 6) are not signed yet"));
        } finally {
            log.close();
        }
        assertThrows(AuditException.class, () -> log.append("access", "system", Map.of()));
    }

    @Test
    @Tag("REQ-USE-4")
    @DisplayName("a torn last line left by a crash is cut on open, recorded as log-recovered, and the log verifies")
    void tornLineRecovered() throws Exception {
        Path dir = tmp.resolve("audit");
        AuditLog crashed = AuditLog.open(dir, fx.signer(), AuditLog.Options.DEFAULTS.withCheckpointEvery(5));
        for (int i = 0; i < 7; i++) {
            crashed.append("ingest", "system", Map.of("object", "o" + i));
        }
        // The process dies in the middle of writing seq 9: part of the line, no newline.
        // Longer than the record written after recovery, so leaving it in place would leave garbage behind.
        byte[] torn = ("{\"seq\":9,\"time\":\"2026-12-02T10:00:00Z\",\"type\":\"checkpoint\",\"actor\":\"system\","
                + "\"fields\":{\"certificate\":\"" + "A".repeat(4000)).getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("audit-000001.jsonl"), torn, StandardOpenOption.APPEND);

        AuditReport before = AuditVerifier.verify(dir, fx.ca());
        assertTrue(before.ok(), "a torn line was never acknowledged, so it is no tampering: " + before.problems());
        assertTrue(before.warnings().stream().anyMatch(w -> w.contains("torn line of " + torn.length + " bytes")),
                before.warnings().toString());

        try (AuditLog reopened = AuditLog.open(dir, fx.signer())) {
            assertEquals(10, reopened.nextSeq());
        }
        List<AuditRecord> rs = records(dir);
        AuditRecord recovered = rs.get(8);
        assertEquals(AuditRecord.LOG_RECOVERED, recovered.type());
        assertEquals(9, recovered.seq());
        assertEquals(Integer.toString(torn.length), recovered.fields().get("cutBytes"));
        assertEquals(AuditRecord.sha256Hex(torn), recovered.fields().get("cutSha256"));
        AuditReport after = AuditVerifier.verify(dir, fx.ca());
        assertTrue(after.ok(), after.problems().toString());
        assertEquals(List.of(), after.warnings());
    }

    @Test
    @Tag("REQ-USE-4")
    @DisplayName("a kill before the first record (genesis head, empty or torn first file) re-opens; removed records under a later head are refused")
    void killBeforeFirstRecordReopens() throws Exception {
        Path dir = tmp.resolve("audit");
        Files.createDirectories(dir);
        AuditHead.GENESIS.write(dir);
        Files.createFile(dir.resolve("audit-000001.jsonl"));
        try (AuditLog log = AuditLog.open(dir, fx.signer())) {
            assertEquals(1, log.append("ingest", "system", Map.of("object", "o1")).seq());
        }
        assertTrue(AuditVerifier.verify(dir, fx.ca()).ok());

        Path torn = tmp.resolve("torn");
        Files.createDirectories(torn);
        AuditHead.GENESIS.write(torn);
        Files.writeString(torn.resolve("audit-000001.jsonl"), "{\"seq\":1,\"time\":");
        try (AuditLog log = AuditLog.open(torn, fx.signer())) {
            assertEquals(2, log.nextSeq());
        }
        assertEquals(AuditRecord.LOG_RECOVERED, records(torn).get(0).type());
        assertTrue(AuditVerifier.verify(torn, fx.ca()).ok());

        // The same empty file under a head that names a checkpoint is evidence of removal, not a crash.
        Path emptied = fx.writeLog(tmp.resolve("emptied"), 6, 5);
        Files.write(emptied.resolve("audit-000001.jsonl"), new byte[0]);
        AuditException e = assertThrows(AuditException.class, () -> AuditLog.open(emptied, fx.signer()));
        assertTrue(e.getMessage().contains("records were removed"), e.getMessage());
    }

    @Test
    @DisplayName("a damaged complete last line is not mistaken for a torn write: open refuses and says what to run")
    void damagedCompleteLastLineRefused() throws Exception {
        Path dir = fx.writeLog(tmp.resolve("audit"), 3, 100);
        Files.write(dir.resolve("audit-000001.jsonl"), "garbage\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        AuditException e = assertThrows(AuditException.class, () -> AuditLog.open(dir, fx.signer()));
        assertTrue(e.getMessage().contains("line 5) is damaged") && e.getMessage().contains("medveil audit verify"),
                e.getMessage());
    }

    @Test
    @Tag("REQ-USE-4")
    @DisplayName("concurrent appends from 8 threads form one contiguous chain that verifies")
    void concurrentAppends() throws Exception {
        Path dir = tmp.resolve("audit");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (AuditLog log = AuditLog.open(dir, fx.signer(), AuditLog.Options.DEFAULTS.withCheckpointEvery(25))) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        log.append("access", "researcher", Map.of("thread", "t" + thread, "i", Integer.toString(i)));
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        AuditReport r = AuditVerifier.verify(dir, fx.ca());
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(320, records(dir).stream().filter(x -> !x.isCheckpoint()).count());
    }

    @Test
    @Tag("REQ-USE-4")
    @DisplayName("kill -9 at random moments: every acknowledged record survives and the chain verifies after re-opening")
    void killNineKeepsAcknowledgedRecords() throws Exception {
        Path dir = tmp.resolve("audit");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Random random = new Random();
        Map<Long, String> acknowledged = new HashMap<>();
        for (int run = 0; run < 6; run++) {
            Process child = new ProcessBuilder(java, "-cp", cp, AuditAppenderProcess.class.getName(), dir.toString(),
                    fx.site.dir().toString()).redirectErrorStream(true).start();
            int killAfter = 5 + random.nextInt(200);
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            try {
                String line;
                int acks = 0;
                while (acks < killAfter && (line = out.readLine()) != null) {
                    lines.add(line);
                    acks += line.startsWith("ACK ") ? 1 : 0;
                }
                assertEquals(killAfter, acks, "child stopped early: " + lines);
            } finally {
                child.destroyForcibly(); // SIGKILL: no close, no closing checkpoint
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            }
            for (String l : lines) {
                if (l.startsWith("ACK ")) {
                    String[] p = l.split(" ");
                    acknowledged.put(Long.parseLong(p[1]), p[2]);
                }
            }
            AuditReport afterCrash = AuditVerifier.verify(dir, fx.ca());
            assertTrue(afterCrash.ok(), "run " + run + ": " + afterCrash.problems());
        }
        try (AuditLog reopened = AuditLog.open(dir, fx.signer())) {
            reopened.append("restore", "system", Map.of("note", "after crash test"));
        }
        Map<Long, String> onDisk = new HashMap<>();
        records(dir).forEach(r -> onDisk.put(r.seq(), r.hash()));
        acknowledged.forEach((seq, hash) -> assertEquals(hash, onDisk.get(seq), "acknowledged seq " + seq + " lost"));
        AuditReport r = AuditVerifier.verify(dir, fx.ca());
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(List.of(), r.warnings());
        assertFalse(acknowledged.isEmpty());
    }
}
