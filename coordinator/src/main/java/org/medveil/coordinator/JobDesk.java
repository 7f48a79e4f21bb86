package org.medveil.coordinator;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.medveil.coordinator.jobs.JobRecords;
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

    private JobDesk(CoordinatorStore store, ModelFiles models, JobRecords records, JobService jobs, Path jobsDir) {
        this.store = store;
        this.models = models;
        this.records = records;
        this.jobs = jobs;
        this.jobsDir = jobsDir;
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
        JobDesk desk = new JobDesk(store, models, records, jobs, jobsDir);
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
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
