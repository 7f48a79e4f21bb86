package org.medveil.he.multiparty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.he.HeException;
import org.medveil.he.LedgerInUseException;
import org.medveil.he.RepeatedDecryptionException;
import org.medveil.he.UnverifiedAggregateException;

/** The file ledger: one owner, durable round reservations, crash safety. */
@Tag("REQ-FL-1")
class DecryptionLedgerTest {

    private static final List<LedgerEntry> ROUND = LedgerHolderProcess.entries();

    private static LedgerEntry.Chunk chunk(long round, int index) {
        return new LedgerEntry.Chunk(LedgerHolderProcess.KEY, "job-x", round, index);
    }

    @Test
    void aSecondInstanceOnTheSameFileIsRefusedUntilTheFirstCloses(@TempDir Path dir) {
        Path file = dir.resolve("ledger.txt");
        FileDecryptionLedger first = new FileDecryptionLedger(file);
        LedgerInUseException e = assertThrows(LedgerInUseException.class, () -> new FileDecryptionLedger(file));
        assertTrue(e.getMessage().contains("ledger.txt"), e.getMessage());
        // the same file through another path spelling
        assertThrows(LedgerInUseException.class, () -> new FileDecryptionLedger(dir.resolve("x/../ledger.txt")));
        first.reserve(ROUND);
        first.close();
        try (FileDecryptionLedger second = new FileDecryptionLedger(file)) {
            assertTrue(second.isDecided(chunk(1, 2)));
        }
    }

    @Test
    void aProcessThatCrashesAfterReservingLeavesTheRoundRefusedAndTheLockFree(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ledger.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(java, "-cp", cp, LedgerHolderProcess.class.getName(), file.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null && !line.equals("RESERVED")) {
                seen.append(line).append('\n');
            }
            assertEquals("RESERVED", line, "child did not reserve: " + seen);
            // another process holds the lock
            LedgerInUseException e = assertThrows(LedgerInUseException.class, () -> new FileDecryptionLedger(file));
            assertTrue(e.getMessage().contains("another process"), e.getMessage());
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        // the OS released the lock with the process; the reservation survived it
        try (FileDecryptionLedger after = new FileDecryptionLedger(file)) {
            for (int c = 0; c < 3; c++) {
                assertTrue(after.isDecided(chunk(1, c)));
            }
            assertThrows(RepeatedDecryptionException.class, () -> after.reserve(List.of(
                    new LedgerEntry(chunk(1, 1), String.format("%064x", 99)))));
            // and no share can be computed for what was reserved before the crash
            assertThrows(RepeatedDecryptionException.class, () -> after.recordOrRefuse(ROUND.get(0).requestDigest()));
        }
    }

    @Test
    void aRoundIsRecordedWithOneWriteAndRefusedAsAWhole(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ledger.txt");
        try (FileDecryptionLedger l = new FileDecryptionLedger(file)) {
            l.reserve(ROUND);
            assertEquals(3, Files.readAllLines(file).size());
            // a batch with one decided chunk is refused entirely, nothing written
            List<LedgerEntry> mixed = List.of(new LedgerEntry(chunk(2, 0), String.format("%064x", 10)), ROUND.get(1));
            assertThrows(RepeatedDecryptionException.class, () -> l.reserve(mixed));
            assertFalse(l.isDecided(chunk(2, 0)));
            assertEquals(3, Files.readAllLines(file).size());
            // the same ciphertext under another chunk is refused too
            assertThrows(RepeatedDecryptionException.class,
                    () -> l.reserve(List.of(new LedgerEntry(chunk(2, 0), ROUND.get(0).requestDigest()))));
            // a reservation is consumed once by the share it allows
            l.recordOrRefuse(ROUND.get(2).requestDigest());
            assertThrows(RepeatedDecryptionException.class, () -> l.recordOrRefuse(ROUND.get(2).requestDigest()));
            // verified-only: a digest that was never reserved is refused
            UnverifiedAggregateException e = assertThrows(UnverifiedAggregateException.class,
                    () -> l.recordOrRefuse(String.format("%064x", 77)));
            assertEquals(UnverifiedAggregateException.Reason.NOT_VERIFIED, e.reason());
            l.refuseForever(List.of(chunk(3, 0)));
            assertTrue(l.isDecided(chunk(3, 0)));
        }
        try (FileDecryptionLedger reopened = new FileDecryptionLedger(file)) {
            assertTrue(reopened.isDecided(chunk(3, 0)));
            assertThrows(RepeatedDecryptionException.class,
                    () -> reopened.reserve(List.of(new LedgerEntry(chunk(3, 0), String.format("%064x", 11)))));
        }
    }

    @Test
    void aTornLastLineIsDroppedAndACorruptLineIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ledger.txt");
        String complete = ROUND.get(0).line() + "\n";
        Files.writeString(file, complete + ROUND.get(1).line().substring(0, 30)); // crash during the write
        try (FileDecryptionLedger l = new FileDecryptionLedger(file)) {
            assertTrue(l.isDecided(chunk(1, 0)));
            assertFalse(l.isDecided(chunk(1, 1)));
            l.reserve(List.of(ROUND.get(1)));
        }
        assertEquals(List.of(ROUND.get(0).line(), ROUND.get(1).line()), Files.readAllLines(file));
        Files.writeString(file, "c zz not a ledger line\n" + complete);
        HeException e = assertThrows(HeException.class, () -> new FileDecryptionLedger(file));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        // the failed open released the lock
        Files.writeString(file, complete);
        new FileDecryptionLedger(file).close();
    }

    @Test
    void aNewLedgerFileExistsOnDiskBeforeTheFirstAnswer(@TempDir Path dir) {
        Path file = dir.resolve("sub-ledger.txt");
        try (FileDecryptionLedger l = new FileDecryptionLedger(file)) {
            assertTrue(Files.exists(file)); // created (and its folder forced) when opened, not at the first write
            assertFalse(l.contains(ROUND.get(0).requestDigest()));
        }
    }
}
