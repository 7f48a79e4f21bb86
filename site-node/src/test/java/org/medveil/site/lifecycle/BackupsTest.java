package org.medveil.site.lifecycle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.audit.AuditVerifier;
import org.medveil.site.store.ObjectMeta;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.StoreVerifier;
import org.medveil.site.store.StoredObject;
import org.medveil.site.store.StoredObjectKind;

/** Backup sets: backup → wipe → restore → verify, tamper detection, sealed index snapshot, schedule. */
class BackupsTest {

    private static final String PATIENT_MARKER = "pk-INDEXMARKER-4c1d";

    @TempDir
    Path tmp;
    private LifecycleFixture fx;
    private final Map<String, byte[]> contents = new LinkedHashMap<>();

    @BeforeEach
    void site() {
        fx = new LifecycleFixture(tmp);
    }

    /** Three objects in two datasets, one a derivative; returns the backup set made afterwards. */
    private Backups.BackupSet populateAndBackup() {
        try (ObjectStore store = fx.openStore(); AuditLog audit = fx.openAudit()) {
            StoredObject a = store.put(StoredObjectKind.ORIGINAL, LifecycleFixture.marked("OBJ-A", 50_000, 1),
                    ObjectMeta.of("ds-chest").withPatientKey(PATIENT_MARKER).withClassification("C1", 3));
            StoredObject d = store.put(StoredObjectKind.DERIVATIVE, LifecycleFixture.marked("OBJ-D", 20_000, 2),
                    ObjectMeta.of("ds-chest").withParent(a.id()));
            StoredObject b = store.put(StoredObjectKind.ORIGINAL, LifecycleFixture.marked("OBJ-B", 30_000, 3),
                    ObjectMeta.of("ds-head"));
            for (StoredObject o : List.of(a, d, b)) {
                contents.put(o.id(), store.read(o.id()));
            }
            audit.append("ingest", "system", Map.of("object", a.id()));
            return Backups.backup(store, audit, tmp.resolve("backups"), "sha256:operator");
        }
    }

    @Test
    @Tag("REQ-STO-3")
    void backupWipeRestoreVerify() throws Exception {
        Backups.BackupSet set = populateAndBackup();
        assertEquals(3, set.objects());
        assertEquals(2, set.datasetRoots().size());
        assertTrue(Backups.verify(set.dir(), fx.keystore).ok());

        LifecycleFixture.deleteTree(fx.dataDir());
        LifecycleFixture.deleteTree(fx.auditDir());
        Backups.RestoreResult r = Backups.restore(set.dir(), fx.dataDir(), fx.keystore, fx.auditDir());
        assertEquals(3, r.objects());
        assertTrue(r.verification().ok(), r.verification().lines().toString());
        assertEquals(List.of(), r.destroyedSinceBackup());
        assertEquals(3, r.verification().checked());
        assertEquals(set.datasetRoots(), r.verification().roots());
        try (ObjectStore store = fx.openStore()) {
            for (Map.Entry<String, byte[]> e : contents.entrySet()) {
                assertArrayEquals(e.getValue(), store.read(e.getKey()));
            }
            assertTrue(new StoreVerifier(store).verify().ok());
        }
        // the audit copy restores to a log that verifies and continues
        assertTrue(AuditVerifier.verify(fx.auditDir(), fx.site.caCertificate()).ok());
        try (AuditLog audit = fx.openAudit()) {
            audit.append("restore", "sha256:operator", Map.of("set", set.id()));
        }
        assertTrue(AuditVerifier.verify(fx.auditDir(), fx.site.caCertificate()).ok());
    }

