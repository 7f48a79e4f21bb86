package org.medveil.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.cli.demo.Demo;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kit;
import org.medveil.models.data.LabeledFolders;
import org.medveil.models.synth.SiteSummary;
import org.medveil.models.synth.SyntheticGenerator;
import org.medveil.proto.admin.AdminGrpc;
import org.medveil.proto.admin.GetJobRequest;
import org.medveil.proto.admin.JobStatus;
import org.medveil.proto.admin.RoundSummary;
import org.medveil.site.CoordinatorChannel;

/**
 * {@code kill -9} of the real daemons in the middle of an HE job: the coordinator ({@code
 * coordinator serve}) and 3 site nodes ({@code site serve}) run as separate processes of the
 * packaged jar over mutual TLS on loopback; the project is provisioned, the sites ingest
 * synthetic CT through their pipelines, and jobs are submitted with the medveil commands. One
 * federation serves both scenarios (set up once: about a minute).
 *
 * <ol>
 * <li>The coordinator is killed while key holders are answering the decryption of round 2 (a
 * line of that round is in a site's decryption ledger, the round is not completed), and started
 * again on the same state folder; then killed again while the sites train for round 4, and
 * started again. The job completes with the number of rounds it asked for; each round in flight
 * is recorded as failed and its number is never run again; no key holder's ledger names a
 * (job, round, chunk) twice, and every answer for the killed round is for the aggregate presented
 * before the kill (a holder asked before the kill may finish after the restart, downloading the
 * challenge response again from the coordinator's object store); no key holder refused a repeat;
 * what the coordinator had acknowledged (the job, completed rounds, their manifests byte for
 * byte) is still there; the manifest chain verifies with {@code manifest
 * verify} and is numbered 1..N.</li>
 * <li>A site node is killed while it trains for round 2 and started again at once. The round
 * closes at its timeout without it (the documented behaviour: left out of the round it missed),
 * the site takes its part up again from its key vault and ledger, contributes to the next round,
 * and the job completes; the site's audit log verifies with {@code audit verify}.</li>
 * </ol>
 *
 * SIGKILL keeps the page cache, so this proves ordering and recovery logic, not fsync.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FederationKillIT {

    private static final Path JAR = Path.of(System.getProperty("user.dir"), "target", "medveil.jar");
    private static final String MODEL = "cnn:input=16,filters=2,dense=8";
    private static final int SITES = 3;
    private static final int PATIENTS = 12;
    private static final Duration JOB_WAIT = Duration.ofMinutes(4);
    private static final Pattern LEDGER_LINE = Pattern.compile("c (\\S+) (\\S+) (\\d+) (\\d+) (\\S+)");

    @TempDir
    static Path dir;

    private Path project;
    private int port;
    private final int[] adminPorts = new int[SITES + 1];
    private Process coordinator;
    private final Process[] sites = new Process[SITES + 1];
    private final List<Process> started = new ArrayList<>();
    private ManagedChannel researcher;

    // ------------------------------------------------------------------ the federation

    @BeforeAll
    void federation() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "run 'mvn package' first: no " + JAR);
        project = dir.resolve("project");
        port = SiteFixture.freePort();
        List<String> init = new ArrayList<>(List.of("provision", "init", "--project", "demo", "--coordinator",
                "localhost:" + port, "--out", project.toString(), "--user", "rita:researcher"));
        for (int i = 1; i <= SITES; i++) {
            init.addAll(List.of("--site", site(i), "--user", "dm-" + i + ":data-manager"));
        }
        cliOk(init.toArray(String[]::new));
        for (int i = 1; i <= SITES; i++) {
            // a short reconnect backoff: the sites redial the restarted coordinator within 2 s
            Path yaml = project.resolve("sites").resolve(site(i)).resolve("medveil.yaml");
            Files.writeString(yaml, Files.readString(yaml)
                    + "settings:\n  reconnectInitialMillis: 200\n  reconnectMaxMillis: 2000\n");
        }
        List<SiteSummary> data = new SyntheticGenerator(11).generate(SITES, PATIENTS, dir.resolve("synthetic"));

        startCoordinator();
        for (int i = 1; i <= SITES; i++) {
            Path folder = dir.resolve("sites").resolve(site(i));
            cliOk("site", "init", "--kit", kit("sites/" + site(i)), "--out", folder.toString(),
                    "--port", Integer.toString(SiteFixture.freePort()));
            adminPorts[i] = SiteFixture.freePort();
            Demo.configureSite(folder.resolve("site.yaml"), adminPorts[i]);
            startSite(i);
        }
        for (int i = 1; i <= SITES; i++) {
            awaitLog(siteLog(i), "admin API listening", sites[i]);
            ingest(i, data.get(i - 1));
        }
        for (int i = 1; i <= SITES; i++) {
            awaitLog(coordinatorLog(), "site " + site(i) + " connected", coordinator);
        }
        researcher = CoordinatorChannel.forKit(Kit.load(project.resolve("users/rita")),
                HostNames.parse("localhost:" + port)).open();
    }

    @AfterAll
    void stop() throws Exception {
        if (researcher != null) {
            researcher.shutdownNow();
        }
        for (Process p : started) {
            p.destroy();
        }
        for (Process p : started) {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        // the daemons' logs outlive the temporary folder, for a failed CI run
        Path keep = Path.of(System.getProperty("user.dir"), "target", "federation-kill-it");
        Files.createDirectories(keep);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(f -> f.toString().endsWith(".log")).toList()) {
                Files.copy(f, keep.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static String site(int i) {
        return "hospital-" + i;
    }

    private String kit(String relative) {
        return project.resolve(relative).toString();
    }

    private Path coordinatorLog() {
        return dir.resolve("coordinator.log");
    }

    private Path siteLog(int i) {
        return dir.resolve(site(i) + ".log");
    }

    private Path siteFolder(int i) {
        return dir.resolve("sites").resolve(site(i));
    }

    private Process daemon(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        started.add(p);
        return p;
    }

    /** {@code coordinator serve} on the kit's state folder (the same SQLite store, model files and manifests each time). */
    private void startCoordinator() throws Exception {
        int before = count(coordinatorLog(), "listening on");
        coordinator = daemon(coordinatorLog(), "coordinator", "serve", "--kit", kit("coordinator"),
                "--listen", "127.0.0.1:" + port);
        await("the coordinator listening", () -> count(coordinatorLog(), "listening on") > before, coordinator,
                coordinatorLog());
    }

    private void startSite(int i) throws IOException {
        sites[i] = daemon(siteLog(i), "site", "serve", "--kit", kit("sites/" + site(i)), "--config",
                siteFolder(i).resolve("site.yaml").toString());
    }

    /** SIGKILL (Process.destroyForcibly on Linux): no shutdown hook, no flush, no goodbye to the peers. */
    private static void kill9(Process p) throws InterruptedException {
        p.destroyForcibly();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the process did not die");
        assertEquals(137, p.exitValue(), "not killed by SIGKILL");
    }

    /** Consents and labels through the site's admin API as its data manager; the images through its inbox. */
    private void ingest(int i, SiteSummary data) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(data.folder())) {
            files = s.filter(f -> f.toString().endsWith(".dcm")).sorted().toList();
        }
        Path consents = dir.resolve("consents-" + i + ".csv");
        Files.writeString(consents, Demo.consentsCsv(files));
        String dm = kit("users/dm-" + i);
        String admin = "localhost:" + adminPorts[i];
        cliOk("site", "consent", "import", consents.toString(), "--kit", dm, "--admin", admin);
        Path inbox = siteFolder(i).resolve("inbox");
        assertTrue(Files.isDirectory(inbox), "site init made no inbox folder at " + inbox);
        for (Path f : files) {
            Path part = inbox.resolve(f.getFileName() + ".part");
            Files.copy(f, part);
            Files.move(part, inbox.resolve(f.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
        }
        Pattern derivatives = Pattern.compile("(\\d+) derivatives");
        await(site(i) + " ingesting its " + files.size() + " files", () -> {
            String[] st = FederatedJobTest.cli("site", "status", "--kit", dm, "--admin", admin);
            Matcher m = derivatives.matcher(st[1]);
            return m.find() && Integer.parseInt(m.group(1)) >= files.size();
        }, sites[i], siteLog(i));
        cliOk("site", "labels", "import", data.folder().resolve(LabeledFolders.LABELS).toString(), "--kit", dm,
                "--admin", admin);
    }

    // ------------------------------------------------------------------ the scenarios

    @Test
    @Order(1)
    @DisplayName("kill -9 of the coordinator while key holders decrypt round 2, and again while sites train for round 4:"
            + " after each restart on the same state the job goes on and completes, killed rounds' numbers are never reused, no (job, round, chunk) is decrypted twice,"
            + " nothing acknowledged is lost, and the manifest chain verifies")
    void coordinatorKilledMidRound() throws Exception {
        int rounds = 4;
        String jobId = submit(rounds, 60, 21);
        Path manifests = project.resolve("coordinator/state/jobs").resolve(jobId).resolve("manifests");

        // the moment: a key holder has written its ledger line for round 2 (index 1), the round has not completed
        JobStatus beforeKill = awaitStatus(jobId, s -> roundIs(s, 1, "completed"), JOB_WAIT);
        Instant until = Instant.now().plus(Duration.ofMinutes(2));
        while (ledgerLines(jobId, 1).isEmpty()) {
            assertTrue(Instant.now().isBefore(until), "no key holder answered for round 2 within 2 minutes; "
                    + tail(coordinatorLog()));
            assertTrue(coordinator.isAlive(), "the coordinator died: " + tail(coordinatorLog()));
            Thread.sleep(2);
        }
        kill9(coordinator);
        // what the key holders had answered for round 2 when the coordinator died: their answers are for this aggregate
        Map<String, String> killedRoundDigests = new TreeMap<>();
        for (String line : ledgerLines(jobId, 1)) {
            killedRoundDigests.put(chunk(line), digest(line));
        }
        Map<String, byte[]> manifestsAtKill = files(manifests);
        assertFalse(manifestsAtKill.isEmpty(), "round 1 completed but no manifest was on disk at the kill");
        assertTrue(manifestsAtKill.containsKey("round-000001.json"), manifestsAtKill.keySet().toString());
        assertFalse(manifestsAtKill.containsKey("round-000002.json"),
                "the kill came after round 2 completed; the test must kill during its decryption");

        startCoordinator();

        // a second kill of the resumed job, while the sites train for round 4 (round 3 is the first after the restart)
        awaitStatus(jobId, s -> roundIs(s, 4, "running"), JOB_WAIT);
        kill9(coordinator);
        startCoordinator();
        JobStatus done = awaitStatus(jobId, FederationKillIT::ended, JOB_WAIT);
        assertEquals("completed", done.getState(), done.toString() + "\n" + tail(coordinatorLog()));

        // the killed rounds are recorded as failed and their numbers are not run again; the others complete
        List<Integer> completed = numbers(done, "completed");
        assertEquals(List.of(2, 4), numbers(done, "failed"), done.getRoundSummariesList().toString());
        assertEquals(List.of(1, 3, 5, 6), completed, done.getRoundSummariesList().toString());
        assertEquals(2, count(coordinatorLog(), "job " + jobId + ": resuming after a restart"), tail(coordinatorLog()));

        // key holders: each (job, round, chunk) at most once; nothing new for the killed round; no refusal
        Set<Long> decryptedRounds = new TreeSet<>();
        for (int i = 1; i <= SITES; i++) {
            List<String> after = ledger(i, jobId);
            Set<String> seen = new TreeSet<>();
            for (String line : after) {
                Matcher m = LEDGER_LINE.matcher(line);
                assertTrue(m.matches(), "not a ledger line in " + site(i) + ": " + line);
                assertTrue(seen.add(m.group(2) + "/" + m.group(3) + "/" + m.group(4)),
                        site(i) + " answered job/round/chunk " + m.group(3) + "/" + m.group(4) + " twice");
                decryptedRounds.add(Long.parseLong(m.group(3)));
            }
            // a holder whose answer request arrived before the kill may finish it after the restart (it downloads
            // the challenge response again from the restarted coordinator's object store): the same aggregate, once
            for (String line : after.stream().filter(l -> round(l) == 1).toList()) {
                assertEquals(killedRoundDigests.get(chunk(line)), digest(line), site(i) + " answered round 2 chunk "
                        + chunk(line) + " for another ciphertext than the one decrypted before the kill");
            }
            assertEquals(0, count(siteLog(i), "RepeatedDecryptionException"), site(i)
                    + "'s ledger refused a repeated decryption: " + tail(siteLog(i)));
        }
        assertEquals(Set.of(0L, 1L, 2L, 4L, 5L), decryptedRounds,
                "rounds decrypted (0-based): the 4 completed ones and round 2's answers before the kill;"
                        + " round 4 was killed before its decryption");

        // acknowledged before the kill: completed rounds (same manifest digests) and their manifest files, byte for byte
        for (RoundSummary r : beforeKill.getRoundSummariesList()) {
            if ("completed".equals(r.getState())) {
                RoundSummary again = done.getRoundSummariesList().stream().filter(x -> x.getRound() == r.getRound())
                        .findFirst().orElseThrow(() -> new AssertionError("round " + r.getRound() + " was lost"));
                assertEquals(r.getManifestDigest(), again.getManifestDigest());
                assertEquals("completed", again.getState());
            }
        }
        Map<String, byte[]> manifestsAfter = files(manifests);
        manifestsAtKill.forEach((name, bytes) -> assertArrayEquals(bytes, manifestsAfter.get(name),
                "manifest file " + name + " changed or vanished after the restart"));

        // the researcher's view: result and manifest chain, numbered 1..4, verified by the command
        Path result = dir.resolve("result-coordinator-kill");
        cliOk("job", "result", jobId, "--out", result.toString(), "--kit", kit("users/rita"),
                "--coordinator", "localhost:" + port);
        assertConsecutive(result.resolve("manifests"), rounds); // 4 manifests for rounds 1, 3, 5, 6
        String[] verified = FederatedJobTest.cli("manifest", "verify", result.resolve("manifests").toString(),
                "--ca", project.resolve("ca/ca.pem").toString());
        assertEquals("0", verified[0], verified[1]);
        String[] status = FederatedJobTest.cli("job", "status", jobId, "--kit", kit("users/rita"),
                "--coordinator", "localhost:" + port);
        assertTrue(status[1].contains("completed") && status[1].contains("failed"), status[1]);
    }

    @Test
    @Order(2)
    @DisplayName("kill -9 of a site node while it trains for round 2, restarted at once: it is left out of that round,"
            + " takes its part up again from its vault, contributes to the next, the job completes and its audit log verifies")
    void siteKilledMidRound() throws Exception {
        int rounds = 3;
        int victim = 2;
        String jobId = submit(rounds, 25, 22);
        // round 2 started: every site got its RoundStart and is downloading the model or training
        awaitStatus(jobId, s -> roundIs(s, 2, "running"), JOB_WAIT);
        kill9(sites[victim]);
        int restoredBefore = count(siteLog(victim), "job " + jobId + ": taking part again after a restart");
        startSite(victim);

        JobStatus done = awaitStatus(jobId, FederationKillIT::ended, JOB_WAIT);
        assertEquals("completed", done.getState(), done.toString() + "\n" + tail(coordinatorLog()));
        List<RoundSummary> rs = done.getRoundSummariesList();
        assertEquals(List.of(1, 2, 3), numbers(done, "completed"), rs.toString());
        RoundSummary killed = rs.stream().filter(r -> r.getRound() == 2).findFirst().orElseThrow();
        assertTrue(killed.getLeftOutList().contains(site(victim)), "the killed site was not left out of round 2: " + killed);
        assertFalse(killed.getParticipantsList().contains(site(victim)), killed.toString());
        RoundSummary next = rs.stream().filter(r -> r.getRound() == 3).findFirst().orElseThrow();
        assertTrue(next.getParticipantsList().contains(site(victim)),
                "the restarted site did not contribute to round 3: " + next + "\n" + tail(siteLog(victim)));
        assertEquals(restoredBefore + 1, count(siteLog(victim), "job " + jobId + ": taking part again after a restart"),
                tail(siteLog(victim)));
        for (int i = 1; i <= SITES; i++) {
            assertEquals(0, count(siteLog(i), "RepeatedDecryptionException"), site(i)
                    + "'s ledger refused a repeated decryption: " + tail(siteLog(i)));
        }

        Path result = dir.resolve("result-site-kill");
        cliOk("job", "result", jobId, "--out", result.toString(), "--kit", kit("users/rita"),
                "--coordinator", "localhost:" + port);
        assertConsecutive(result.resolve("manifests"), rounds);
        String[] verified = FederatedJobTest.cli("manifest", "verify", result.resolve("manifests").toString(),
                "--ca", project.resolve("ca/ca.pem").toString());
        assertEquals("0", verified[0], verified[1]);

        // the audit log after the kill and the restart (stopped first, so no line is being written)
        sites[victim].destroy();
        assertTrue(sites[victim].waitFor(30, TimeUnit.SECONDS), "the site did not stop on SIGTERM");
        String[] audit = FederatedJobTest.cli("audit", "verify", siteFolder(victim).resolve("data/audit").toString(),
                "--ca", project.resolve("ca/ca.pem").toString());
        assertEquals("0", audit[0], audit[1]);
    }

    // ------------------------------------------------------------------ helpers

    /** Signs the demo's DUAs and submits an HE job over the 3 sites with the researcher's kit; returns its id. */
    private String submit(int rounds, int roundTimeoutSeconds, long seed) throws Exception {
        Demo demo = new Demo(new Demo.Options(SITES, PATIENTS, 0, rounds, 1, true, MODEL, seed, dir));
        List<String> names = new ArrayList<>();
        List<String> args = new ArrayList<>();
        for (int i = 1; i <= SITES; i++) {
            names.add(site(i));
            Path dua = demo.agreement(i);
            args.addAll(List.of("--dua", dua.toString()));
        }
        Path job = dir.resolve("job-" + seed + ".yaml");
        Files.writeString(job, demo.jobYaml(names).replace("roundTimeoutSeconds: 900",
                "roundTimeoutSeconds: " + roundTimeoutSeconds));
        List<String> cmd = new ArrayList<>(List.of("job", "submit", job.toString(), "--kit", kit("users/rita"),
                "--coordinator", "localhost:" + port));
        cmd.addAll(args);
        String out = cliOk(cmd.toArray(String[]::new));
        Matcher m = Pattern.compile("submitted job (job-[0-9a-f]{16})").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    private static boolean ended(JobStatus s) {
        return org.medveil.coordinator.jobs.JobRecords.ENDED.contains(s.getState());
    }

    private static boolean roundIs(JobStatus s, int round, String state) {
        return s.getRoundSummariesList().stream().anyMatch(r -> r.getRound() == round && state.equals(r.getState()));
    }

    private static List<Integer> numbers(JobStatus s, String state) {
        return s.getRoundSummariesList().stream().filter(r -> state.equals(r.getState())).map(RoundSummary::getRound)
                .sorted().toList();
    }

    /** Polls the job through the admin API (a restarting coordinator answers UNAVAILABLE for a while). */
    private JobStatus awaitStatus(String jobId, Predicate<JobStatus> until, Duration max) throws InterruptedException {
        Instant end = Instant.now().plus(max);
        JobStatus last = null;
        while (Instant.now().isBefore(end)) {
            try {
                last = AdminGrpc.newBlockingStub(researcher).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .getJob(GetJobRequest.newBuilder().setJobId(jobId).build());
                if (until.test(last)) {
                    return last;
                }
                if (ended(last)) {
                    fail("job " + jobId + " ended early: " + last + "\n" + tail(coordinatorLog()));
                }
            } catch (StatusRuntimeException e) {
                // the coordinator restarts: ask again
            }
            Thread.sleep(100);
        }
        fail("job " + jobId + " did not get there within " + max + "; last status: " + last + "\n" + tail(coordinatorLog()));
        return null;
    }

    /** This job's lines in site i's decryption ledger (one per answered chunk). */
    private List<String> ledger(int i, String jobId) throws IOException {
        Path f = siteFolder(i).resolve("data/federation").resolve(jobId + ".ledger");
        if (!Files.exists(f)) {
            return List.of();
        }
        String text = Files.readString(f, StandardCharsets.US_ASCII);
        int end = text.lastIndexOf('\n'); // a line being written is not counted yet
        return end < 0 ? List.of() : text.substring(0, end).lines().filter(l -> !l.isBlank()).toList();
    }

    private List<String> ledgerLines(String jobId, long roundIndex) throws IOException {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= SITES; i++) {
            ledger(i, jobId).stream().filter(l -> round(l) == roundIndex).forEach(out::add);
        }
        return out;
    }

    private static String chunk(String ledgerLine) {
        Matcher m = LEDGER_LINE.matcher(ledgerLine);
        assertTrue(m.matches(), ledgerLine);
        return m.group(1) + "/" + m.group(2) + "/" + m.group(3) + "/" + m.group(4);
    }

    private static String digest(String ledgerLine) {
        Matcher m = LEDGER_LINE.matcher(ledgerLine);
        assertTrue(m.matches(), ledgerLine);
        return m.group(5);
    }

    private static long round(String ledgerLine) {
        Matcher m = LEDGER_LINE.matcher(ledgerLine);
        return m.matches() ? Long.parseLong(m.group(3)) : -1;
    }

    /** round-000001.json … round-00000N.json with their signatures, and nothing beyond N. */
    private static void assertConsecutive(Path manifests, int n) throws IOException {
        Set<String> names = files(manifests).keySet();
        for (int r = 1; r <= n; r++) {
            assertTrue(names.contains(String.format("round-%06d.json", r)) && names.contains(String.format("round-%06d.sig", r)),
                    "manifest " + r + " missing: " + names);
        }
        assertFalse(names.contains(String.format("round-%06d.json", n + 1)), names.toString());
    }

    private static Map<String, byte[]> files(Path folder) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        if (!Files.isDirectory(folder)) {
            return out;
        }
        try (Stream<Path> s = Files.list(folder)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                out.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        return out;
    }

    private static String cliOk(String... args) {
        String[] r = FederatedJobTest.cli(args);
        assertEquals("0", r[0], "medveil " + String.join(" ", args) + ":\n" + r[1]);
        return r[1];
    }

    private static int count(Path log, String text) {
        String all = SiteFixture.read(log);
        int n = 0;
        for (int at = all.indexOf(text); at >= 0; at = all.indexOf(text, at + 1)) {
            n++;
        }
        return n;
    }

    private static String tail(Path log) {
        String all = SiteFixture.read(log);
        return log.getFileName() + ":\n" + all.substring(Math.max(0, all.length() - 6000));
    }

    private static void awaitLog(Path log, String text, Process p) throws InterruptedException {
        await(log.getFileName() + " saying '" + text + "'", () -> SiteFixture.read(log).contains(text), p, log);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void await(String what, Check check, Process p, Path log) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(end)) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (Exception e) {
                // not yet
            }
            if (!p.isAlive()) {
                fail("process exited while waiting for " + what + "\n" + tail(log));
            }
            Thread.sleep(200);
        }
        fail("timed out waiting for " + what + "\n" + tail(log));
    }
}
