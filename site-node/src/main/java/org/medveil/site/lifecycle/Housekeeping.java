package org.medveil.site.lifecycle;

import org.medveil.governance.audit.AuditLog;
import org.medveil.site.store.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The site daemon's timer for scheduled backups (site.yaml {@code backup}) and archiving
 * ({@code archive.afterDays}). One thread; each pass logs one line per set or archive made and one
 * line per failure (the same failure again is not repeated), and a failure never stops the next
 * pass: a full backup volume must not take ingest down with it.
 */
public final class Housekeeping implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

    private final ObjectStore store;
    private final AuditLog audit;
    private final BackupSchedule backups;
    private final Archiver archiver;
    private final int archiveAfterDays;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private Instant lastArchivePass = Instant.MIN;
    private final java.util.Map<String, String> lastFailure = new java.util.HashMap<>();

    /**
     * @param backups          null: no scheduled backups
     * @param archiver         null or {@code archiveAfterDays <= 0}: no archiving
     * @param tick             how often to check what is due
     */
    private Housekeeping(ObjectStore store, AuditLog audit, BackupSchedule backups, Archiver archiver,
                         int archiveAfterDays, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.backups = backups;
        this.archiver = archiver;
        this.archiveAfterDays = archiveAfterDays;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "medveil-housekeeping");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the timer: the first pass after {@code firstDelay}, then one every {@code tick}. */
    public static Housekeeping start(ObjectStore store, AuditLog audit, BackupSchedule backups, Archiver archiver,
                                     int archiveAfterDays, Clock clock, Duration firstDelay, Duration tick) {
        Housekeeping h = new Housekeeping(store, audit, backups, archiver, archiveAfterDays, clock);
        if (backups != null || (archiver != null && archiveAfterDays > 0)) {
            h.timer.scheduleWithFixedDelay(h::pass, firstDelay.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
        }
        return h;
    }

    /** One pass: a backup set if one is due, then archiving at most once a day. */
    synchronized void pass() {
        Instant now = clock.instant();
        // separate steps: a failing backup volume must not stop archiving, nor the other way round
        if (backups != null) {
            step("backup", () -> backups.runIfDue(store, audit, "system", now).ifPresent(s ->
                    LOG.info("backup: set {} written to {} ({} objects); next due {}", s.id(), s.dir(), s.objects(),
                            backups.nextDue(now))));
        }
        if (archiver != null && archiveAfterDays > 0 && !now.isBefore(lastArchivePass.plus(Duration.ofDays(1)))) {
            lastArchivePass = now;
            step("archive", () -> archiver.archive(ArchivePolicy.olderThanDays(archiveAfterDays), now, "system")
                    .ifPresent(r -> LOG.info("archive: {} objects older than {} days moved into archive {} ({} -> {} bytes)",
                            r.objectIds().size(), archiveAfterDays, r.archiveId(), r.plaintextBytes(),
                            r.archivedBytes())));
        }
    }

    private void step(String name, Runnable work) {
        try {
            work.run();
            lastFailure.remove(name);
        } catch (RuntimeException e) {
            // the same step failing the same way again (messages carry a fresh set id) is not logged again
            String kind = e.getClass().getName();
            if (!kind.equals(lastFailure.put(name, kind))) {
                LOG.error("housekeeping: {} failed ({}: {}); ingest goes on, and the next pass tries again", name,
                        e.getClass().getSimpleName(), e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        timer.shutdown();
        try {
            if (!timer.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("housekeeping: a backup or archive pass was still running at shutdown; it was interrupted");
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
