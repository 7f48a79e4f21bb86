package org.medveil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.cli.demo.Demo;
import org.medveil.cli.job.JobClient;
import org.medveil.dicom.io.DicomReader;
import org.medveil.governance.job.JobSpec;
import org.medveil.governance.manifest.ManifestReport;
import org.medveil.governance.manifest.ManifestVerifier;
import org.medveil.proto.admin.JobSiteStatus;
import org.medveil.proto.admin.JobStatus;
import org.medveil.proto.admin.SiteAgreement;
import org.medveil.testsupport.External;

/**
 * A whole federation in this JVM through the demo's own setup: a coordinator and 3 site nodes
 * over mutual TLS on loopback, synthetic CT with invented PHI ingested and de-identified at each
 * site, signed jobs under data use agreements, homomorphically encrypted rounds, and the result
 * with its manifest chain downloaded as a researcher would.
 */
class FederatedJobTest {

    @TempDir
    Path dir;
    private Demo demo;
    private LogCapture logs;

    @AfterEach
    void stop() {
        if (demo != null) {
            demo.close();
        }
        if (logs != null) {
            logs.close();
        }
    }

    private static final Demo.Progress QUIET = new Demo.Progress() {
        @Override
        public void step(String what) {
        }

        @Override
        public void job(JobStatus s) {
        }
    };

    private List<SiteAgreement> agreements(String... purposes) throws Exception {
        List<SiteAgreement> out = new ArrayList<>();
        for (int i = 1; i <= purposes.length; i++) {
            out.add(JobClient.agreement(demo.agreement(i, purposes[i - 1])));
        }
        return out;
    }

    @Test
    @Tag("REQ-FL-2")
    @Tag("REQ-FL-3")
    @Tag("REQ-TX-1")
    @DisplayName("a site whose DUA names another purpose declines with the reason; the others train 2 HE rounds and"
            + " countersign both manifests; manifests verify with ours (countersignatures required) and with openssl;"
            + " a tampered one does not; no PHI crosses the network or reaches the coordinator")
    void heJobWithOneDecline() throws Exception {
        logs = new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME);
        // the demo's synthetic data come from its seed: the same generator here gives the markers before any traffic
        Path probe = new org.medveil.models.synth.SyntheticGenerator(1).generate(3, 20, dir.resolve("probe")).get(0)
                .folder().getParent();
        Set<String> planted = phiMarkers(probe);
        Set<String> onTheWire = new LinkedHashSet<>(planted);
        onTheWire.addAll(nonAsciiNames(probe)); // Chinese names, written in GB18030
        WireCanary wire = new WireCanary(onTheWire);
        demo = new Demo(new Demo.Options(3, 20, 10, 2, 1, true, "cnn:input=16,filters=2,dense=8", 1, dir))
                .observeCoordinator(wire);
        demo.start(QUIET);
        JobSpec spec = JobSpec.parse(demo.jobYaml(List.of("hospital-1", "hospital-2", "hospital-3")), "test job");
        String jobId = demo.submit(spec, agreements("research", "research", "teaching"));
        JobStatus done = demo.watch(jobId, QUIET);

        assertEquals("completed", done.getState(), done.toString());
        JobSiteStatus declined = done.getSitesList().stream().filter(s -> s.getSite().equals("hospital-3"))
                .findFirst().orElseThrow();
        assertEquals("declined", declined.getDecision());
        assertTrue(declined.getReason().contains("purpose"), declined.getReason());
        assertEquals(2, done.getRoundSummariesCount());
        assertEquals(List.of("hospital-1", "hospital-2"), done.getRoundSummaries(1).getParticipantsList());