    @Test
    @Tag("REQ-STO-3")
    void indexSnapshotInTheSetIsNotPlaintext() {
        Backups.BackupSet set = populateAndBackup();
        byte[] marker = PATIENT_MARKER.getBytes(StandardCharsets.US_ASCII);
        // the live index holds the value in the clear (so the search below is meaningful) ...
        assertFalse(LifecycleFixture.filesContaining(fx.dataDir(), marker).isEmpty());
        // ... the backup set nowhere, and no object's plaintext either
        assertEquals(List.of(), LifecycleFixture.filesContaining(set.dir(), marker));
        assertEquals(List.of(), LifecycleFixture.filesContaining(set.dir(), "OBJ-A".getBytes(StandardCharsets.US_ASCII)));
        // no data key or keystore in the set
        assertEquals(List.of(), LifecycleFixture.filesContaining(set.dir(), "data_keys".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(Files.exists(set.dir().resolve("site.p12")));
    }

    @Test
    @Tag("REQ-STO-3")
    void tamperedSetIsDetectedAndNamed() throws Exception {
        Backups.BackupSet set = populateAndBackup();
        String[] ids = contents.keySet().toArray(String[]::new);
        Path altered = set.dir().resolve("objects").resolve(ids[0].substring(0, 2)).resolve(ids[0].substring(2));
        byte[] b = Files.readAllBytes(altered);
        b[b.length / 2] ^= 1;
        Files.write(altered, b);
        Path missing = set.dir().resolve("objects").resolve(ids[1].substring(0, 2)).resolve(ids[1].substring(2));
        Files.delete(missing);
        Files.writeString(set.dir().resolve("objects/stray.bin"), "x");

        Backups.BackupReport r = Backups.verify(set.dir(), fx.keystore);
        assertFalse(r.ok());
        assertEquals(List.of(set.dir().relativize(altered).toString()), r.altered());
        assertEquals(List.of(set.dir().relativize(missing).toString()), r.missing());
        assertEquals(List.of("objects/stray.bin"), r.extra());

        LifecycleFixture.deleteTree(fx.dataDir());
        LifecycleException e = assertThrows(LifecycleException.class,
                () -> Backups.restore(set.dir(), fx.dataDir(), fx.keystore, null));
        assertTrue(e.getMessage().contains("altered: " + set.dir().relativize(altered)), e.getMessage());
        assertFalse(Files.exists(fx.dataDir().resolve("index.db")));
    }

    @Test
    @Tag("REQ-STO-3")
    void editedManifestOrSealedIndexIsRefused() throws Exception {
        Backups.BackupSet set = populateAndBackup();
        Path manifest = set.dir().resolve("manifest.json");
        String original = Files.readString(manifest);
        // an attacker replaces a file AND fixes its digest in the manifest: the MAC catches it
        Path idx = set.dir().resolve(Backups.INDEX_FILE);
        byte[] b = Files.readAllBytes(idx);
        b[40] ^= 1;
        Files.write(idx, b);
        String edited = original.replaceFirst("\"sha256\" : \"[0-9a-f]{64}\"",
                "\"sha256\" : \"" + SealedManifest.sha256(Files.readAllBytes(idx)) + "\"");
        assertFalse(edited.equals(original), "the edit must change the manifest");
        Files.writeString(manifest, edited);
        Backups.BackupReport r = Backups.verify(set.dir(), fx.keystore);
        assertFalse(r.ok());
        assertTrue(r.problem().contains("manifest.json was altered"), r.problem());
    }

    @Test
    void backupIntoTheDataFolderIsRefused() {
        try (ObjectStore store = fx.openStore()) {
            LifecycleException e = assertThrows(LifecycleException.class,
                    () -> Backups.backup(store, fx.auditDir(), fx.dataDir().resolve("backups")));
            assertTrue(e.getMessage().contains("inside the data or key folder"), e.getMessage());
        }
    }

    @Test
    void restoreRefusesANonEmptyTarget() throws Exception {
        Backups.BackupSet set = populateAndBackup();
        LifecycleException e = assertThrows(LifecycleException.class,
                () -> Backups.restore(set.dir(), fx.dataDir(), fx.keystore, null));
        assertTrue(e.getMessage().contains("is not empty"), e.getMessage());
    }

    @Test
    @Tag("REQ-STO-3")
    void scheduleMakesSetsWhenDueAndKeepsTheNewest() throws Exception {
        BackupSchedule schedule = new BackupSchedule(Duration.ofHours(6), 2, tmp.resolve("backups"));
        Instant now = Instant.now();
        assertEquals(now, schedule.nextDue(now));
        try (ObjectStore store = fx.openStore(); AuditLog audit = fx.openAudit()) {
            store.put(StoredObjectKind.ORIGINAL, new byte[] {1, 2, 3}, ObjectMeta.of("ds"));
            Backups.BackupSet first = schedule.runIfDue(store, audit, "system", now).orElseThrow();
            assertEquals(first.createdAt().plus(Duration.ofHours(6)), schedule.nextDue(now));
            assertTrue(schedule.runIfDue(store, audit, "system", now.plus(Duration.ofHours(1))).isEmpty());
            Thread.sleep(1100);   // set names carry the second
            schedule.runIfDue(store, audit, "system", now.plus(Duration.ofHours(7))).orElseThrow();
            Thread.sleep(1100);
            Backups.BackupSet third = schedule.runIfDue(store, audit, "system", now.plus(Duration.ofHours(14)))
                    .orElseThrow();
            List<Path> sets = schedule.sets();
            assertEquals(2, sets.size());
            assertFalse(sets.contains(first.dir()));
            assertEquals(third.dir(), sets.get(1));
        }
    }
}
