package org.medveil.coordinator.web;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.medveil.coordinator.persistence.CoordinatorStore;
import org.medveil.proto.admin.JobStatus;

/**
 * What the console reads and does, provided by the coordinator (which wires it to its job
 * service, site registry, store and manifest folders). Nothing here carries PHI or per-site
 * update values: job statuses hold aggregates only.
 */
public interface ConsoleBackend {

    /** One site as the console shows it; times and dates null when unknown. */
    record SiteView(String name, String state, Instant lastHeartbeat, Instant connectedSince, String softwareVersion,
                    String certificateFingerprint, Instant certificateNotAfter, Instant revokedAt) {
    }

    List<JobStatus> jobs();

    /** Throws {@link org.medveil.coordinator.jobs.JobRefusedException} for an unknown job. */
    JobStatus job(String jobId);

    /** The phases of the job's rounds the coordinator recorded (empty for rounds before they were recorded). */
    List<CoordinatorStore.RoundPhase> phases(String jobId);

    /** Aborts the job (the coordinator's own abort: sites are told to stop); {@code by} names the user. */
    JobStatus abort(String jobId, String reason, String by);

    List<SiteView> sites();

    /** The job's manifest folder ({@code round-NNNNNN.json}, {@code .sig}, {@code coordinator.pem}, ...); may not exist yet. */
    Path manifestFolder(String jobId);

    /** The project CA certificate, against which manifests are verified. */
    X509Certificate projectCa();

    /** Null while the user's certificate is still good; otherwise why not (revoked, expired): its sessions end. */
    String refusal(X509Certificate userCertificate);
}
