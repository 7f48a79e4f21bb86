package org.medveil.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
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

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path provision() {
        Run r = run("provision", "init", "--project", "demo", "--coordinator", "localhost:8443", "--out",
                dir.resolve("prov").toString(), "--site", "hospital-a", "--site", "hospital-b",
                "--user", "admin:project-admin");
        assertEquals(0, r.code(), r.err());
        return dir.resolve("prov");
    }

    @Test
    void keyThatDoesNotMatchStopsSiteServeNamingTheFile() throws Exception {
        Path prov = provision();
        Path key = prov.resolve("sites/hospital-a/key.pem");
        Files.copy(prov.resolve("sites/hospital-b/key.pem"), key, StandardCopyOption.REPLACE_EXISTING);
        Run r = run("site", "serve", "--kit", prov.resolve("sites/hospital-a").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("medveil: error: private key " + key + " does not match"), r.err());
        assertEquals(1, r.err().lines().count(), "no stack trace without --verbose: " + r.err());
    }

    @Test
    void unknownSettingStopsCoordinatorServeNamingTheField() throws Exception {
        Path prov = provision();
        Path config = prov.resolve("coordinator/medveil.yaml");
        Files.writeString(config, Files.readString(config) + "settings:\n  heartbeatSecs: 3\n");
        Run r = run("coordinator", "serve", "--kit", prov.resolve("coordinator").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(config + " section 'settings'") && r.err().contains("unknown field 'heartbeatSecs'")
                && r.err().contains("heartbeatSeconds"), r.err());
    }

    @Test
    void siteKitCannotRunTheCoordinator() {
        Path prov = provision();
        Run r = run("coordinator", "serve", "--kit", prov.resolve("sites/hospital-a").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("needs the coordinator's kit"), r.err());
    }

    @Test
    void verboseAddsTheStackTrace() {
        Run r = run("--verbose", "site", "serve", "--kit", dir.resolve("missing").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().lines().count() > 1 && r.err().contains("\tat "), r.err());
    }

    @Test
    void provisionCommandsWorkOnTheFolderAndReportUnknownNames() {
        Path prov = provision();
        Run add = run("provision", "add-user", "carol", "--role", "compliance-officer", "--dir", prov.toString());
        assertEquals(0, add.code(), add.err());
        Run list = run("provision", "list", "--dir", prov.toString());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("carol") && l.contains("compliance-officer")), list.out());
        Run badRole = run("provision", "add-user", "dave", "--role", "janitor", "--dir", prov.toString());
        assertEquals(1, badRole.code());
        assertTrue(badRole.err().contains("unknown role 'janitor'"), badRole.err());
        Run unknown = run("provision", "revoke", "nobody", "--dir", prov.toString());
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("no participant named 'nobody'"), unknown.err());
        assertFalse(Files.exists(prov.resolve("users/dave")));
    }

    @Test
    void initWithoutAProjectSaysWhatIsMissing() {
        Run r = run("provision", "init", "--coordinator", "localhost:8443", "--out", dir.resolve("p").toString());
        assertEquals(1, r.code());
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
        Run r = run("provision", "init", "--config", spec.toString(), "--out", dir.resolve("p").toString(),
                "--site", "site-two");
        assertEquals(0, r.code(), r.err());
        for (String kit : new String[] {"coordinator", "sites/site-one", "sites/site-two", "users/ann"}) {
            assertTrue(Files.exists(dir.resolve("p").resolve(kit).resolve("medveil.yaml")), kit);
        }
        Files.writeString(spec, "project: lung\ncoordinatr: x:1\n");
        Run typo = run("provision", "init", "--config", spec.toString(), "--out", dir.resolve("r").toString());
        assertEquals(1, typo.code());
        assertTrue(typo.err().contains("unknown field 'coordinatr'"), typo.err());
    }
}
