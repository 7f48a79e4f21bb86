package org.medveil.site.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.crypto.CipherSuite;

@Tag("REQ-STO-2")
class StoreVerifierTest {

    @TempDir
    Path tmp;

    private static List<String> ids(List<StoreVerifier.Finding> f) {
        return f.stream().map(StoreVerifier.Finding::id).toList();
    }

    @Test
    void namesEveryAlteredMissingAndExtraObject() throws Exception {
        SiteKeystore ks = StoreFiles.keystore(tmp, CipherSuite.AES_256_GCM);
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            List<String> ids = new ArrayList<>();
            Random r = new Random(7);
            for (int i = 0; i < 6; i++) {
                byte[] b = new byte[500 + i];
                r.nextBytes(b);
                ids.add(store.put(StoredObjectKind.ORIGINAL, b, ObjectMeta.of(i < 3 ? "a" : "b")).id());
            }
            StoreVerifier v = new StoreVerifier(store);
            StoreVerifier.Report clean = v.verify();
            assertTrue(clean.ok(), clean.lines().toString());
            assertEquals(6, clean.checked());

            Path flipped = store.pathOf(ids.get(1));
            byte[] b = Files.readAllBytes(flipped);
            b[b.length - 1] ^= 1;                                    // in the tag
            Files.write(flipped, b);
            Path headerHit = store.pathOf(ids.get(4));
            byte[] h = Files.readAllBytes(headerHit);
            h[0] ^= 1;                                               // in the header
            Files.write(headerHit, h);
            Files.delete(store.pathOf(ids.get(2)));
            Path extra = store.pathOf("00112233445566778899aabbccddeeff");
            Files.createDirectories(extra.getParent());
            Files.write(extra, new byte[100]);
            Path junk = store.objectsDir().resolve("notes.txt");
            Files.writeString(junk, "x");

            StoreVerifier.Report r1 = v.verify();
            assertFalse(r1.ok());
            assertEquals(List.of(ids.get(1), ids.get(4)).stream().sorted().toList(), ids(r1.altered()));
            assertEquals(List.of(ids.get(2)), ids(r1.missing()));
            assertEquals(List.of(junk, extra).stream().sorted().toList(),
                    r1.extra().stream().map(StoreVerifier.Finding::path).sorted().toList());
            assertTrue(r1.rootMismatches().isEmpty());
            assertTrue(r1.lines().contains("missing: object " + ids.get(2) + " (" + store.pathOf(ids.get(2)) + ")"));
        }
    }

    @Test
    void alteredOrMissingDataKeyIsNamed() throws Exception {
        SiteKeystore ks = StoreFiles.keystore(tmp, CipherSuite.AES_256_GCM);
        String a;
        String b;
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            a = store.put(StoredObjectKind.ORIGINAL, new byte[] {1}, ObjectMeta.of("ds")).id();
            b = store.put(StoredObjectKind.ORIGINAL, new byte[] {2}, ObjectMeta.of("ds")).id();
        }
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("keys/keys.db"));
                var st = c.createStatement()) {
            st.executeUpdate("UPDATE data_keys SET wrapped = zeroblob(60) WHERE object_id = '" + a + "'");
            st.executeUpdate("DELETE FROM data_keys WHERE object_id = '" + b + "'");
        }
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            StoreVerifier.Report r = new StoreVerifier(store).verify();
            assertEquals(List.of(a, b).stream().sorted().toList(), ids(r.altered()));
            String why = r.altered().stream().filter(f -> f.id().equals(a)).findFirst().orElseThrow().reason();
            assertTrue(why.contains("does not open with this site's master key"), why);
        }
    }

    @Test
    void editedIndexDigestBreaksTheDatasetRoot() {
        SiteKeystore ks = StoreFiles.keystore(tmp, CipherSuite.SM4_GCM);
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            String id = store.put(StoredObjectKind.ORIGINAL, new byte[] {1, 2, 3}, ObjectMeta.of("ds")).id();
            store.put(StoredObjectKind.ORIGINAL, new byte[] {4, 5}, ObjectMeta.of("ds"));
            String before = new StoreVerifier(store).verify().roots().get("ds");
            // someone rewrites a digest in the index: the row no longer matches the stored root
            store.index().transaction(c -> {
                try (var st = c.createStatement()) {
                    return st.executeUpdate("UPDATE objects SET digest = '" + "00".repeat(32) + "' WHERE id = '" + id + "'");
                }
            });
            StoreVerifier.Report r = new StoreVerifier(store).verify();
            assertEquals(List.of(id), ids(r.altered()));
            ObjectIntegrityException e = org.junit.jupiter.api.Assertions.assertThrows(ObjectIntegrityException.class,
                    () -> store.read(id));
            assertTrue(e.getMessage().contains("content digest does not match the index"), e.getMessage());
            assertEquals(1, r.rootMismatches().size());
            assertTrue(r.rootMismatches().get(0).startsWith("ds: stored root " + before), r.rootMismatches().toString());
        }
    }
    @Test
    void putsDoNotReadTheDatasetsDigestsAndVerifyRecomputesStaleRootsOnce() {
        SiteKeystore ks = StoreFiles.keystore(tmp, CipherSuite.AES_256_GCM);
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            // 5,000 objects already in the dataset (index rows only: this test counts digest reads)
            int existing = 5_000;
            store.index().transaction(c -> {
                try (var ps = c.prepareStatement("INSERT INTO objects(id, kind, dataset, size, digest, suite,"
                        + " created_at, state) VALUES (?, 'original', 'big', 1, ?, 'aes-256-gcm', '2026-01-01T00:00:00Z', 'active')")) {
                    for (int i = 0; i < existing; i++) {
                        ps.setString(1, String.format("%032x", i));
                        ps.setString(2, String.format("%064x", i));
                        ps.executeUpdate();
                    }
                }
                return null;
            });
            long before = ObjectStore.ROOT_DIGESTS_READ.get();
            int puts = 20;
            for (int i = 0; i < puts; i++) {
                store.put(StoredObjectKind.ORIGINAL, new byte[] {(byte) i}, ObjectMeta.of("big"));
            }
            store.putPair(new byte[] {1}, ObjectMeta.of("big"), new byte[] {2}, ObjectMeta.of("big"));
            // eager roots would have read 5,001 + 5,002 + ... digests; lazy ones read none
            assertEquals(0, ObjectStore.ROOT_DIGESTS_READ.get() - before, "puts read dataset digests");

            StoreVerifier.Report r = new StoreVerifier(store).verify();
            long all = existing + puts + 2;
            assertEquals(all, ObjectStore.ROOT_DIGESTS_READ.get() - before, "verify recomputes the stale root once");
            assertTrue(r.rootMismatches().isEmpty(), r.rootMismatches().toString());
            // a second verify finds the root fresh and compares it without recomputing
            new StoreVerifier(store).verify();
            assertEquals(all, ObjectStore.ROOT_DIGESTS_READ.get() - before, "a fresh root is not recomputed");
        }
    }

    @Test
    void pairIsIndexedTogetherWithTheDerivativesParentSet() {
        SiteKeystore ks = StoreFiles.keystore(tmp, CipherSuite.AES_256_GCM);
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            ObjectStore.Pair p = store.putPair(new byte[] {1, 2}, ObjectMeta.of("ds"), new byte[] {3}, ObjectMeta.of("ds"));
            assertEquals(p.original().id(), store.find(p.derivative().id()).orElseThrow().meta().parentId());
            assertEquals(StoredObjectKind.DERIVATIVE, store.find(p.derivative().id()).orElseThrow().kind());
            assertEquals(List.of((byte) 1, (byte) 2), List.of(store.read(p.original().id())[0], store.read(p.original().id())[1]));
            assertEquals(3, store.read(p.derivative().id())[0]);
            assertTrue(new StoreVerifier(store).verify().ok());
        }
    }
    @Test
    void pairRefusedByTheIndexLeavesNeitherRowNorFileNorKey() {
        SiteKeystore ks = StoreFiles.keystore(tmp, CipherSuite.AES_256_GCM);
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            // the index refuses the second row of the pair: the first must not stay either
            store.index().transaction(c -> {
                try (var st = c.createStatement()) {
                    return st.executeUpdate("CREATE TRIGGER refuse_derivative BEFORE INSERT ON objects"
                            + " WHEN NEW.kind = 'derivative' BEGIN SELECT RAISE(ABORT, 'refused for the test'); END");
                }
            });
            org.junit.jupiter.api.Assertions.assertThrows(StoreException.class, () -> store.putPair(new byte[] {1},
                    ObjectMeta.of("ds"), new byte[] {2}, ObjectMeta.of("ds")));
            assertEquals(Set.of(), store.indexedIds(), "a half pair is indexed");
            assertEquals(List.of(), store.objectFiles(), "files stayed behind");
        }
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            assertEquals(Set.of(), store.recovery().orphans(), "keys stayed behind");
        }
    }
}
