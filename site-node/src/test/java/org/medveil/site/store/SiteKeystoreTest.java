package org.medveil.site.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.medveil.governance.crypto.CipherSuite;

class SiteKeystoreTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void createThenOpenGivesTheSameMasterKeyAndSuite(CipherSuite suite) throws Exception {
        Path p = tmp.resolve("keys/site.p12");
        SiteKeystore made = SiteKeystore.create(p, "pw-1".toCharArray(), suite);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        SiteKeystore opened = SiteKeystore.open(p, "pw-1".toCharArray());
        assertEquals(suite, opened.suite());
        assertEquals(suite.keyBytes(), opened.masterKey().length);
        assertArrayEquals(made.masterKey(), opened.masterKey());
        assertEquals(32, opened.pseudonymKey().length);
        assertArrayEquals(made.pseudonymKey(), opened.pseudonymKey());
        SiteKeystore other = SiteKeystore.create(tmp.resolve("other/site.p12"), "pw-1".toCharArray(), suite);
        assertFalse(Arrays.equals(made.pseudonymKey(), other.pseudonymKey()), "each site has its own pseudonym key");
    }

    @Test
    void refusesToOverwrite() {
        Path p = tmp.resolve("site.p12");
        SiteKeystore.create(p, "pw".toCharArray(), CipherSuite.AES_256_GCM);
        StoreException e = assertThrows(StoreException.class,
                () -> SiteKeystore.create(p, "pw".toCharArray(), CipherSuite.AES_256_GCM));
        assertTrue(e.getMessage().contains("already exists; refusing to overwrite"), e.getMessage());
    }

    @Test
    void wrongPasswordMissingFileAndOpenModeAreNamed() throws Exception {
        Path p = tmp.resolve("site.p12");
        SiteKeystore.create(p, "right".toCharArray(), CipherSuite.AES_256_GCM);
        StoreException wrong = assertThrows(StoreException.class, () -> SiteKeystore.open(p, "wrong".toCharArray()));
        assertEquals("wrong password for keystore " + p + "; give the password it was created with",
                wrong.getMessage());

        Path none = tmp.resolve("none.p12");
        StoreException missing = assertThrows(StoreException.class, () -> SiteKeystore.open(none, "x".toCharArray()));
        assertTrue(missing.getMessage().startsWith("keystore " + none + " does not exist; create it with"),
                missing.getMessage());

        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        StoreException mode = assertThrows(StoreException.class, () -> SiteKeystore.open(p, "right".toCharArray()));
        assertEquals("keystore " + p + " has mode rw-r--r-- (group or others can access it); run 'chmod 600 "
                + p + "'", mode.getMessage());
    }

    @Test
    void passwordFromFileOrEnvironment() throws Exception {
        Path pwFile = tmp.resolve("pw.txt");
        StoreFiles.writeOwnerOnly(pwFile, "from-file\n");
        Path p = tmp.resolve("site.p12");
        SiteKeystore.create(p, Secret.parse("file:" + pwFile), CipherSuite.SM4_GCM);
        assertEquals(CipherSuite.SM4_GCM, SiteKeystore.open(p, "from-file".toCharArray()).suite());

        Secret env = Secret.parse("env:SITE_PW", Map.of("SITE_PW", "from-file"));
        assertEquals(CipherSuite.SM4_GCM, SiteKeystore.open(p, env).suite());
        assertEquals("env:SITE_PW", env.toString());

        StoreException wrong = assertThrows(StoreException.class,
                () -> SiteKeystore.open(p, Secret.parse("env:SITE_PW", Map.of("SITE_PW", "nope"))));
        assertTrue(wrong.getMessage().contains("(password source env:SITE_PW)"), wrong.getMessage());
        assertTrue(!wrong.getMessage().contains("nope"), "the message never shows the password");
    }

    @Test
    void badSecretSourcesAreExplained() throws Exception {
        assertEquals("password source 'pw' is not understood; write file:PATH (a file holding the password)"
                + " or env:NAME (an environment variable)",
                assertThrows(StoreException.class, () -> Secret.parse("pw")).getMessage());
        assertEquals("environment variable NOPE (password source) is not set; set it before starting the site node",
                assertThrows(StoreException.class, () -> Secret.parse("env:NOPE", Map.of()).read()).getMessage());
        Path open = tmp.resolve("open.txt");
        Files.writeString(open, "pw");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r-----"));
        assertTrue(assertThrows(StoreException.class, () -> Secret.parse("file:" + open).read()).getMessage()
                .contains("run 'chmod 600 " + open + "'"));
    }
}
