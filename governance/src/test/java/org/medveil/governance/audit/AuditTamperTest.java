package org.medveil.governance.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.crypto.Signatures;
import org.medveil.governance.pki.CertificateAuthority;

/**
 * Tampering with a real audit folder written by {@link AuditLog} and signed with a provisioned site
 * kit: each change is detected by {@link AuditVerifier} and the first bad record is named.
 * The log: 22 ordinary records, a checkpoint every 5, so checkpoints at seq 6, 12, 18, 24 and the
 * closing one at 27.
 */
@Tag("REQ-USE-4")
class AuditTamperTest {

    @TempDir
    Path tmp;
    private AuditFixture fx;
    private Path dir;
    private Path file;
    private List<String> lines;

    @BeforeEach
    void writeLog() throws Exception {
        fx = new AuditFixture(tmp, "demo");
        dir = fx.writeLog(tmp.resolve("audit"), 22, 5);
        file = dir.resolve("audit-000001.jsonl");
        lines = AuditFixture.lines(file);
    }

    private AuditReport.Problem onlyProblem() {
        AuditReport r = AuditVerifier.verify(dir, fx.ca());
        assertFalse(r.ok(), "tampering not detected");
        assertEquals(1, r.problems().size(), r.problems().toString());
        return r.problems().get(0);
    }

    private static void assertNames(AuditReport.Problem p, int line, long seq, String reason) {
        assertEquals("audit-000001.jsonl", p.file(), p.toString());
        assertEquals(line, p.line(), p.toString());
        assertEquals(seq, p.seq(), p.toString());
        assertTrue(p.reason().contains(reason), p.toString());
    }

    @Test
    @DisplayName("the untouched log verifies: 27 records, 5 checkpoints, no warnings")
    void untouchedVerifies() {
        assertEquals(27, lines.size());
        AuditReport r = AuditVerifier.verify(dir, fx.ca());
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(List.of(), r.warnings());
        assertEquals(27, r.records());
        assertEquals(5, r.checkpoints());
        assertEquals(27, r.lastCheckpointSeq());
    }

    @Test
    @DisplayName("a flipped byte in a record is named as an edited record")
    void flippedByte() throws Exception {
        byte[] b = lines.get(2).getBytes(StandardCharsets.UTF_8);
        int at = lines.get(2).indexOf("obj-2") + 4;
        b[at] ^= 0x01; // '2' -> '3'
        lines.set(2, new String(b, StandardCharsets.UTF_8));
        AuditFixture.write(file, lines);
        assertNames(onlyProblem(), 3, 3, "record was edited");
    }

    @Test
    @DisplayName("an edited field with its own hash recomputed breaks the next record's prev")
    void editedWithRecomputedHash() throws Exception {
        AuditRecord r = AuditRecord.parse(lines.get(2).getBytes(StandardCharsets.UTF_8));
        TreeMap<String, String> f = new TreeMap<>(r.fields());
        f.put("object", "obj-forged");
        lines.set(2, AuditFixture.line(AuditFixture.withHash(
                new AuditRecord(r.seq(), r.time(), r.type(), r.actor(), f, r.prev(), ""))));
        AuditFixture.write(file, lines);
        assertNames(onlyProblem(), 4, 4, "prev does not match");
    }

    @Test
    @DisplayName("an edited field with the whole chain after it recomputed fails the next checkpoint's signature")
    void editedWithChainRecomputed() throws Exception {
        AuditRecord r = AuditRecord.parse(lines.get(2).getBytes(StandardCharsets.UTF_8));
        TreeMap<String, String> f = new TreeMap<>(r.fields());
        f.put("object", "obj-forged");
        lines.set(2, AuditFixture.line(new AuditRecord(r.seq(), r.time(), r.type(), r.actor(), f, r.prev(), "")));
        AuditFixture.rechain(lines, 2);
        AuditFixture.write(file, lines);
        AuditReport.Problem p = onlyProblem();
        assertNames(p, 6, 6, "checkpoint signature does not verify");
        assertTrue(p.reason().contains("covers seq 1 to 5"), p.toString());
    }

    @Test
    @DisplayName("a removed record is named by the seq gap at the record after it")
    void removedRecord() throws Exception {
        lines.remove(2);
        AuditFixture.write(file, lines);
        assertNames(onlyProblem(), 3, 4, "expected seq 3");
    }

