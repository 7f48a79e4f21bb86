package org.medveil.site.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.crypto.CipherSuite;

/** The store's support for archives: copies under an object's own key, archived/active states, wrapped set keys. */
class ObjectStoreLifecycleTest {

    @TempDir
    Path tmp;

    @Test
    void copyUnderObjectKeyIsBoundToObjectAndContextAndDiesWithTheKey() {
        SiteKeystore ks = StoreFiles.keystore(tmp, CipherSuite.SM4_GCM);
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            StoredObject a = store.put(StoredObjectKind.ORIGINAL, new byte[] {1, 2, 3}, ObjectMeta.of("ds"));
            StoredObject b = store.put(StoredObjectKind.ORIGINAL, new byte[] {4}, ObjectMeta.of("ds"));
            byte[] copy = store.sealUnderObjectKey(a.id(), "archive-1", new byte[] {9, 9});
            assertArrayEquals(new byte[] {9, 9}, store.openUnderObjectKey(a.id(), "archive-1", copy));
            assertThrows(ObjectIntegrityException.class, () -> store.openUnderObjectKey(a.id(), "archive-2", copy));
            assertThrows(ObjectIntegrityException.class, () -> store.openUnderObjectKey(b.id(), "archive-1", copy));
            store.destroy(a.id());
            assertThrows(ObjectDestroyedException.class, () -> store.openUnderObjectKey(a.id(), "archive-1", copy));
        }
    }

    @Test
    void archivedAndReactivated() {
        SiteKeystore ks = StoreFiles.keystore(tmp, CipherSuite.AES_256_GCM);
        try (ObjectStore store = StoreFiles.store(tmp, ks)) {
            StoredObject a = store.put(StoredObjectKind.ORIGINAL, new byte[] {1, 2, 3}, ObjectMeta.of("ds"));
            store.markArchived(a.id());
            assertFalse(Files.exists(store.pathOf(a.id())));
            assertThrows(StoreException.class, () -> store.markArchived(a.id()));
            assertThrows(ObjectIntegrityException.class, () -> store.reactivate(a.id(), new byte[] {1, 2, 4}));
            assertEquals(StoredObject.State.ARCHIVED, store.find(a.id()).orElseThrow().state());
            store.reactivate(a.id(), new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, store.read(a.id()));
            assertTrue(new StoreVerifier(store).verify().ok());
        }
    }

    @Test
    void wrappedKeyOpensOnlyWithTheSameKeystoreAndContext() {
        SiteKeystore ks = StoreFiles.keystore(tmp, CipherSuite.AES_256_GCM);
        SiteKeystore other = StoreFiles.keystore(tmp.resolve("other"), CipherSuite.AES_256_GCM);
        byte[] key = new byte[32];
        key[0] = 5;
        byte[] wrapped = ks.wrapKey(key, "medveil-backup:b1");
        assertArrayEquals(key, ks.unwrapKey(wrapped, "medveil-backup:b1"));
        assertThrows(StoreException.class, () -> ks.unwrapKey(wrapped, "medveil-backup:b2"));
        assertThrows(StoreException.class, () -> other.unwrapKey(wrapped, "medveil-backup:b1"));
    }
}
