package org.medveil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.pki.Kit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The daemons as separate processes of the packaged jar, as hospital IT runs them: a kit started
 * twice, a site revoked while running, a revoked coordinator, JSON logs. Every daemon's output
 * is checked to hold only our one-line log format (no stack traces, no library dumps).
 */
@Tag("REQ-TX-3")
class DaemonsIT {

    private static final Path JAR = Path.of(System.getProperty("user.dir"), "target", "medveil.jar");
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** A text log line, or the one error line a command prints before exiting. */
    private static final Pattern OUR_LINE = Pattern.compile(
            "^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (TRACE|DEBUG|INFO |WARN |ERROR) \\S+ - .*|medveil: error: .*)$");
    private static final Set<String> JSON_FIELDS = Set.of("timestamp", "level", "loggerName", "formattedMessage",
            "kvpList", "mdc", "markers");

    private final List<Process> daemons = new ArrayList<>();
    private final List<Path> outputs = new ArrayList<>();
    private int port;

    @TempDir
    Path dir;

    @BeforeEach
    void provision() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Result init = run("provision", "init", "--project", "demo", "--coordinator", "localhost:" + port,
                "--out", "prov", "--site", "hospital-a", "--site", "hospital-b", "--user", "admin:project-admin");
        assertEquals(0, init.code(), init.out());
        // Tests run sites with a short backoff; the behaviour under test does not depend on it.
        for (String site : List.of("hospital-a", "hospital-b")) {
            Path yaml = dir.resolve("prov/sites").resolve(site).resolve("medveil.yaml");
            Files.writeString(yaml, Files.readString(yaml)
                    + "settings:\n  reconnectInitialMillis: 200\n  reconnectMaxMillis: 2000\n");
        }
    }

    @AfterEach
    void stopAndCheckLogs() throws Exception {
        for (Process p : daemons) {
            p.destroy();
        }
        for (Process p : daemons) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        for (Path f : outputs) {
            for (String line : Files.readAllLines(f)) {
                if (line.startsWith("{")) {
                    continue; // JSON lines are checked by the JSON test
                }
                assertTrue(OUR_LINE.matcher(line).matches(), "foreign or multi-line output in " + f.getFileName()
                        + ": " + line);
            }
        }
    }

    record Result(int code, String out) {
    }

    private ProcessBuilder command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile());
    }

    private Result run(String... args) throws Exception {
        Process p = command(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("medveil " + String.join(" ", args) + " did not finish:\n" + out);
        }
        return new Result(p.exitValue(), out);
    }

    /** Starts a daemon; stdout and stderr go to NAME.out. */
    private Process daemon(String name, String... args) throws IOException {
        Path out = dir.resolve(name + ".out");
        outputs.add(out);
        Process p = command(args).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        daemons.add(p);
        return p;
    }

    private String read(String file) {
        try {
            Path f = dir.resolve(file);
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void await(String what, BooleanSupplier condition, String... logs) throws InterruptedException {
        Instant end = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(end)) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(200);
        }
        fail("timed out waiting for " + what + "; logs: " + String.join("\n---\n", logs));
    }

    private Process coordinator(String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("coordinator", "serve", "--kit", "prov/coordinator",
                "--log-file", "coordinator.log"));
        args.addAll(List.of(extra));
        outputs.add(dir.resolve("coordinator.log"));
        return daemon("coordinator", args.toArray(String[]::new));
    }

    private Process site(String name, String kit) throws IOException {
        return daemon(name, "site", "serve", "--kit", kit);
    }

    private Path copyKit(String kit, String to) throws IOException {
        Path target = dir.resolve(to);
        Files.createDirectories(target);
        try (var files = Files.list(dir.resolve(kit))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return target;
    }

    @Test
    @DisplayName("the storage SCP logs one line when stopped by SIGTERM")
    void scpLogsOnSigterm() throws Exception {
        int scpPort;
        try (ServerSocket s = new ServerSocket(0)) {
            scpPort = s.getLocalPort();
        }
        Path out = dir.resolve("scp.out");
        Process scp = command("dicom", "scp", "--aet", "MEDVEIL", "--port", String.valueOf(scpPort), "--out", "incoming")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        daemons.add(scp);
        await("scp listening", () -> read("scp.out").contains("listening on"), read("scp.out"));
        scp.destroy(); // SIGTERM
        assertTrue(scp.waitFor(20, TimeUnit.SECONDS), read("scp.out"));
        List<String> stopping = read("scp.out").lines().filter(l -> l.contains("scp stopping")).toList();
        assertEquals(1, stopping.size(), read("scp.out"));
        assertTrue(OUR_LINE.matcher(stopping.get(0)).matches() && stopping.get(0).contains("INFO "), stopping.get(0));
        assertTrue(stopping.get(0).endsWith("scp stopping: 0 associations open"), stopping.get(0));
    }

    @Test
    @DisplayName("a site kit started twice: the replaced process stops with exit 1 naming the other host; the other stays")
    void duplicateSiteKit() throws Exception {
        coordinator();
        Process first = site("first", "prov/sites/hospital-a");
        await("first instance connected", () -> read("coordinator.log").contains("site hospital-a connected"),
                read("coordinator.log"));
        Process second = site("second", "prov/sites/hospital-a");
        Instant start = Instant.now();
        await("one instance stops", () -> !first.isAlive() || !second.isAlive(), read("first.out"), read("second.out"));
        assertTrue(Duration.between(start, Instant.now()).toSeconds() < 30, "bounded time");
        Process loser = first.isAlive() ? second : first;
        Process winner = loser == first ? second : first;
        String loserOut = read(loser == first ? "first.out" : "second.out");
        assertEquals(3, loser.exitValue(), "exit code for \"do not restart\": " + loserOut);
        assertTrue(loserOut.contains("medveil: error: another instance of site hospital-a is connected from 127.0.0.1"),
                loserOut);
        Thread.sleep(3000);
        assertTrue(winner.isAlive(), "the newest connection keeps running");
        Result list = run("sites", "list", "--kit", "prov/users/admin");
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("hospital-a ") && l.contains(" connected ")),
                list.out());
    }

    @Test
    @DisplayName("a revoked site process stops; 20 s of attempts with its certificate cost a few JSON log lines; logs are JSON")
    void revokedSiteAndJsonLogs() throws Exception {
        coordinator("--log-format", "json");
        Process b = site("hospital-b", "prov/sites/hospital-b");
        await("site connected", () -> read("coordinator.log").contains("site hospital-b connected"),
                read("coordinator.log"), read("hospital-b.out"));
        copyKit("prov/sites/hospital-b", "stale-b");
        String fp = Kit.load(dir.resolve("prov/sites/hospital-b")).fingerprint();
        Result revoke = run("provision", "revoke", "hospital-b", "--dir", "prov");
        assertEquals(0, revoke.code(), revoke.out());
        assertTrue(b.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "revoked site stops by itself");
        assertEquals(3, b.exitValue());
        String out = read("hospital-b.out");
        assertTrue(out.contains("medveil: error: the coordinator revoked this site's certificate on "), out);

        // A copy of the kit elsewhere keeps trying (here: a raw client, 20 s, every 200 ms).
        Instant end = Instant.now().plusSeconds(20);
        int attempts = 0;
        while (Instant.now().isBefore(end)) {
            RawClient.failure(RawClient.channel(dir.resolve("stale-b"), dir.resolve("prov/ca/ca.pem"), port),
                    "hospital-b");
            attempts++;
            Thread.sleep(200);
        }
        assertTrue(attempts > 30, "attempts: " + attempts);
        List<JsonNode> lines = jsonLines(dir.resolve("coordinator.log"));
        long aboutB = lines.stream().filter(n -> n.path("formattedMessage").asText().contains(fp)).count();
        assertTrue(aboutB >= 2 && aboutB <= 4, aboutB + " lines about the revoked certificate after " + attempts
                + " attempts: " + lines);
        JsonNode refusal = lines.stream().filter(n -> n.path("formattedMessage").asText()
                .startsWith("refused TLS client: certificate revoked")).findFirst().orElseThrow();
        assertEquals("WARN", refusal.path("level").asText());
        assertEquals("org.medveil.coordinator.security", refusal.path("loggerName").asText());
        assertTrue(refusal.path("kvpList").toString().contains("\"fingerprint\":\"" + fp + "\""), refusal.toString());
        assertTrue(refusal.path("kvpList").toString().contains("\"reason\":\"REVOKED\""), refusal.toString());

        Result list = run("sites", "list", "--kit", "prov/users/admin");
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("hospital-b ") && l.contains(" revoked ")
                && l.contains("revoked since")), list.out());
    }

    /** Every line of a JSON log is one object with only the documented fields. */
    private static List<JsonNode> jsonLines(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = json.readTree(line);
            assertTrue(n.isObject(), line);
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertTrue(JSON_FIELDS.contains(f), "unexpected field " + f + " in " + line);
            }
            assertTrue(n.path("timestamp").isNumber() && n.hasNonNull("level") && n.hasNonNull("loggerName")
                    && n.hasNonNull("formattedMessage"), line);
            nodes.add(n);
        }
        assertFalse(nodes.isEmpty(), "empty log " + file);
        return nodes;
    }

    @Test
    @DisplayName("a revoked coordinator: a site process refuses it with one clear line until the renewed coordinator runs")
    void revokedCoordinator() throws Exception {
        Process coordinator = coordinator();
        Result revoke = run("provision", "revoke", "coordinator", "--dir", "prov");
        assertEquals(0, revoke.code(), revoke.out());
        assertTrue(revoke.out().contains("'medveil provision renew coordinator"), revoke.out());
        Process a = site("hospital-a", "prov/sites/hospital-a");
        await("site refuses the coordinator", () -> read("hospital-a.out").contains(
                "refusing the coordinator at localhost:" + port + ": its certificate was revoked on "),
                read("hospital-a.out"));
        assertTrue(a.isAlive(), "the site keeps trying");
        Result list = run("sites", "list", "--kit", "prov/users/admin");
        assertEquals(1, list.code());
        assertTrue(list.out().startsWith("medveil: error: refusing the coordinator at localhost:" + port
                + ": its certificate was revoked on "), list.out());
        await("coordinator logs the refusal", () -> read("coordinator.log").contains(
                "the client refused this coordinator's certificate (alert certificate_revoked)"), read("coordinator.log"));

        Result renew = run("provision", "renew", "coordinator", "--dir", "prov");
        assertEquals(0, renew.code(), renew.out());
        coordinator.destroy();
        assertTrue(coordinator.waitFor(20, TimeUnit.SECONDS));
        coordinator();
        await("site connects to the renewed coordinator", () -> read("coordinator.log").contains(
                "site hospital-a connected"), read("coordinator.log"), read("hospital-a.out"));
    }
}
