package org.medveil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.testsupport.External;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Structural checks of deploy/ (no container engine on the build machines): the Dockerfile, the
 * root .dockerignore, the compose file and the systemd units. DeployIT runs the image's entrypoint
 * as the fixed user.
 */
class DeployFilesTest {

    static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
    static final Path DEPLOY = REPO.resolve("deploy");
    /** The image user's fixed UID and GID, as documented in deploy/README.md. */
    static final String UID = "10001";

    // ---- Dockerfile ------------------------------------------------------------------------

    /** Dockerfile instructions with continuation lines joined and comments dropped. */
    static List<String> instructions(String dockerfile) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : dockerfile.split("\n")) {
            String t = line.strip();
            if (t.startsWith("#") || (t.isEmpty() && cur.isEmpty())) {
                continue;
            }
            if (t.endsWith("\\")) {
                cur.append(t, 0, t.length() - 1).append(' ');
            } else {
                cur.append(t);
                out.add(cur.toString().strip());
                cur.setLength(0);
            }
        }
        return out;
    }

    /** What is wrong with a Dockerfile by our rules; empty when nothing. */
    static List<String> lint(String dockerfile) {
        List<String> problems = new ArrayList<>();
        List<String> ins = instructions(dockerfile);
        List<String> users = ins.stream().filter(i -> i.startsWith("USER ")).toList();
        if (users.isEmpty() || !users.get(users.size() - 1).equals("USER " + UID + ":" + UID)) {
            problems.add("the last USER must be the fixed numeric " + UID + ":" + UID + ", is " + users);
        }
        if (!dockerfile.contains("--uid " + UID) || !dockerfile.contains("--gid " + UID)) {
            problems.add("the image's user and group must be created with --uid/--gid " + UID);
        }
        for (String i : ins) {
            String[] w = i.split("\\s+");
            if (w[0].equals("ADD")) {
                problems.add("ADD copies archives and URLs implicitly; use COPY: " + i);
            }
            if (w[0].equals("COPY")) {
                for (int k = 1; k < w.length - 1; k++) {
                    if (!w[k].startsWith("--") && (w[k].equals(".") || w[k].equals("./") || w[k].equals("/"))) {
                        problems.add("COPY of the whole build context: " + i);
                    }
                }
            }
        }
        if (ins.stream().noneMatch(i -> i.startsWith("HEALTHCHECK ")
                && i.matches(".*\\bCMD\\b.*\\bhealth\\b.*--kit.*"))) {
            problems.add("no HEALTHCHECK running 'medveil health --kit'");
        }
        if (ins.stream().noneMatch(i -> i.startsWith("ENTRYPOINT [\"java\", \"-jar\", \"/opt/medveil/medveil.jar\"]"))) {
            problems.add("ENTRYPOINT must be the exec form running /opt/medveil/medveil.jar");
        }
        return problems;
    }

    @Test
    @DisplayName("the Dockerfile runs as the fixed numeric user, copies only the jar and has a healthcheck")
    void dockerfileLint() throws Exception {
        String df = Files.readString(DEPLOY.resolve("Dockerfile"));
        assertEquals(List.of(), lint(df));
        // the lint itself catches each break
        assertFalse(lint(df.replace("USER 10001:10001", "USER medveil")).isEmpty());
        assertFalse(lint(df.replace("COPY --chown=0:0 cli/target/medveil.jar", "COPY . ")).isEmpty());
        assertFalse(lint(df.replace("COPY --chown=0:0 cli/target/medveil.jar", "ADD cli/target/medveil.jar")).isEmpty());
        assertFalse(lint(df.replaceAll("(?s)HEALTHCHECK.*?\\]\\n", "")).isEmpty());
        assertFalse(lint(df.replace("--uid 10001", "")).isEmpty());
    }

    // ---- .dockerignore ---------------------------------------------------------------------

    /**
     * Docker's rule: patterns in order, the last that matches a path or one of its parent
     * folders decides; '!' re-includes. '**' spans folders (also none), '*' stays in one.
     */
    static boolean ignored(List<String> patterns, String path) {
        boolean ignored = false;
        for (String raw : patterns) {
            boolean negate = raw.startsWith("!");
            String p = negate ? raw.substring(1) : raw;
            if (matchesSelfOrParent(p, path)) {
                ignored = !negate;
            }
        }
        return ignored;
    }

    private static boolean matchesSelfOrParent(String pattern, String path) {
        String[] parts = path.split("/");
        for (int n = 1; n <= parts.length; n++) {
            String prefix = String.join("/", java.util.Arrays.copyOf(parts, n));
            if (glob(pattern, prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean glob(String pattern, String path) {
        var fs = FileSystems.getDefault();
        if (fs.getPathMatcher("glob:" + pattern).matches(Path.of(path))) {
            return true;
        }
        // Docker's '**/' also matches no folder at all
        return pattern.startsWith("**/") && glob(pattern.substring(3), path);
    }

    static List<String> dockerignore() throws Exception {
        return Files.readAllLines(REPO.resolve(".dockerignore"), StandardCharsets.UTF_8).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    @Test
    @DisplayName(".dockerignore keeps try/, target folders, .git and every kind of key material and kit out")
    void dockerignoreKeepsSecretsOut() throws Exception {
        List<String> patterns = dockerignore();
        for (String secret : List.of("try/prov/ca/ca.key", "try/project.key", "try/data/site-1/IMG00001.dcm",
                "deploy/prov/ca/ca.key", "deploy/prov/coordinator/key.pem", "deploy/prov/sites/hospital-a/key.pem",
                "elsewhere/prov/users/admin/key.pem", "project.key", "x/y/site.key", "a/b/coordinator-key.pem",
                "kits/sites/hospital-a/medveil.yaml", "kits/users/admin/cert.pem", "backup/ca/ca.pem",
                ".git/config", "target/x", "cli/target/classes/org/medveil/cli/Main.class",
                "governance/target/surefire-reports/x.txt")) {
            assertTrue(ignored(patterns, secret), secret + " would be in the build context");
        }
        for (String needed : List.of("cli/target/medveil.jar")) {
            assertFalse(ignored(patterns, needed), needed + " is what the Dockerfile copies");
        }
        // the matcher itself: without the key patterns a stray key would get in
        assertFalse(ignored(patterns.stream().filter(p -> !p.contains("key")).toList(), "x/y/site.key"));
    }

    @Test
    @DisplayName("every COPY source of the Dockerfile is in the build context")
    void dockerfileSourcesNotIgnored() throws Exception {
        List<String> patterns = dockerignore();
        for (String i : instructions(Files.readString(DEPLOY.resolve("Dockerfile")))) {
            if (i.startsWith("COPY ")) {
                String[] w = i.split("\\s+");
                for (int k = 1; k < w.length - 1; k++) {
                    if (!w[k].startsWith("--")) {
                        assertFalse(ignored(patterns, w[k]), w[k] + " is excluded by .dockerignore");
                    }
                }
            }
        }
    }

    // ---- docker-compose.yml ----------------------------------------------------------------

    @Test
    @DisplayName("compose: kits read-only, the coordinator's state on a volume, healthcheck, restart policies")
    void composeFile() throws Exception {
        JsonNode services = new ObjectMapper(new YAMLFactory()).readTree(DEPLOY.resolve("docker-compose.yml").toFile())
                .get("services");
        JsonNode coordinator = services.get("coordinator");
        List<String> cmd = new ArrayList<>();
        coordinator.get("command").forEach(n -> cmd.add(n.asText()));
        int state = cmd.indexOf("--state-dir");
        assertTrue(state > 0, "the coordinator's state folder must be given: " + cmd);
        String stateDir = cmd.get(state + 1);
        boolean stateOnVolume = false;
        for (JsonNode v : coordinator.get("volumes")) {
            String[] parts = v.asText().split(":");
            if (parts[1].equals("/kit")) {
                assertTrue(parts.length == 3 && parts[2].equals("ro"), "the coordinator kit must be read-only: " + v);
            } else if (stateDir.startsWith(parts[1] + "/") || stateDir.equals(parts[1])) {
                assertFalse(parts[0].startsWith(".") || parts[0].startsWith("/"),
                        "state on a named volume, not in the checkout: " + v);
                stateOnVolume = true;
            }
        }
        assertTrue(stateOnVolume, "no volume holds " + stateDir);
        assertEquals("unless-stopped", coordinator.get("restart").asText());
        assertTrue(coordinator.get("healthcheck") == null || !coordinator.get("healthcheck").has("disable"),
                "the coordinator keeps the image's healthcheck");
        int sites = 0;
        for (Map.Entry<String, JsonNode> e : iterable(services)) {
            JsonNode s = e.getValue();
            if (!s.get("command").get(0).asText().equals("site")) {
                continue;
            }
            sites++;
            for (JsonNode v : s.get("volumes")) {
                assertTrue(v.asText().endsWith(":ro"), e.getKey() + ": every site mount read-only: " + v);
            }
            assertTrue(s.get("restart").asText().startsWith("on-failure:"),
                    e.getKey() + ": capped on-failure (exit 3 must not restart forever)");
            assertEquals("service_healthy", s.get("depends_on").get("coordinator").get("condition").asText());
            assertTrue(s.get("healthcheck").get("disable").asBoolean(), e.getKey() + ": a site has no port to probe");
        }
        assertEquals(2, sites);
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode n) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
        return m.entrySet();
    }

    // ---- systemd units ---------------------------------------------------------------------

    static Map<String, List<String>> unitSettings(String unit) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String line : unit.split("\n")) {
            Matcher x = Pattern.compile("^([A-Za-z]+)=(.*)$").matcher(line.strip());
            if (x.matches()) {
                m.computeIfAbsent(x.group(1), k -> new ArrayList<>()).add(x.group(2));
            }
        }
        return m;
    }

    @Test
    @DisplayName("systemd units: unprivileged user, read-only kit, state directory, restart policy, hardening")
    void systemdUnitsSettings() throws Exception {
        for (String name : List.of("medveil-coordinator.service", "medveil-site.service")) {
            Map<String, List<String>> s = unitSettings(Files.readString(DEPLOY.resolve("systemd").resolve(name)));
            String exec = s.get("ExecStart").get(0);
            Matcher kit = Pattern.compile("--kit (\\S+)").matcher(exec);
            assertTrue(kit.find(), name + ": " + exec);
            assertEquals(List.of(kit.group(1)), s.get("ReadOnlyPaths"), name + ": the kit read-only");
            assertEquals(List.of("medveil"), s.get("User"), name);
            assertEquals(List.of("on-failure"), s.get("Restart"), name);
            for (String k : List.of("NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes")) {
                String[] kv = k.split("=");
                assertEquals(List.of(kv[1]), s.get(kv[0]), name + ": " + k);
            }
            assertTrue(s.containsKey("StateDirectory"), name);
        }
        Map<String, List<String>> site = unitSettings(Files.readString(DEPLOY.resolve("systemd/medveil-site.service")));
        assertEquals(List.of("3"), site.get("RestartPreventExitStatus"), "exit code 3 means stopped for good");
        assertEquals(List.of("medveil-site"), site.get("CacheDirectory"), "native libraries unpack once");
        assertTrue(site.get("ExecStart").get(0).contains("-Dorg.bytedeco.javacpp.cachedir=${CACHE_DIRECTORY}/"),
                "JavaCPP unpacks into the unit's cache directory");
        Map<String, List<String>> c = unitSettings(Files.readString(DEPLOY.resolve("systemd/medveil-coordinator.service")));
        assertTrue(c.get("ExecStart").get(0).contains("--state-dir ${STATE_DIRECTORY}"), "state outside the kit");
    }

    @Test
    @DisplayName("systemd-analyze verify accepts both units without a warning")
    void systemdAnalyzeVerify(@TempDir Path tmp) throws Exception {
        Path tool = External.tool("systemd-analyze", "systemd");
        if (tool == null) {
            return;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String name : List.of("medveil-coordinator.service", "medveil-site.service")) {
            // verify checks that ExecStart's binary exists: point it at this JVM, leave the rest as shipped
            Path unit = tmp.resolve(name);
            Files.writeString(unit, Files.readString(DEPLOY.resolve("systemd").resolve(name)).replace("/usr/bin/java", java));
            External.Result r = External.run(List.of(tool.toString(), "verify", unit.toString()));
            String err = r.err(StandardCharsets.UTF_8) + r.out(StandardCharsets.UTF_8);
            assertEquals(0, r.exit(), name + ": " + err);
            assertEquals("", err.strip(), name + ": systemd-analyze warns");
        }
    }
}
