package org.medveil.cli;

import org.medveil.site.store.LookupKeys;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.Secret;
import org.medveil.site.store.SiteKeystore;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A provisioned project and a site folder made by {@code medveil site init}, run as processes of
 * the packaged jar; plus in-process access to the site's store for the checks after a run.
 */
final class SiteFixture {

    static final Path JAR = Path.of(System.getProperty("user.dir"), "target", "medveil.jar");

    record Result(int code, String out) {}

    final Path dir;
    final Path site;
    final int scpPort;
    final int adminPort;

    SiteFixture(Path dir) throws Exception {
        this.dir = dir;
        this.site = dir.resolve("site");
        int coordinatorPort = freePort();
        Result init = run("provision", "init", "--project", "demo", "--coordinator", "localhost:" + coordinatorPort,
                "--out", "prov", "--site", "hospital-a", "--user", "admin:project-admin", "--user", "dm:data-manager");
        assertEquals(0, init.code(), init.out());
        // a short backoff: the site retries the (absent) coordinator while it ingests
        Path yaml = dir.resolve("prov/sites/hospital-a/medveil.yaml");
        Files.writeString(yaml, Files.readString(yaml)
                + "settings:\n  reconnectInitialMillis: 200\n  reconnectMaxMillis: 2000\n");
        Result siteInit = run("site", "init", "--kit", "prov/sites/hospital-a", "--out", "site");
        assertEquals(0, siteInit.code(), siteInit.out());
        this.scpPort = freePort();
        this.adminPort = freePort();
        Path yaml2 = site.resolve("site.yaml");
        String text = Files.readString(yaml2);
        if (!text.contains("port: 8444")) {
            fail("the site.yaml template no longer has the admin port line 'port: 8444'");
        }
        Files.writeString(yaml2, text.replace("port: 8444", "port: " + adminPort));
    }

    /** An operator command through the site's admin API, as the data manager. */
    Result admin(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--kit", "prov/users/dm", "--admin", "localhost:" + adminPort));
        return run(all.toArray(String[]::new));
    }

    /** Rewrites one {@code key: value} line of site.yaml (first match). */
    void set(String key, String value) throws IOException {
        Path yaml = site.resolve("site.yaml");
        String text = Files.readString(yaml);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^(\\s*" + key + ":).*$").matcher(text);
        if (!m.find()) {
            fail("no line '" + key + ":' in site.yaml");
        }
        String changed = m.replaceFirst(java.util.regex.Matcher.quoteReplacement(m.group(1) + " " + value));
        Files.writeString(yaml, changed);
    }

    ProcessBuilder command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile());
    }

    Result run(String... args) throws Exception {
        Process p = command(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("medveil " + String.join(" ", args) + " did not finish:\n" + out);
        }
        return new Result(p.exitValue(), out);
    }

    /** {@code site serve --config}, output to {@code out}. */
    Process serve(Path out) throws IOException {
        return command("site", "serve", "--kit", "prov/sites/hospital-a", "--config", "site/site.yaml")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    SiteKeystore keystore() {
        return SiteKeystore.open(site.resolve("keys/site.p12"), Secret.parse("file:" + site.resolve("keys/keystore.pass")));
    }

    ObjectStore openStore(SiteKeystore ks) {
        return ObjectStore.open(site.resolve("data"), ks);
    }

    LookupKeys lookupKeys(SiteKeystore ks) {
        return new LookupKeys(ks.pseudonymKey());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String read(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
