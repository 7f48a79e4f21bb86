package org.medveil.site.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.crypto.CipherSuite;
import org.medveil.site.store.SiteKeystore;

/** A job's key material at rest in a real keystore's folder. */
class FileKeyVaultTest {

    @TempDir
    Path dir;

    private SiteKeystore keystore(String name) {
        return SiteKeystore.create(dir.resolve(name).resolve("site.p12"), "pw-".concat(name).toCharArray(),
                CipherSuite.AES_256_GCM);
    }

    @Test
    @DisplayName("secrets of any size come back after a reopen, never lie on disk in clear, do not open under"
            + " another job's name or another site's keystore, and are gone after erase")
    void sealedAtRest() throws Exception {
        SiteKeystore ks = keystore("a");
        byte[] share = new byte[200_000];
        new Random(7).nextBytes(share);
        new FileKeyVault(ks).store("job-1", "threshold-key-share", share);
        FileKeyVault reopened = new FileKeyVault(SiteKeystore.open(ks.path(), "pw-a".toCharArray()));
        assertArrayEquals(share, reopened.load("job-1", "threshold-key-share").orElseThrow());
        assertTrue(reopened.load("job-1", "sketch-key").isEmpty());

        Path file = ks.keyFolder().resolve("jobs/job-1/threshold-key-share.sealed");
        byte[] onDisk = Files.readAllBytes(file);
        assertFalse(new String(onDisk, java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains(new String(share, 1000, 64, java.nio.charset.StandardCharsets.ISO_8859_1)),
                "the secret is on disk in clear");

        // moved to another job's name, or read with another site's keystore: refused
        Files.createDirectories(ks.keyFolder().resolve("jobs/job-2"));
        Files.copy(file, ks.keyFolder().resolve("jobs/job-2/threshold-key-share.sealed"));
        assertThrows(RuntimeException.class, () -> reopened.load("job-2", "threshold-key-share"));
        SiteKeystore other = keystore("b");
        Files.createDirectories(other.keyFolder().resolve("jobs/job-1"));
        Files.copy(file, other.keyFolder().resolve("jobs/job-1/threshold-key-share.sealed"));
        assertThrows(RuntimeException.class, () -> new FileKeyVault(other).load("job-1", "threshold-key-share"));

        reopened.erase("job-1");
        assertFalse(Files.exists(file));
        try (Stream<Path> s = Files.list(ks.keyFolder().resolve("jobs"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().equals("job-1")));
        }
    }
}
