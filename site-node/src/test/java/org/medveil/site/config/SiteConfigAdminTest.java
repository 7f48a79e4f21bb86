package org.medveil.site.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.config.ConfigException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code admin:} section of site.yaml: loopback 8444 by default, strict like the rest. */
class SiteConfigAdminTest {

    @TempDir
    Path dir;

    private Path template(String from, String to) throws IOException {
        Path file = SiteConfigTemplate.write(dir, "A", 104);
        String text = Files.readString(file);
        assertTrue(text.contains(from), "template contains " + from);
        Files.writeString(file, text.replace(from, to));
        return file;
    }

    @Test
    void templateListensOnLoopback8444() {
        SiteConfig c = SiteConfig.load(SiteConfigTemplate.write(dir, "A", 104));
        assertEquals(new SiteConfig.AdminSettings("127.0.0.1", 8444), c.admin());
    }

    @Test
    void missingSectionMeansLoopbackDefault() throws IOException {
        Path file = template("admin:\n  bindAddress: 127.0.0.1     # loopback: only operators on this host reach it\n  port: 8444\n", "");
        assertEquals(SiteConfig.AdminSettings.DEFAULTS, SiteConfig.load(file).admin());
    }

    @Test
    void badPortNamesFieldAndLine() throws IOException {
        Path file = template("  port: 8444\n", "  port: 0\n");
        ConfigException e = assertThrows(ConfigException.class, () -> SiteConfig.load(file));
        assertTrue(e.getMessage().contains("field 'admin.port' must be between 1 and 65535, got 0"), e.getMessage());
        assertTrue(e.getMessage().matches("(?s).* line \\d+: .*"), e.getMessage());
    }
}
