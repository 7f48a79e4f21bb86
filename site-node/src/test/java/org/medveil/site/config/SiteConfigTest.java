package org.medveil.site.config;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.config.ConfigException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** site.yaml: the template loads, unknown fields and bad values are named with their line. */
class SiteConfigTest {
    @TempDir
    Path dir;

    @Test
    @Tag("REQ-ACQ-2")
    void templateLoadsCleanlyWithEveryPathResolvedAgainstTheConfigFolder() {
        Path file = SiteConfigTemplate.write(dir, "MEDVEIL_SITE", 11112);
        SiteConfig c = SiteConfig.load(file);
        Path base = dir.toAbsolutePath().normalize();
        assertEquals(base.resolve("inbox"), c.inbox());
        assertEquals(base.resolve("data"), c.store().dataFolder());
        assertEquals(base.resolve("keys/site.p12"), c.store().keystore());
        assertEquals(base.resolve("keys/project.key"), c.projectKey().file());
        assertEquals("MEDVEIL_KEYSTORE_PASSWORD", c.store().keystorePassword().env());
        assertEquals(SiteConfigFile.CipherSuite.AES_256_GCM, c.store().cipher());
        assertTrue(c.scp().enabled());
        assertEquals("MEDVEIL_SITE", c.scp().aeTitle());
        assertEquals(11112, c.scp().port());
        assertEquals("basic", c.deidProfile().profile().name());
        assertFalse(c.deidDecision().overridden());
        assertEquals(365, c.archiveAfterDays());
        assertEquals(base.resolve("backup"), c.backup().destination());
        assertEquals(1, c.autoApprove().size());
        assertEquals(2, c.autoApprove().get(0).maxGrade());
        // the example's ingest profile is in force
        assertTrue(c.ingest().refusal("XA", null, null, null).isPresent());
        assertTrue(c.ingest().refusal("CT", "CHEST", "1.2.840.10008.5.1.4.1.1.2", "Scout 1").isPresent());
        assertTrue(c.ingest().refusal("CT", "CHEST", "1.2.840.10008.5.1.4.1.1.2", "Axial 5mm").isEmpty());
    }

    @Test
    void templateNeverReplacesAnEditedConfig() throws IOException {
        Path file = SiteConfigTemplate.write(dir, "A", 104);
        Files.writeString(file, "# edited\n", java.nio.file.StandardOpenOption.APPEND);
        String before = Files.readString(file);
        ConfigException e = assertThrows(ConfigException.class, () -> SiteConfigTemplate.write(dir, "A", 104));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals(before, Files.readString(file));
    }

    @Test
    void unknownFieldNamesFieldAndLine() throws IOException {
        Path file = edit("  port: 11112\n", "  port: 11112\n  portt: 4\n");
        ConfigException e = assertThrows(ConfigException.class, () -> SiteConfig.load(file));
        assertTrue(e.getMessage().contains("unknown field 'scp.portt'"), e.getMessage());
        assertTrue(e.getMessage().contains("line " + lineOf(file, "portt:")), e.getMessage());
    }

    @Test
    void badPortNamesFieldAndLine() throws IOException {
        Path file = edit("  port: 11112\n", "  port: 70000\n");
        ConfigException e = assertThrows(ConfigException.class, () -> SiteConfig.load(file));
        assertTrue(e.getMessage().contains("line " + lineOf(file, "port: 70000") + ": field 'scp.port' must be between 1 and 65535, got 70000"),
                e.getMessage());
    }

    @Test
    void badCipherNamesField() throws IOException {
        Path file = edit("cipher: aes-256-gcm", "cipher: des");
        ConfigException e = assertThrows(ConfigException.class, () -> SiteConfig.load(file));
        assertTrue(e.getMessage().contains("'store.cipher'") && e.getMessage().contains("'des'"), e.getMessage());
        assertTrue(e.getMessage().contains("line " + lineOf(file, "cipher: des")), e.getMessage());
    }

