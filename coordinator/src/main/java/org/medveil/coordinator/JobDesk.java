package org.medveil.coordinator;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.medveil.coordinator.jobs.JobObjects;
import org.medveil.coordinator.jobs.JobRecords;
import org.medveil.coordinator.jobs.RoundsRunner;
import org.medveil.governance.crypto.CertificateVerifier;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.proto.federation.CoordinatorMessage;
import org.medveil.coordinator.jobs.JobService;
import org.medveil.coordinator.jobs.StoreJobWriter;
import org.medveil.coordinator.persistence.CoordinatorStore;
import org.medveil.coordinator.persistence.ModelFiles;
import org.medveil.governance.config.ConfigException;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.RevocationList;
import org.medveil.proto.federation.SiteMessage;

/**
 * The coordinator's job side, opened from its state folder: the store (SQLite file or PostgreSQL),
 * the model files, the job records and the job service, and the routing of sites' job messages.
 */
final class JobDesk implements AutoCloseable, FederationService.SiteMessages {

    final CoordinatorStore store;
    final ModelFiles models;
    final JobRecords records;
    final JobService jobs;
    final Path jobsDir;
    final JobObjects objects;
    final RoundsRunner rounds;

    private JobDesk(CoordinatorStore store, ModelFiles models, JobRecords records, JobService jobs, Path jobsDir,
            JobObjects objects, RoundsRunner rounds) {
        this.store = store;
        this.models = models;
        this.records = records;
        this.jobs = jobs;
        this.jobsDir = jobsDir;
        this.objects = objects;
        this.rounds = rounds;
    }

    static JobDesk open(Path stateDir, CoordinatorSettings settings, Kit kit, RevocationList crl,
            FederationService federation, Clock clock) {
        String url = settings.database() != null ? settings.database()
                : "jdbc:sqlite:" + stateDir.resolve("coordinator.db").toAbsolutePath();
        CoordinatorStore store;
        ModelFiles models;
        try {
            java.nio.file.Files.createDirectories(stateDir);
            store = CoordinatorStore.open(url);
            models = ModelFiles.open(stateDir.resolve("models"));
        } catch (IOException e) {
            throw new ConfigException("cannot open the coordinator's state in " + stateDir + ": " + e.getMessage());
        }
        Path jobsDir = stateDir.resolve("jobs");
        JobRecords records = new JobRecords(new StoreJobWriter(store, jobsDir));
        JobService jobs = new JobService(records, federation, kit.caCertificate(), crl, clock,
                Duration.ofSeconds(settings.jobDecisionSeconds()));
        JobObjects objects;
        try {
            objects = new JobObjects(stateDir.resolve("objects"), (site, job) -> {
                JobRecords.Job j = records.jobOrNull(job);
                return j != null && j.decisions().containsKey(site) && "accepted".equals(j.decisions().get(site).decision());
            });
        } catch (IOException e) {
            store.close();
            throw new ConfigException("cannot open the coordinator's object folder in " + stateDir + ": " + e.getMessage());
        }
        RoundsRunner rounds = new RoundsRunner((site, m) -> federation.send(site,
                CoordinatorMessage.newBuilder().setRounds(m)), objects, models, store,
                new CertificateVerifier(kit.caCertificate(), kit.identity().project(), crl, clock),
                CertifiedKey.of(kit), kit.identity().project(), jobsDir, clock);
        jobs.runner(rounds);
        rounds.wireBytes(objects::transferred);
        rounds.connected(() -> federation.connectedWith(org.medveil.proto.Capabilities.JOBS));
        jobs.recoverAfterRestart();
        JobDesk desk = new JobDesk(store, models, records, jobs, jobsDir, objects, rounds);
        federation.handler(desk);
        return desk;
    }

    @Override
    public void connected(String site) {
        jobs.siteConnected(site);
    }

    @Override
    public void message(String site, SiteMessage m) {
        if (m.hasJobDecision()) {
            jobs.decision(site, m.getJobDecision());
        } else if (m.hasRounds()) {
            rounds.onMessage(site, m.getRounds());
        }
    }

    @Override
    public void close() {
        rounds.close();
        store.close();
    }
}