        // the researcher's commands, as typed
        String kit = demo.project().resolve("users/rita").toString();
        String at = "localhost:" + demo.coordinatorPort();
        String[] status = cli("job", "status", jobId, "--kit", kit, "--coordinator", at);
        assertEquals("0", status[0], status[1]);
        assertTrue(status[1].contains("hospital-3") && status[1].contains("declined") && status[1].contains("purpose"),
                status[1]);
        assertTrue(status[1].contains("round   2 completed"), status[1]);
        Path result = dir.resolve("result");
        String[] fetched = cli("job", "result", jobId, "--out", result.toString(), "--kit", kit, "--coordinator", at);
        assertEquals("0", fetched[0], fetched[1]);
        String[] listed = cli("job", "list", "--kit", kit, "--coordinator", at);
        assertTrue(listed[1].contains(jobId) && listed[1].contains("completed"), listed[1]);
        String[] other = cli("job", "status", "job-0000000000000000", "--kit", kit, "--coordinator", at);
        assertEquals("1", other[0]);
        assertTrue(other[1].contains("no job job-0000000000000000"), other[1]);
        Path manifests = result.resolve("manifests");
        Path ca = demo.project().resolve("ca/ca.pem");
        // every participant countersigns each round's manifest; the last round's may land just after completion
        Await.until("both participants' countersignatures of both rounds", java.time.Duration.ofSeconds(30), () -> {
            cli("job", "result", jobId, "--out", result.toString(), "--kit", kit, "--coordinator", at);
            return ManifestVerifier.verify(manifests, demo.kit("coordinator").caCertificate(), true).ok();
        });
        ManifestReport ok = ManifestVerifier.verify(manifests, demo.kit("coordinator").caCertificate(), true);
        assertTrue(ok.ok(), ok.problems().toString());
        assertEquals(2, ok.rounds());
        assertEquals(2 * 2, ok.countersignatures());
        assertTrue(ok.warnings().isEmpty(), ok.warnings().toString());
        assertFalse(Files.exists(manifests.resolve("round-000001.site-hospital-3.sig")), "a declining site countersigned");
        String[] verified = cli("manifest", "verify", manifests.toString(), "--ca", ca.toString(),
                "--require-countersignatures");
        assertEquals("0", verified[0], verified[1]);
        assertTrue(verified[1].contains("4 site countersignature"), verified[1]);
        assertTrue(Files.size(result.resolve("model.zip")) > 0);

        // openssl alone: the coordinator's public key from its certificate, then each detached signature
        Path openssl = External.tool("openssl", "openssl");
        Path pub = dir.resolve("coordinator.pub");
        External.Result key = External.run(List.of(openssl.toString(), "x509", "-in",
                manifests.resolve("coordinator.pem").toString(), "-pubkey", "-noout", "-out", pub.toString()));
        assertEquals(0, key.exit(), key.err(StandardCharsets.UTF_8));
        for (int r = 1; r <= 2; r++) {
            External.Result v = External.run(List.of(openssl.toString(), "dgst", "-sha256", "-verify", pub.toString(),
                    "-signature", manifests.resolve(String.format("round-%06d.sig", r)).toString(),
                    manifests.resolve(String.format("round-%06d.json", r)).toString()));
            assertEquals(0, v.exit(), v.out(StandardCharsets.UTF_8) + v.err(StandardCharsets.UTF_8));
        }

        // a tampered manifest is caught by both
        Path round1 = manifests.resolve("round-000001.json");
        Files.writeString(round1, Files.readString(round1).replace("hospital-1", "hospital-9"));
        assertFalse(ManifestVerifier.verify(manifests, demo.kit("coordinator").caCertificate()).ok());
        External.Result bad = External.run(List.of(openssl.toString(), "dgst", "-sha256", "-verify", pub.toString(),
                "-signature", manifests.resolve("round-000001.sig").toString(), round1.toString()));
        assertFalse(bad.exit() == 0, "openssl accepted a tampered manifest");

