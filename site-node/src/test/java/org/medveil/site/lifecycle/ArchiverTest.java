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
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.pki.Role;
import org.medveil.site.store.ObjectMeta;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.StoreException;
import org.medveil.site.store.StoreVerifier;
import org.medveil.site.store.StoredObject;
import org.medveil.site.store.StoredObjectKind;

/** Archives: compressed, sealed under each object's own key, verifiable, restorable by data managers only. */
class ArchiverTest {

    private static final String MARKER = "ARCHIVE-PLAINTEXT-MARKER";

    @TempDir
    Path tmp;
    private LifecycleFixture fx;

    @BeforeEach
    void site() {
        fx = new LifecycleFixture(tmp);
    }

    /** Compressible content (text lines, as in a DICOM header dump), with a marker. */
    private static byte[] compressible(int lines) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            sb.append(MARKER).append(" (0028,0010) Rows US 512 line ").append(i).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    @Tag("REQ-ARC-1")
    @Tag("REQ-ARC-3")
    void archiveRoundTripCompressedAndSealed() {
        byte[] content = compressible(5_000);
        try (ObjectStore store = fx.openStore(); AuditLog audit = fx.openAudit()) {
            Archiver archiver = new Archiver(store, audit, tmp.resolve("archives"));
            StoredObject old = store.put(StoredObjectKind.ORIGINAL, content, ObjectMeta.of("ds-old"));
            StoredObject other = store.put(StoredObjectKind.ORIGINAL, new byte[] {7, 7, 7}, ObjectMeta.of("ds-new"));
            String rootBefore = new StoreVerifier(store).verify().roots().get("ds-old");

            Archiver.ArchiveResult r = archiver.archive(new ArchivePolicy(Duration.ZERO, null, "ds-old"),
                    Instant.now(), fx.dm1.fingerprint()).orElseThrow();
            assertEquals(List.of(old.id()), r.objectIds());
            assertEquals(content.length, r.plaintextBytes());
            assertTrue(r.archivedBytes() < r.plaintextBytes() / 4, "compressed " + r.archivedBytes() + " of " + r.plaintextBytes());
            // archived: not readable from the live path, live file gone, archive holds no plaintext
            assertEquals(StoredObject.State.ARCHIVED, store.find(old.id()).orElseThrow().state());
            assertFalse(Files.exists(store.pathOf(old.id())));
            StoreException e = assertThrows(StoreException.class, () -> store.read(old.id()));
            assertTrue(e.getMessage().contains("archived"), e.getMessage());
            assertEquals(List.of(), LifecycleFixture.filesContaining(tmp.resolve("archives"),
                    MARKER.getBytes(StandardCharsets.US_ASCII)));
            assertTrue(archiver.verify(r.archiveId()).ok());
            // the store stays consistent: dataset root unchanged, no missing file reported
            StoreVerifier.Report v = new StoreVerifier(store).verify();
            assertTrue(v.ok(), v.lines().toString());
            assertEquals(rootBefore, v.roots().get("ds-old"));

            Archiver.RestoreArchiveResult back = archiver.restoreArchive(r.archiveId(), fx.dm2.fingerprint(), Role.DATA_MANAGER);
            assertEquals(List.of(old.id()), back.restored());
            assertArrayEquals(content, store.read(old.id()));
            assertArrayEquals(new byte[] {7, 7, 7}, store.read(other.id()));
            assertTrue(new StoreVerifier(store).verify().ok());
        }
    }

    @Test
    @Tag("REQ-ARC-1")
    void policySelectsByAgeStageAndDataset() {
        try (ObjectStore store = fx.openStore(); AuditLog audit = fx.openAudit()) {
            Archiver archiver = new Archiver(store, audit, tmp.resolve("archives"));
            StoredObject orig = store.put(StoredObjectKind.ORIGINAL, new byte[] {1}, ObjectMeta.of("ds"));
            StoredObject deriv = store.put(StoredObjectKind.DERIVATIVE, new byte[] {2}, ObjectMeta.of("ds").withParent(orig.id()));
            Instant now = Instant.now();
            assertTrue(archiver.archive(ArchivePolicy.olderThanDays(30), now, "system").isEmpty(), "nothing is 30 days old");
            assertTrue(archiver.archive(ArchivePolicy.olderThanDays(30), now.plus(Duration.ofDays(29)), "system").isEmpty());
            Archiver.ArchiveResult r = archiver.archive(new ArchivePolicy(Duration.ofDays(30), StoredObjectKind.DERIVATIVE, "ds"),
                    now.plus(Duration.ofDays(31)), "system").orElseThrow();
            assertEquals(List.of(deriv.id()), r.objectIds());
            assertEquals(StoredObject.State.ACTIVE, store.find(orig.id()).orElseThrow().state());
        }
    }

    @Test
    @Tag("REQ-ARC-2")
    void onlyDataManagersRestoreArchives() {
        try (ObjectStore store = fx.openStore(); AuditLog audit = fx.openAudit()) {
            Archiver archiver = new Archiver(store, audit, tmp.resolve("archives"));
            StoredObject o = store.put(StoredObjectKind.DERIVATIVE, compressible(10), ObjectMeta.of("ds"));
            String id = archiver.archive(ArchivePolicy.olderThanDays(0), Instant.now(), "system").orElseThrow().archiveId();
            for (var kitRole : List.of(Role.RESEARCHER, Role.COMPLIANCE_OFFICER, Role.PROJECT_ADMIN)) {
                LifecycleException e = assertThrows(LifecycleException.class,
                        () -> archiver.restoreArchive(id, fx.researcher.fingerprint(), kitRole));
                assertTrue(e.getMessage().contains("may not restore archives"), e.getMessage());
            }
            assertEquals(StoredObject.State.ARCHIVED, store.find(o.id()).orElseThrow().state());
            // the archive file itself opens only with the object's data key, through the store
            assertEquals(List.of(), LifecycleFixture.filesContaining(tmp.resolve("archives"),
                    MARKER.getBytes(StandardCharsets.US_ASCII)));
        }
    }

    @Test
    @Tag("REQ-ARC-3")
    void tamperedArchiveIsNamedAndNotRestored() throws Exception {
        try (ObjectStore store = fx.openStore(); AuditLog audit = fx.openAudit()) {
            Archiver archiver = new Archiver(store, audit, tmp.resolve("archives"));
            StoredObject o = store.put(StoredObjectKind.ORIGINAL, compressible(100), ObjectMeta.of("ds"));
            String id = archiver.archive(ArchivePolicy.olderThanDays(0), Instant.now(), "system").orElseThrow().archiveId();
            Path f = archiver.archiveFile(id, o.id());
            byte[] b = Files.readAllBytes(f);
            b[b.length - 3] ^= 1;
            Files.write(f, b);
            Archiver.ArchiveReport r = archiver.verify(id);
            assertEquals(List.of("objects/" + o.id() + ".mva"), r.altered());
            LifecycleException e = assertThrows(LifecycleException.class,
                    () -> archiver.restoreArchive(id, fx.dm1.fingerprint(), Role.DATA_MANAGER));
            assertTrue(e.getMessage().contains("altered: objects/" + o.id() + ".mva"), e.getMessage());
            assertEquals(StoredObject.State.ARCHIVED, store.find(o.id()).orElseThrow().state());
        }
    }
}