    @Test
    @DisplayName("a removed record with seqs renumbered and the chain recomputed fails the checkpoint signature")
    void removedRenumberedRechained() throws Exception {
        lines.remove(2);
        for (int i = 2; i < lines.size(); i++) {
            AuditRecord r = AuditRecord.parse(lines.get(i).getBytes(StandardCharsets.UTF_8));
            lines.set(i, AuditFixture.line(new AuditRecord(r.seq() - 1, r.time(), r.type(), r.actor(), r.fields(), r.prev(), "")));
        }
        AuditFixture.rechain(lines, 2);
        AuditFixture.write(file, lines);
        assertNames(onlyProblem(), 5, 5, "checkpoint signature does not verify");
    }

    @Test
    @DisplayName("two swapped records are named at the first out-of-order line")
    void reordered() throws Exception {
        Collections.swap(lines, 2, 3);
        AuditFixture.write(file, lines);
        assertNames(onlyProblem(), 3, 4, "expected seq 3");
    }

    @Test
    @DisplayName("two records swapped but keeping their seqs, chain recomputed, fail the checkpoint signature")
    void reorderedContentRechained() throws Exception {
        AuditRecord a = AuditRecord.parse(lines.get(2).getBytes(StandardCharsets.UTF_8));
        AuditRecord b = AuditRecord.parse(lines.get(3).getBytes(StandardCharsets.UTF_8));
        lines.set(2, AuditFixture.line(new AuditRecord(a.seq(), b.time(), b.type(), b.actor(), b.fields(), a.prev(), "")));
        lines.set(3, AuditFixture.line(new AuditRecord(b.seq(), a.time(), a.type(), a.actor(), a.fields(), b.prev(), "")));
        AuditFixture.rechain(lines, 2);
        AuditFixture.write(file, lines);
        assertNames(onlyProblem(), 6, 6, "checkpoint signature does not verify");
    }

    @Test
    @DisplayName("records cut from the end, signed checkpoints included, are detected through audit.head; the log refuses to open")
    void truncatedIncludingCheckpoints() throws Exception {
        AuditFixture.write(file, lines.subList(0, 23)); // keeps seq 1..23: checkpoints 24 and 27 are gone
        AuditReport.Problem p = onlyProblem();
        assertEquals(AuditHead.FILE, p.file());
        assertTrue(p.reason().contains("names checkpoint seq 27 but the log ends at seq 23"), p.toString());
        AuditException e = assertThrows(AuditException.class, () -> AuditLog.open(dir, fx.signer()));
        assertTrue(e.getMessage().contains("records were cut from the end"), e.getMessage());
    }

    @Test
    @DisplayName("a log cut back to an earlier checkpoint, so that it looks cleanly closed, is still detected")
    void truncatedToEarlierCheckpoint() throws Exception {
        AuditFixture.write(file, lines.subList(0, 24)); // ends with the signed checkpoint at seq 24
        AuditReport.Problem p = onlyProblem();
        assertTrue(p.reason().contains("names checkpoint seq 27 but the log ends at seq 24"), p.toString());
    }