        // PHI canary: the invented names and patient IDs in the sites' DICOM headers
        Set<String> markers = phiMarkers(dir.resolve("synthetic/train"));
        assertTrue(markers.size() >= 10, "too few markers found: " + markers.size());
        assertEquals(planted, markers, "the wire canary watched for other markers than the demo planted");
        // every message to and from the coordinator (site sessions, bulk transfers, the researcher's admin calls)
        assertTrue(wire.hits().isEmpty(), "PHI markers travelled over the network in: " + wire.hits());
        assertTrue(wire.bytes() > 1_000_000 && wire.messages() > 200, "the canary saw too little traffic: "
                + wire.messages() + " messages, " + wire.bytes() + " bytes");
        for (String rpc : List.of("medveil.v1.Federation/Session", "medveil.v1.transfer.Transfer/Upload",
                "medveil.v1.transfer.Transfer/Download", "medveil.v1.Admin/SubmitJob", "medveil.v1.Admin/DownloadResult")) {
            assertTrue(wire.methods().contains(rpc), "the canary did not see " + rpc + ": " + wire.methods());
        }
        List<Path> coordinatorSide = new ArrayList<>();
        try (Stream<Path> s = Files.walk(demo.project().resolve("coordinator"))) {
            s.filter(Files::isRegularFile).forEach(coordinatorSide::add);
        }
        try (Stream<Path> s = Files.walk(result)) {
            s.filter(Files::isRegularFile).forEach(coordinatorSide::add);
        }
        assertTrue(coordinatorSide.stream().anyMatch(p -> p.toString().endsWith("coordinator.db")),
                "the coordinator database was not found under " + demo.project().resolve("coordinator"));
        for (Path f : coordinatorSide) {
            String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            for (String m : markers) {
                assertFalse(content.contains(m), "PHI marker found in " + f);
            }
        }
        String allLogs = String.join("\n", logs.lines());
        for (String m : markers) {
            assertFalse(allLogs.contains(m), "PHI marker found in the logs");
        }
    }

    @Test
    @DisplayName("a site node restarted during a job takes its part up again from its key vault and ledger:"
            + " left out of the round it missed, back in the later ones, and the job completes")
    void restartedSiteRejoins() throws Exception {
        demo = new Demo(new Demo.Options(3, 12, 6, 6, 1, true, "cnn:input=16,filters=2,dense=8", 5, dir));
        demo.start(QUIET);
        String yaml = demo.jobYaml(List.of("hospital-1", "hospital-2", "hospital-3"))
                .replace("roundTimeoutSeconds: 900", "roundTimeoutSeconds: 15");
        String jobId = demo.submit(JobSpec.parse(yaml, "test job"), agreements("research", "research", "research"));
        java.util.concurrent.atomic.AtomicBoolean restarted = new java.util.concurrent.atomic.AtomicBoolean();
        Thread[] restart = new Thread[1];
        JobStatus done = demo.watch(jobId, new Demo.Progress() {
            @Override
            public void step(String what) {
            }

            @Override
            public void job(JobStatus s) {
                boolean firstDone = s.getRoundSummariesList().stream()
                        .anyMatch(r -> r.getRound() == 1 && "completed".equals(r.getState()));
                if (firstDone && restarted.compareAndSet(false, true)) {
                    restart[0] = new Thread(() -> demo.restartSite(2));
                    restart[0].start();
                }
            }
        });
        restart[0].join(60_000);
        assertEquals("completed", done.getState(), done.toString());
        assertTrue(restarted.get());
        var rounds = done.getRoundSummariesList();
        assertTrue(rounds.stream().anyMatch(r -> r.getLeftOutList().contains("hospital-2")),
                "no round left the restarted site out: " + rounds);
        assertTrue(rounds.get(rounds.size() - 1).getParticipantsList().contains("hospital-2"),
                "the restarted site did not take part again: " + rounds);
    }

    @Test
    @DisplayName("a coordinator restarted during an HE job goes on from its last completed round with the sites'"
            + " key: the round in flight is recorded as failed, the job completes, the manifest chain verifies")
    void restartedCoordinatorResumes() throws Exception {
        demo = new Demo(new Demo.Options(3, 12, 6, 5, 1, true, "cnn:input=16,filters=2,dense=8", 9, dir));
        demo.start(QUIET);
        String yaml = demo.jobYaml(List.of("hospital-1", "hospital-2", "hospital-3"))
                .replace("roundTimeoutSeconds: 900", "roundTimeoutSeconds: 30");
        String jobId = demo.submit(JobSpec.parse(yaml, "test job"), agreements("research", "research", "research"));
        java.util.concurrent.atomic.AtomicBoolean restarted = new java.util.concurrent.atomic.AtomicBoolean();
        JobStatus done = null;
        for (int attempt = 0; attempt < 20 && (done == null || !org.medveil.coordinator.jobs.JobRecords.ENDED
                .contains(done.getState())); attempt++) {
            try {
                done = demo.watch(jobId, new Demo.Progress() {
                    @Override
                    public void step(String what) {
                    }

                    @Override
                    public void job(JobStatus s) {
                        boolean twoDone = s.getRoundSummariesList().stream()
                                .filter(r -> "completed".equals(r.getState())).count() >= 2;
                        if (twoDone && restarted.compareAndSet(false, true)) {
                            demo.restartCoordinator();
                        }
                    }
                });
            } catch (io.grpc.StatusRuntimeException e) {
                Thread.sleep(1000); // the watch broke with the restart: watch again
            }
        }
        assertTrue(restarted.get());
        assertEquals("completed", done.getState(), done.toString());
        long completed = done.getRoundSummariesList().stream().filter(r -> "completed".equals(r.getState())).count();
        assertEquals(5, completed, done.toString());
        Path result = dir.resolve("result");
        // every round countersigned by all 3 sites, also those whose answers the restart may have cut off
        Await.until("every participant's countersignature of every round", java.time.Duration.ofSeconds(30), () -> {
            JobClient.result(demo.researcher(), jobId, result, null);
            return ManifestVerifier.verify(result.resolve("manifests"), demo.kit("coordinator").caCertificate(), true)
                    .ok();
        });
        ManifestReport report = ManifestVerifier.verify(result.resolve("manifests"), demo.kit("coordinator").caCertificate(),
                true);
        assertTrue(report.ok(), report.problems().toString());
        assertEquals(5, report.rounds());
        assertEquals(5 * 3, report.countersignatures());
    }

    @Test
    @DisplayName("the same federation with the coordinator's store on a real PostgreSQL server: a plaintext job"
            + " completes, recorded as plaintext, and its rounds and manifests are in PostgreSQL")
    void plaintextJobOnPostgres() throws Exception {
        try (org.medveil.testsupport.PostgresServer pg = org.medveil.testsupport.PostgresServer.start()) {
            String url = pg.newDatabase();
            demo = new Demo(new Demo.Options(2, 12, 6, 2, 1, false, "cnn:input=16,filters=2,dense=8", 3, dir))
                    .database(url);
            demo.start(QUIET);
            JobSpec spec = JobSpec.parse(demo.jobYaml(List.of("hospital-1", "hospital-2")), "test job");
            String jobId = demo.submit(spec, agreements("research", "research"));
            JobStatus done = demo.watch(jobId, QUIET);
            assertEquals("completed", done.getState(), done.toString());
            assertEquals("plaintext", done.getHe());
            demo.close();
            demo = null;
            try (org.medveil.coordinator.persistence.CoordinatorStore store =
                         org.medveil.coordinator.persistence.CoordinatorStore.open(url)) {
                assertEquals(2, store.manifests(jobId).size());
                assertEquals(2, store.rounds(jobId).size());
                assertTrue(new String(store.manifests(jobId).get(0).canonicalBytes(), StandardCharsets.UTF_8)
                        .contains("\"heParameters\":\"plaintext\""));
                assertEquals(org.medveil.coordinator.persistence.JobState.COMPLETED, store.job(jobId).orElseThrow().state());
            }
            assertFalse(Files.exists(dir.resolve("project/coordinator/state/coordinator.db")),
                    "with a PostgreSQL URL the coordinator must not create its SQLite file");
        }
    }

    /** Runs a medveil command in this JVM: {exit code, stdout + stderr}. */
    static String[] cli(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cl = Main.commandLine();
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(out, true));
        int code = cl.execute(args);
        return new String[] {Integer.toString(code), out.toString()};
    }

    /** Patient names with non-ASCII letters (the synthetic Chinese names), whole, as the headers hold them. */
    static Set<String> nonAsciiNames(Path train) throws Exception {
        Set<String> out = new LinkedHashSet<>();
        DicomReader reader = new DicomReader(DicomReader.Options.HEADERS);
        try (Stream<Path> s = Files.walk(train)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".dcm")).toList()) {
                String name = reader.read(f).dataSet().getString(0x00100010);
                if (name != null && name.strip().length() >= 3 && name.chars().anyMatch(c -> c >= 128)) {
                    out.add(name.strip());
                }
            }
        }
        return out;
    }

    /** Patient names and IDs from the synthetic headers (the invented PHI the sites must never let out). */
    static Set<String> phiMarkers(Path train) throws Exception {
        Set<String> out = new LinkedHashSet<>();
        DicomReader reader = new DicomReader(DicomReader.Options.HEADERS);
        try (Stream<Path> s = Files.walk(train)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".dcm")).toList()) {
                var ds = reader.read(f).dataSet();
                String id = ds.getString(0x00100020);
                String name = ds.getString(0x00100010);
                if (id != null && id.strip().length() >= 6) {
                    out.add(id.strip());
                }
                if (name != null) {
                    if (name.strip().length() >= 6) {
                        out.add(name.strip()); // as DICOM writes a person name: FAMILY^GIVEN
                    }
                    for (String part : name.strip().split("\\^")) {
                        if (part.length() >= 6 && part.chars().allMatch(c -> c < 128)) {
                            out.add(part);
                        }
                    }
                }
            }
        }
        return out;
    }
}
