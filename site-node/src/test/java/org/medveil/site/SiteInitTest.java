package org.medveil.site;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.config.ConfigException;
import org.medveil.governance.crypto.CipherSuite;
import org.medveil.site.config.SiteConfig;
import org.medveil.site.config.SiteConfigFile;
import org.medveil.site.store.ObjectMeta;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.Secret;
import org.medveil.site.store.SiteKeystore;
import org.medveil.site.store.StoredObject;
import org.medveil.site.store.StoredObjectKind;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code site init}: a loadable config, a private keystore for the chosen suite, and a refusal to reuse a folder. */
class SiteInitTest {

    @TempDir
    Path dir;

    @Test
    @Tag("REQ-STO-1")
    void anSm4SiteStoresUnderTheNationalSuite() throws Exception {
        SiteInit.Result r = SiteInit.create(dir.resolve("site"), "hospital-a", 11112, CipherSuite.SM4_GCM);
        SiteConfig c = SiteConfig.load(r.config());
        assertEquals(SiteConfigFile.CipherSuite.SM4_GCM, c.store().cipher());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.passwordFile())));
        SiteKeystore ks = SiteKeystore.open(c.store().keystore(), Secret.parse(c.store().keystorePassword().toString()));
        assertEquals(CipherSuite.SM4_GCM, ks.suite());
        try (ObjectStore store = ObjectStore.open(c.store().dataFolder(), ks)) {
            byte[] content = "an object under SM4-GCM".getBytes();
            StoredObject o = store.put(StoredObjectKind.ORIGINAL, content, ObjectMeta.of("default"));
            assertEquals("sm4-gcm", o.suite());
            assertArrayEquals(content, store.read(o.id()));
        }
        ConfigException again = assertThrows(ConfigException.class,
                () -> SiteInit.create(dir.resolve("site"), "hospital-a", 11112, CipherSuite.AES_256_GCM));
        assertTrue(again.getMessage().contains("is not empty"), again.getMessage());
    }

    @Test
    void theKeyFolderMustHoldTheKeystoreAndBackupsStayOutOfTheStore() throws Exception {
        SiteInit.Result r = SiteInit.create(dir.resolve("site"), "hospital-a", 11112, CipherSuite.AES_256_GCM);
        String text = Files.readString(r.config());
        Files.writeString(r.config(), text.replace("keyFolder: keys", "keyFolder: other-keys"));
        ConfigException e = assertThrows(ConfigException.class, () -> SiteConfig.load(r.config()));
        assertTrue(e.getMessage().contains("'store.keyFolder'") && e.getMessage().contains("keys.db lives beside"),
                e.getMessage());
        Files.writeString(r.config(), text.replace("destination: backup", "destination: data/backups"));
        e = assertThrows(ConfigException.class, () -> SiteConfig.load(r.config()));
        assertTrue(e.getMessage().contains("'backup.destination' lies inside"), e.getMessage());
    }
}