    @Test
    @DisplayName("a rollback of log and audit.head together passes the folder alone, but not a head noted earlier")
    void rollbackWithHeadCaughtByKnownHead() throws Exception {
        String noted = Files.readString(dir.resolve(AuditHead.FILE)); // the compliance officer's note at review
        AuditHead known = AuditHead.parse(noted.replace("seq=", "").replace("\nline-sha256=", ":").strip());
        AuditFixture.write(file, lines.subList(0, 24)); // back to the checkpoint at seq 24 ...
        new AuditHead(24, AuditRecord.sha256Hex(lines.get(23).getBytes(StandardCharsets.UTF_8))).write(dir); // ... and its head
        assertTrue(AuditVerifier.verify(dir, fx.ca()).ok(), "the documented limit: the folder alone is consistent");
        AuditReport r = AuditVerifier.verify(dir, fx.ca(), List.of(known));
        assertEquals(1, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).reason().contains("names checkpoint seq 27 but the log ends at seq 24"),
                r.problems().toString());
    }

    @Test
    @DisplayName("a deleted audit.head is a problem and the log refuses to open")
    void headDeleted() throws Exception {
        Files.delete(dir.resolve(AuditHead.FILE));
        AuditReport.Problem p = onlyProblem();
        assertEquals(AuditHead.FILE, p.file());
        assertTrue(p.reason().contains("is missing"), p.toString());
        assertThrows(AuditException.class, () -> AuditLog.open(dir, fx.signer()));
    }

    @Test
    @DisplayName("a checkpoint signature made with a key other than the certificate's is named")
    void forgedCheckpointSignature() throws Exception {
        AuditRecord cp = AuditRecord.parse(lines.get(5).getBytes(StandardCharsets.UTF_8));
        assertTrue(cp.isCheckpoint());
        KeyPair forger = CertificateAuthority.newKeyPair();
        TreeMap<String, String> f = new TreeMap<>(cp.fields());
        f.put(Checkpoints.SIGNATURE, Base64.getEncoder().encodeToString(
                Signatures.sign(forger.getPrivate(), Checkpoints.message(cp.seq(), cp.time(), cp.prev()))));
        lines.set(5, AuditFixture.line(new AuditRecord(cp.seq(), cp.time(), cp.type(), cp.actor(), f, cp.prev(), "")));
        AuditFixture.rechain(lines, 5);
        AuditFixture.write(file, lines);
        assertNames(onlyProblem(), 6, 6, "checkpoint signature does not verify");
    }

    @Test
    @DisplayName("a log signed by a site of another project's CA is refused at its first checkpoint")
    void foreignCa() {
        AuditFixture foreign = new AuditFixture(tmp, "other");
        Path other = foreign.writeLog(tmp.resolve("foreign"), 22, 5);
        assertTrue(AuditVerifier.verify(other, foreign.ca()).ok(), "valid under its own CA");
        AuditReport r = AuditVerifier.verify(other, fx.ca());
        assertEquals(1, r.problems().size(), r.problems().toString());
        assertNames(r.problems().get(0), 6, 6, "which was not issued by the project CA given");
    }

    @Test
    @DisplayName("a log signed with a data manager's kit of the same CA is refused: only a site signs its trail")
    void userKitCannotSign() {
        Path forged = tmp.resolve("forged");
        try (AuditLog log = AuditLog.open(forged, AuditSigner.of(fx.dm1))) {
            log.append("access", "system", java.util.Map.of("decision", "allow"));
        }
        AuditReport r = AuditVerifier.verify(forged, fx.ca());
        assertEquals(1, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).reason().contains("only a site signs its audit trail"), r.problems().toString());
    }

    @Test
    @DisplayName("checkpoints by another site of the project in the same log are refused")
    void anotherSiteCannotContinue() {
        try (AuditLog log = AuditLog.open(dir, AuditSigner.of(fx.siteB))) {
            log.append("access", "system", java.util.Map.of("decision", "allow"));
        }
        AuditReport.Problem p = onlyProblem();
        assertNames(p, 29, 29, "signed by site hospital-b, but the earlier checkpoints of this log by site hospital-a");
    }

    @Test
    @DisplayName("a checkpoint made after the signer's certificate expired is refused")
    void checkpointOutsideCertificateValidity() {
        java.time.Instant later = fx.site.certificate().getNotAfter().toInstant().plus(java.time.Duration.ofDays(1));
        Path late = tmp.resolve("late");
        try (AuditLog log = AuditLog.open(late, fx.signer(), new AuditLog.Options(100, 1 << 20,
                java.time.Clock.fixed(later, java.time.ZoneOffset.UTC)))) {
            log.append("backup", "system", java.util.Map.of("archive", "bk-1"));
        }
        AuditReport r = AuditVerifier.verify(late, fx.ca());
        assertEquals(1, r.problems().size(), r.problems().toString());
        assertEquals(2L, r.problems().get(0).seq());
        assertTrue(r.problems().get(0).reason().contains("which was not valid at " + later), r.problems().toString());
    }

    @Test
    @DisplayName("a deleted middle file of a rolled log is named")
    void missingMiddleFile() throws Exception {
        Path rolled = tmp.resolve("rolled");
        try (AuditLog log = AuditLog.open(rolled, fx.signer(), AuditLog.Options.DEFAULTS.withCheckpointEvery(10)
                .withMaxFileBytes(4096))) {
            for (int i = 0; i < 120; i++) {
                log.append("access", "data-manager", java.util.Map.of("decision", "allow", "object", "obj-" + i));
            }
        }
        assertTrue(Files.exists(rolled.resolve("audit-000004.jsonl")), "the log should span several files");
        assertTrue(AuditVerifier.verify(rolled, fx.ca()).ok());
        Files.delete(rolled.resolve("audit-000002.jsonl"));
        AuditReport r = AuditVerifier.verify(rolled, fx.ca());
        assertFalse(r.ok());
        assertTrue(r.problems().get(0).reason().contains("audit file audit-000002.jsonl is missing"), r.problems().toString());
    }

    @Test
    @DisplayName("an empty folder is not a valid audit log")
    void emptyFolder() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        AuditReport r = AuditVerifier.verify(empty, fx.ca());
        assertFalse(r.ok());
        assertTrue(r.problems().get(0).reason().contains("no audit log"), r.problems().toString());
    }
}
