package org.medveil.coordinator.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.coordinator.persistence.CoordinatorStore;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.job.JobSpec;
import org.medveil.governance.job.SignedJob;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.governance.pki.RevocationList;
import org.medveil.proto.admin.SiteAgreement;
import org.medveil.proto.federation.CoordinatorMessage;

/** Job records survive a restart in the real SQLite store; a job that was running does not stay "running". */
class JobServiceRestartTest {

    @TempDir
    Path dir;

    static final String YAML = """
            name: restart
            project: demo
            model: "cnn:input=16"
            seed: 1
            rounds: 2
            local: {epochs: 1}
            strategy: {name: fedavg}
            minSites: 1
            he: n4096
            selection: {modalities: [CT], categories: [clinical-structural], purpose: research}
            sites:
              - {site: hospital-a, dua: dua-1}
            """;

    @Test
    @DisplayName("after a restart: an offered job is offered again, a running one ends as failed with the reason,"
            + " and its site hears the job ended when it reconnects")
    void runningJobFailsAfterRestart() throws Exception {
        Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null, List.of("hospital-a"),
                List.of(new ProjectSpec.User("rita", "researcher"))), dir.resolve("prov"), Clock.systemUTC());
        Kit rita = Kit.load(dir.resolve("prov/users/rita"));
        Kit coordinator = Kit.load(dir.resolve("prov/coordinator"));
        JobSpec spec = JobSpec.parse(YAML, "test");
        SignedJob running = SignedJob.sign(spec, "a".repeat(64), CertifiedKey.of(rita), Instant.now());
        SignedJob offered = SignedJob.sign(spec, "b".repeat(64), CertifiedKey.of(rita), Instant.now());
        List<SiteAgreement> agreements = List.of(SiteAgreement.newBuilder().setSite("hospital-a").build());
        Path db = dir.resolve("coordinator.db");
        try (CoordinatorStore store = CoordinatorStore.open(db)) {
            JobRecords before = new JobRecords(new StoreJobWriter(store, dir.resolve("jobs")));
            before.insert(running, agreements, Instant.now());
            before.setState(running.jobId(), "offered", "");
            before.setState(running.jobId(), "running", "");
            before.insert(offered, agreements, Instant.now());
            before.setState(offered.jobId(), "offered", "");
        }
        List<CoordinatorMessage> sent = new ArrayList<>();
        SiteSessions sessions = new SiteSessions() {
            @Override
            public boolean send(String site, CoordinatorMessage.Builder m) {
                sent.add(m.build());
                return true;
            }

            @Override
            public Set<String> connectedWith(String capability) {
                return Set.of("hospital-a");
            }
        };
        try (CoordinatorStore store = CoordinatorStore.open(db)) {
            JobRecords after = new JobRecords(new StoreJobWriter(store, dir.resolve("jobs")));
            JobService jobs = new JobService(after, sessions, coordinator.caCertificate(),
                    RevocationList.none(coordinator.caCertificate()), Clock.systemUTC(), Duration.ofMinutes(10));
            jobs.recoverAfterRestart();
    
            assertEquals("failed", jobs.status(running.jobId()).getState());
            assertTrue(jobs.status(running.jobId()).getReason().contains("coordinator stopped during the job"));
            assertEquals("offered", jobs.status(offered.jobId()).getState());
            jobs.siteConnected("hospital-a");
        }
        assertTrue(sent.stream().anyMatch(m -> m.hasJobCancel() && m.getJobCancel().getJobId().equals(running.jobId())),
                sent.toString());
        assertTrue(sent.stream().anyMatch(m -> m.hasJobOffer() && m.getJobOffer().getJobId().equals(offered.jobId())),
                sent.toString());
        try (CoordinatorStore store = CoordinatorStore.open(db)) {
            assertEquals(org.medveil.coordinator.persistence.JobState.FAILED,
                    store.job(running.jobId()).orElseThrow().state());
        }
    }
}
