package org.medveil.cli;

import static org.medveil.cli.CliRun.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad kits and bad config stop a command with one line that names the file and the problem. */
class CliErrorsTest {

    @TempDir
    Path dir;



    private Path provision() {
        CliRun r = run("provision", "init", "--project", "demo", "--coordinator", "localhost:8443", "--out",
                dir.resolve("prov").toString(), "--site", "hospital-a", "--site", "hospital-b",
                "--user", "admin:project-admin");
        assertEquals(0, r.exit(), r.err());
        return dir.resolve("prov");
    }

    @Test
    void keyThatDoesNotMatchStopsSiteServeNamingTheFile() throws Exception {
        Path prov = provision();
        Path key = prov.resolve("sites/hospital-a/key.pem");
        Files.copy(prov.resolve("sites/hospital-b/key.pem"), key, StandardCopyOption.REPLACE_EXISTING);
        CliRun r = run("site", "serve", "--kit", prov.resolve("sites/hospital-a").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("medveil: error: private key " + key + " does not match"), r.err());
        assertEquals(1, r.err().lines().count(), "no stack trace without --verbose: " + r.err());
    }

    @Test
    void unknownSettingStopsCoordinatorServeNamingTheField() throws Exception {
        Path prov = provision();
        Path config = prov.resolve("coordinator/medveil.yaml");
        Files.writeString(config, Files.readString(config) + "settings:\n  heartbeatSecs: 3\n");
        CliRun r = run("coordinator", "serve", "--kit", prov.resolve("coordinator").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(config + " section 'settings'") && r.err().contains("unknown field 'heartbeatSecs'")
                && r.err().contains("heartbeatSeconds"), r.err());
    }

    @Test
    void siteKitCannotRunTheCoordinator() {
        Path prov = provision();
        CliRun r = run("coordinator", "serve", "--kit", prov.resolve("sites/hospital-a").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("needs the coordinator's kit"), r.err());
    }

    @Test
    void verboseAddsTheStackTrace() {
        CliRun r = run("--verbose", "site", "serve", "--kit", dir.resolve("missing").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().lines().count() > 1 && r.err().contains("\tat "), r.err());
    }

    @Test
    void provisionCommandsWorkOnTheFolderAndReportUnknownNames() {
        Path prov = provision();
        CliRun add = run("provision", "add-user", "carol", "--role", "compliance-officer", "--dir", prov.toString());
        assertEquals(0, add.exit(), add.err());
        CliRun list = run("provision", "list", "--dir", prov.toString());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("carol") && l.contains("compliance-officer")), list.out());
        CliRun badRole = run("provision", "add-user", "dave", "--role", "janitor", "--dir", prov.toString());
        assertEquals(1, badRole.exit());
        assertTrue(badRole.err().contains("unknown role 'janitor'"), badRole.err());
        CliRun unknown = run("provision", "revoke", "nobody", "--dir", prov.toString());
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("no participant named 'nobody'"), unknown.err());
        assertFalse(Files.exists(prov.resolve("users/dave")));
    }

    @Test
    void initWithoutAProjectSaysWhatIsMissing() {
        CliRun r = run("provision", "init", "--coordinator", "localhost:8443", "--out", dir.resolve("p").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("pass --project NAME"), r.err());
    }

    @Test
    void initReadsAProjectYaml() throws Exception {
        Path spec = dir.resolve("project-spec.yaml");
        Files.writeString(spec, """
                project: lung
                coordinator: fl.example.org:9443
                validityDays: 90
                sites: [site-one]
                users:
                  - {name: ann, role: data-manager}
                """);
        CliRun r = run("provision", "init", "--config", spec.toString(), "--out", dir.resolve("p").toString(),
                "--site", "site-two");
        assertEquals(0, r.exit(), r.err());
        for (String kit : new String[] {"coordinator", "sites/site-one", "sites/site-two", "users/ann"}) {
            assertTrue(Files.exists(dir.resolve("p").resolve(kit).resolve("medveil.yaml")), kit);
        }
        Files.writeString(spec, "project: lung\ncoordinatr: x:1\n");
        CliRun typo = run("provision", "init", "--config", spec.toString(), "--out", dir.resolve("r").toString());
        assertEquals(1, typo.exit());
        assertTrue(typo.err().contains("unknown field 'coordinatr'"), typo.err());
    }
}