    @Test
    void tlsWithoutATrustListIsRefused() throws IOException {
        Path file = edit("  tls: false", "  tls: true");
        ConfigException e = assertThrows(ConfigException.class, () -> SiteConfig.load(file));
        assertTrue(e.getMessage().contains("'scp.tlsTrust' is missing"), e.getMessage());
        reset();
        Path trusted = edit("  tls: false", "  tls: true\n  tlsTrust: nowhere.pem");
        e = assertThrows(ConfigException.class, () -> SiteConfig.load(trusted));
        assertTrue(e.getMessage().contains("'scp.tlsTrust' names") && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void backupScheduleIsCheckedAtLoad() throws IOException {
        Path file = edit("schedule: daily", "schedule: at noon");
        ConfigException e = assertThrows(ConfigException.class, () -> SiteConfig.load(file));
        assertTrue(e.getMessage().contains("'backup.schedule' must be hourly, daily, weekly or 'every N hours|days'"),
                e.getMessage());
        reset();
        assertEquals(java.time.Duration.ofHours(6), SiteConfig.load(edit("schedule: daily", "schedule: every 6 hours"))
                .backup().interval());
        reset();
        assertEquals(java.time.Duration.ofDays(1), SiteConfig.load(edit("schedule: daily", "schedule: daily"))
                .backup().interval());
    }

    @Test
    void theTwoPersonRuleForDestructionIsASiteSetting() throws IOException {
        Path file = edit("  secondPerson: false", "  secondPerson: true");
        assertTrue(SiteConfig.load(file).secondPersonForDestruction());
        reset();
        assertFalse(SiteConfig.load(edit("  secondPerson: false", "  secondPerson: false")).secondPersonForDestruction());
    }

    @Test
    void sm4IsAccepted() throws IOException {
        Path file = edit("cipher: aes-256-gcm", "cipher: sm4-gcm");
        assertEquals(SiteConfigFile.CipherSuite.SM4_GCM, SiteConfig.load(file).store().cipher());
    }

    @Test
    void autoApprovalAboveGradeThreeIsRefused() throws IOException {
        Path file = edit("    maxGrade: 2\n", "    maxGrade: 4\n");
        ConfigException e = assertThrows(ConfigException.class, () -> SiteConfig.load(file));
        assertTrue(e.getMessage().contains("line " + lineOf(file, "maxGrade: 4") + ": field 'autoApprove[0].maxGrade' must be 1, 2 or 3"), e.getMessage());
    }

    @Test
    void badSecretSourceIsRefused() throws IOException {
        Path file = edit("keystorePassword: env:MEDVEIL_KEYSTORE_PASSWORD", "keystorePassword: hunter2");
        ConfigException e = assertThrows(ConfigException.class, () -> SiteConfig.load(file));
        assertTrue(e.getMessage().contains("'store.keystorePassword' must be file:PATH or env:NAME"), e.getMessage());
    }

    @Test
    void keystoreInsideTheDataFolderIsRefused() throws IOException {
        Path file = edit("keystore: keys/site.p12", "keystore: data/site.p12");
        ConfigException e = assertThrows(ConfigException.class, () -> SiteConfig.load(file));
        assertTrue(e.getMessage().contains("inside store.dataFolder"), e.getMessage());
    }

    @Test
    void missingProfileNamesTheFileLookedFor() throws IOException {
        Path file = edit("profile: basic", "profile: nosuch");
        ConfigException e = assertThrows(ConfigException.class, () -> SiteConfig.load(file));
        assertTrue(e.getMessage().contains("'deid.profile'") && e.getMessage().contains("nosuch.yaml"), e.getMessage());
    }

    @Test
    @Tag("REQ-DEID-2")
    void profileDiscouragedByTable2IsRefusedAtLoad() throws IOException {
        Path file = SiteConfigTemplate.write(dir, "A", 104);
        // Basic techniques under high availability / low confidentiality: Table 2 discourages them
        Files.writeString(dir.resolve("deid/basic.yaml"), Files.readString(dir.resolve("deid/basic.yaml"))
                .replace("availability: low", "availability: high").replace("confidentiality: high", "confidentiality: low"));
        ConfigException e = assertThrows(ConfigException.class, () -> SiteConfig.load(file));
        assertTrue(e.getMessage().contains("'deid.profile'") && e.getMessage().contains("Table 2"), e.getMessage());
    }

    @Test
    void secretsAreReadFromFileOrEnvironment() throws IOException {
        Files.writeString(dir.resolve("pw"), "s3cret\n");
        SecretSource f = SecretSource.parse("file:pw", dir, "x");
        assertArrayEquals("s3cret".getBytes(), f.read());
        SecretSource env = SecretSource.parse("env:SITE_PW", dir, "x");
        assertArrayEquals("abc".getBytes(), env.read(Map.of("SITE_PW", "abc")));
        ConfigException e = assertThrows(ConfigException.class, () -> env.read(Map.of()));
        assertTrue(e.getMessage().contains("SITE_PW named in site.yaml is not set"), e.getMessage());
    }

    /** Empties the folder so the template can be written again. */
    private void reset() throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) {
                    Files.delete(p);
                }
            }
        }
    }

    private Path edit(String from, String to) throws IOException {
        Path file = SiteConfigTemplate.write(dir, "MEDVEIL_SITE", 11112);
        String text = Files.readString(file);
        assertTrue(text.contains(from), "template holds " + from);
        Files.writeString(file, text.replace(from, to));
        return file;
    }

    private static int lineOf(Path file, String needle) throws IOException {
        var lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError(needle);
    }
}
