package org.medveil.site.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.medveil.governance.crypto.CipherSuite;

class ObjectStoreTest {

    @TempDir
    Path tmp;

    private static byte[] marked(String marker, int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
        for (int off = 0; off + m.length <= size; off += 4096) {
            System.arraycopy(m, 0, b, off, m.length);
        }
        return b;
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void roundTripAndNoPlaintextOnDisk(CipherSuite suite) throws Exception {
        SiteKeystore ks = StoreFiles.keystore(tmp, suite);
        String marker = "PLAINTEXT-MARKER-" + suite;
        byte[] original = marked(marker, 100_000);
        byte[] derivative = marked(marker, 5_000);
        String id;
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            StoredObject o = store.put(StoredObjectKind.ORIGINAL, original, ObjectMeta.of("ds1")
                    .withDicom("1.2.840.10008.5.1.4.1.1.2", "CT", "CHEST").withClassification("C1", 3)
                    .withPatientKey("pk-1")
                    .withProvenance(new Provenance(Provenance.Channel.SCP, "MODALITY1@10.0.0.5", Instant.now())));
            id = o.id();
            // no plaintext in any file while the store is open (WAL and temp files included)
            byte[] early = marker.getBytes(StandardCharsets.US_ASCII);
            assertEquals(List.of(), StoreFiles.filesContaining(tmp.resolve("data"), early));
            assertEquals(List.of(), StoreFiles.filesContaining(tmp.resolve("keys"), early));
            assertEquals(HexFormat.of().formatHex(MerkleTree.sha256().digest(original)), o.digest());
            assertEquals(original.length, o.size());
            assertEquals("scp|MODALITY1@10.0.0.5|" + o.digest(), SiteIndexTest.scalar(store.index(),
                    "SELECT channel || '|' || source || '|' || content_digest FROM provenance WHERE object_id = '"
                    + id + "'"));
            assertTrue(Files.isRegularFile(store.pathOf(id)));
            StoredObject d = store.put(StoredObjectKind.DERIVATIVE, new ByteArrayInputStream(derivative),
                    ObjectMeta.of("ds1").withParent(id));
            assertArrayEquals(original, store.read(id));
            assertArrayEquals(derivative, store.read(d.id()));
            assertEquals(suite.configName(), store.find(id).orElseThrow().suite());
            assertEquals(List.of(d.id()), store.list(new ObjectFilter(StoredObjectKind.DERIVATIVE, "ds1", null, null))
                    .stream().map(StoredObject::id).toList());
            assertEquals(id, store.list(new ObjectFilter(null, null, null, "pk-1")).get(0).id());
        }
        // re-open: still readable
        try (ObjectStore store = StoreFiles.store(tmp, SiteKeystore.open(ks.path(), StoreFiles.PASSWORD.toCharArray()))) {
            assertArrayEquals(original, store.read(id));
        }
        byte[] needle = marker.getBytes(StandardCharsets.US_ASCII);
        assertEquals(List.of(), StoreFiles.filesContaining(tmp.resolve("data"), needle));
        assertEquals(List.of(), StoreFiles.filesContaining(tmp.resolve("keys"), needle));
        // the search itself works: the plaintext would be found
        Path probe = tmp.resolve("probe.bin");
        Files.write(probe, original);
        assertEquals(List.of(probe), StoreFiles.filesContaining(tmp, needle).stream().filter(probe::equals).toList());
    }

