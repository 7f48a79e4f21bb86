package org.medveil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.testsupport.External;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image without a container engine: the Dockerfile's ENTRYPOINT and HEALTHCHECK and the
 * compose file's commands, run as the Dockerfile's numeric USER (setpriv) with the compose
 * mounts simulated as folders: the kits owned by the image user with their files read-only
 * and in folders that user cannot write, the state volume a folder only that user can write.
 * Needs root (to switch user) and the packaged jar; runs under {@code verify}.
 */
class DeployIT {

    private static final Path JAR = Path.of(System.getProperty("user.dir"), "target", "medveil.jar");
    private static final Path DEPLOY = DeployFilesTest.DEPLOY;
    private final List<Process> daemons = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : daemons) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** The exec-form JSON array after {@code instruction} in the Dockerfile, e.g. ENTRYPOINT. */
    private static List<String> execForm(List<String> instructions, String instruction) throws IOException {
        for (String i : instructions) {
            Matcher m = Pattern.compile("^" + instruction + "\\b.*?(\\[.*\\])$").matcher(i);
            if (m.matches()) {
                List<String> out = new ArrayList<>();
                new ObjectMapper().readTree(m.group(1)).forEach(n -> out.add(n.asText()));
                return out;
            }
        }
        throw new AssertionError("no " + instruction + " in exec form in the Dockerfile");
    }

    private static void chown(Path p, String uid) throws IOException {
        Files.setAttribute(p, "unix:uid", Integer.parseInt(uid));
        Files.setAttribute(p, "unix:gid", Integer.parseInt(uid));
    }

    private static void perms(Path p, String perms) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    /** A kit as a read-only mount of a host folder chowned to the image user: files 0400, folder not writable. */
    private static Path mountKit(Path from, Path to, String uid) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                Path t = Files.copy(f, to.resolve(f.getFileName()));
                chown(t, uid);
                perms(t, "r--------");
            }
        }
        perms(to, "r-xr-xr-x"); // owned by root: the image user cannot create, rename or delete anything in it
        return to;
    }

    private static Map<Path, byte[]> snapshot(Path kit) throws IOException {
        Map<Path, byte[]> m = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(kit)) {
            for (Path p : s.sorted().toList()) {
                m.put(p, Files.isRegularFile(p) ? Files.readAllBytes(p) : new byte[0]);
            }
        }
        return m;
    }

    @Test
    @DisplayName("as the image's non-root user with read-only kits: the coordinator serves, health says so, state goes to the volume")
    void entrypointAsFixedUser() throws Exception {
        Path setpriv = External.tool("setpriv", "util-linux");
        External.require("0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes(),
                StandardCharsets.US_ASCII).strip()), "root, to switch to the image's user with setpriv (CI runs as root)");
        External.require(Files.isRegularFile(JAR), "the packaged jar " + JAR + " (run under 'verify')");

        List<String> docker = DeployFilesTest.instructions(Files.readString(DEPLOY.resolve("Dockerfile")));
        String user = docker.stream().filter(i -> i.startsWith("USER ")).reduce((a, b) -> b).orElseThrow().substring(5);
        Matcher ug = Pattern.compile("(\\d+):(\\d+)").matcher(user);
        assertTrue(ug.matches(), "USER must be numeric UID:GID, is " + user);
        String uid = ug.group(1);
        List<String> entrypoint = execForm(docker, "ENTRYPOINT");
        List<String> healthcheck = execForm(docker, "HEALTHCHECK");
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(DEPLOY.resolve("docker-compose.yml").toFile());

        // The host folders that stand in for the container's file system.
        perms(dir, "rwxr-xr-x");
        Path opt = Files.createDirectories(dir.resolve("opt"));
        Files.copy(JAR, opt.resolve("medveil.jar"));
        perms(opt.resolve("medveil.jar"), "r--r--r--");
        Path volume = Files.createDirectories(dir.resolve("volume"));
        chown(volume, uid);
        perms(volume, "rwx------");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path prov = dir.resolve("prov"); // stays root-only (0700), like deploy/prov/ca on the host
        Provisioner.init(new ProjectSpec("demo", "localhost:" + port, null, null, List.of("hospital-a"), List.of()),
                prov, Clock.systemUTC());
        perms(prov, "rwx------");
        Path coordinatorKit = mountKit(prov.resolve("coordinator"), dir.resolve("mnt/coordinator-kit"), uid);
        Path siteKit = mountKit(prov.resolve("sites/hospital-a"), dir.resolve("mnt/site-kit"), uid);
        Map<Path, byte[]> kitBefore = snapshot(coordinatorKit);

        // container path -> host folder, per service (compose volumes; the image's /opt/medveil)
        Map<String, Path> coordinatorMounts = mounts(compose.get("services").get("coordinator"), coordinatorKit, volume);
        coordinatorMounts.put("/opt/medveil", opt);
        Map<String, Path> siteMounts = mounts(compose.get("services").get("hospital-a"), siteKit, volume);
        siteMounts.put("/opt/medveil", opt);

        List<String> health = asUser(setpriv, uid, healthcheck, List.of(), coordinatorMounts);
        assertEquals(1, run(health, volume).exit, "health must fail while nothing serves");

        daemons.add(start(asUser(setpriv, uid, entrypoint, command(compose, "coordinator"), coordinatorMounts),
                volume, dir.resolve("coordinator.log")));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        Result h;
        do {
            h = run(health, volume);
            assertTrue(daemons.get(0).isAlive(), "the coordinator stopped: " + Files.readString(dir.resolve("coordinator.log")));
        } while (h.exit != 0 && Instant.now().isBefore(deadline));
        assertEquals(0, h.exit, h.out + "\ncoordinator log:\n" + Files.readString(dir.resolve("coordinator.log")));
        assertTrue(h.out.startsWith("healthy: "), h.out);

        daemons.add(start(asUser(setpriv, uid, entrypoint, command(compose, "hospital-a"), siteMounts),
                volume, dir.resolve("site.log")));
        Path registry = volume.resolve("state/sites.yaml");
        Await.until("the site registry on the state volume", Duration.ofSeconds(60),
                () -> Files.isRegularFile(registry) && readable(registry).contains("hospital-a"));
        assertEquals(Integer.parseInt(uid), Files.getAttribute(registry, "unix:uid"));

        Process coordinator = daemons.get(0);
        coordinator.destroy();
        assertTrue(coordinator.waitFor(15, TimeUnit.SECONDS));
        assertEquals(1, run(health, volume).exit, "health must fail once the coordinator stopped");
        Map<Path, byte[]> kitAfter = snapshot(coordinatorKit);
        assertEquals(kitBefore.keySet(), kitAfter.keySet(), "nothing may be written into the read-only kit");
        for (Path p : kitBefore.keySet()) {
            assertTrue(java.util.Arrays.equals(kitBefore.get(p), kitAfter.get(p)), p + " changed");
        }
    }

    private static String readable(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /** The compose service's volumes as container path -> host folder: the kit mount and the state volume. */
    private static Map<String, Path> mounts(JsonNode service, Path kit, Path volume) {
        Map<String, Path> m = new LinkedHashMap<>();
        for (JsonNode v : service.get("volumes")) {
            String[] parts = v.asText().split(":");
            boolean hostFolder = parts[0].startsWith(".") || parts[0].startsWith("/");
            m.put(parts[1], hostFolder ? kit : volume);
        }
        return m;
    }

    private static List<String> command(JsonNode compose, String service) {
        List<String> cmd = new ArrayList<>();
        compose.get("services").get(service).get("command").forEach(n -> cmd.add(n.asText()));
        return cmd;
    }

    /** setpriv to the image user, then the container's command with its paths mapped to the host folders. */
    private static List<String> asUser(Path setpriv, String uid, List<String> entry, List<String> args,
                                       Map<String, Path> mounts) {
        List<String> cmd = new ArrayList<>(List.of(setpriv.toString(), "--reuid=" + uid, "--regid=" + uid,
                "--clear-groups"));
        List<String> all = new ArrayList<>(entry);
        all.addAll(args);
        for (String a : all) {
            String mapped = a;
            if (a.equals("java")) {
                mapped = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            }
            for (var e : mounts.entrySet()) {
                if (a.equals(e.getKey()) || a.startsWith(e.getKey() + "/")) {
                    mapped = e.getValue() + a.substring(e.getKey().length());
                }
            }
            cmd.add(mapped);
        }
        return cmd;
    }

    private record Result(int exit, String out) {
    }

    private static Result run(List<String> cmd, Path workdir) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(workdir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish: " + cmd);
        }
        return new Result(p.exitValue(), out);
    }

    private static Process start(List<String> cmd, Path workdir, Path log) throws IOException {
        return new ProcessBuilder(cmd).directory(workdir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }
}