    @Test
    void keysLiveOutsideTheDataFolder() throws Exception {
        SiteKeystore ks = StoreFiles.keystore(tmp, CipherSuite.AES_256_GCM);
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            store.put(StoredObjectKind.ORIGINAL, new byte[10], ObjectMeta.of("ds"));
        }
        assertTrue(Files.exists(tmp.resolve("keys/keys.db")));
        try (var s = Files.walk(tmp.resolve("data"))) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith("keys.db")));
        }
        StoreException inside = assertThrows(StoreException.class,
                () -> ObjectStore.open(tmp.resolve("keys"), ks));
        assertTrue(inside.getMessage().contains("is inside the data folder"), inside.getMessage());
    }

    @Test
    void putRefusedByTheIndexLeavesNothingBehind() throws Exception {
        SiteKeystore ks = StoreFiles.keystore(tmp, CipherSuite.AES_256_GCM);
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            StoreException e = assertThrows(StoreException.class, () -> store.put(StoredObjectKind.DERIVATIVE,
                    new byte[] {1, 2}, ObjectMeta.of("ds").withParent("ff".repeat(16))));
            assertTrue(e.getMessage().contains("FOREIGN KEY"), e.getMessage());
            assertEquals(List.of(), store.objectFiles());
            assertEquals(List.of(), store.list(ObjectFilter.all()));
        }
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            assertEquals(java.util.Set.of(), store.recovery().orphans());
        }
    }

    @Test
    void secondOpenOfTheSameFolderIsRefused() {
        SiteKeystore ks = StoreFiles.keystore(tmp, CipherSuite.AES_256_GCM);
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            StoreException e = assertThrows(StoreException.class, () -> StoreFiles.store(tmp, ks));
            assertEquals("store " + tmp.resolve("data") + " is in use by another process; stop it first"
                    + " (only one site node may open a data folder)", e.getMessage());
        }
    }

    @Tag("REQ-STO-2")
    @Test
    void flippedByteIsAnIntegrityErrorNamingTheObject() throws Exception {
        SiteKeystore ks = StoreFiles.keystore(tmp, CipherSuite.SM4_GCM);
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            String id = store.put(StoredObjectKind.ORIGINAL, marked("x", 2000), ObjectMeta.of("ds")).id();
            Path f = store.pathOf(id);
            byte[] b = Files.readAllBytes(f);
            b[b.length / 2] ^= 0x40;
            Files.write(f, b);
            ObjectIntegrityException e = assertThrows(ObjectIntegrityException.class, () -> store.read(id));
            assertEquals(id, e.objectId());
            assertTrue(e.getMessage().startsWith("object " + id + " is altered"), e.getMessage());
        }
    }

    @Tag("REQ-STO-2")
    @Test
    void fileRenamedToAnotherIdDoesNotOpen() throws Exception {
        SiteKeystore ks = StoreFiles.keystore(tmp, CipherSuite.AES_256_GCM);
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            String a = store.put(StoredObjectKind.ORIGINAL, marked("a", 300), ObjectMeta.of("ds")).id();
            String b = store.put(StoredObjectKind.ORIGINAL, marked("b", 300), ObjectMeta.of("ds")).id();
            Files.copy(store.pathOf(a), store.pathOf(b), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertEquals(b, assertThrows(ObjectIntegrityException.class, () -> store.read(b)).objectId());
        }
    }

    /** Wrapped key bytes as stored in keys.db. */
    private static byte[] wrappedKey(Path keysDb, String id) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + keysDb);
                PreparedStatement ps = c.prepareStatement("SELECT wrapped FROM data_keys WHERE object_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    @Tag("REQ-DEL-6")
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void destroyMakesTheLiveFileAndEveryEarlierCopyUnreadable(CipherSuite suite) throws Exception {
        SiteKeystore ks = StoreFiles.keystore(tmp, suite);
        Path keysDb = tmp.resolve("keys/keys.db");
        String id;
        String keep;
        Path backup = tmp.resolve("backup-data");
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            id = store.put(StoredObjectKind.ORIGINAL, marked("gone", 20_000),
                    ObjectMeta.of("ds").withPatientKey("pk-9").withClassification("C2", 2)).id();
            keep = store.put(StoredObjectKind.ORIGINAL, marked("kept", 20_000), ObjectMeta.of("ds")).id();
            store.index().transaction(c -> {
                try (var st = c.createStatement()) {
                    return st.executeUpdate("INSERT INTO labels(object_id, label) VALUES ('" + id + "', 'nodule')");
                }
            });
        }
        byte[] wrapped = wrappedKey(keysDb, id);
        assertTrue(wrapped != null && StoreFiles.filesContaining(tmp.resolve("keys"), wrapped).contains(keysDb));
        StoreFiles.copyTree(tmp.resolve("data"), backup);   // a backup taken before destruction

        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            Path file = store.pathOf(id);
            StoredObject d = store.destroy(id);
            assertEquals(StoredObject.State.DESTROYED, d.state());
            assertTrue(d.destroyedAt() != null);
            assertNull(d.meta().patientKey());
            assertNull(d.meta().category());
            assertFalse(Files.exists(file), "live file deleted");
            // while the store is still open (no close-time checkpoint): the key is already gone from
            // keys.db and its write-ahead log
            assertEquals(List.of(), StoreFiles.filesContaining(tmp.resolve("keys"), wrapped));
            assertThrows(ObjectDestroyedException.class, () -> store.read(id));
            assertEquals("0", SiteIndexTest.scalar(store.index(), "SELECT COUNT(*) FROM labels"));
            assertTrue(store.read(keep).length == 20_000, "other objects stay readable");
            assertTrue(new StoreVerifier(store).verify().ok());
        }
        assertNull(wrappedKey(keysDb, id));
        // secure delete: the wrapped key's bytes are in no file of the key folder any more
        assertEquals(List.of(), StoreFiles.filesContaining(tmp.resolve("keys"), wrapped));

        // the backup copy still holds the encrypted file and an index row saying "active" ...
        SiteKeystore again = SiteKeystore.open(ks.path(), StoreFiles.PASSWORD.toCharArray());
        try (ObjectStore restored = ObjectStore.open(backup, again)) {
            assertTrue(Files.exists(restored.pathOf(id)));
            assertEquals(StoredObject.State.ACTIVE, restored.find(id).orElseThrow().state());
            // ... but without the data key it cannot be decrypted
            StoreException e = assertThrows(StoreException.class, () -> restored.read(id));
            assertTrue(e.getMessage().contains("has no data key"), e.getMessage());
            assertEquals(20_000, restored.read(keep).length);
        }
    }
}
