package org.medveil.site.lifecycle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.medveil.governance.audit.AuditLog;
import org.medveil.site.store.ObjectStore;

/**
 * Scheduled backups (REQ-STO-3): every {@code interval} a new set under {@code destRoot}, keeping
 * the newest {@code keep} sets. The time of the last backup is read from the sets themselves (their
 * manifest times), so a restarted daemon does not back up early or late. The daemon calls
 * {@link #runIfDue} from its timer; nothing here starts threads.
 */
public record BackupSchedule(Duration interval, int keep, Path destRoot) {

    public BackupSchedule {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(destRoot, "destRoot");
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("backup interval must be positive");
        }
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least 1 backup set, got " + keep);
        }
    }

    /** Complete sets under {@code destRoot} (with a manifest), oldest first. */
    public List<Path> sets() {
        if (!Files.isDirectory(destRoot)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(destRoot)) {
            return s.filter(p -> p.getFileName().toString().startsWith("backup-"))
                    .filter(p -> Files.isRegularFile(p.resolve(SealedManifest.FILE)))
                    .sorted().toList();   // names start with the UTC time, so name order is time order
        } catch (IOException e) {
            throw new LifecycleException("cannot list backup sets in " + destRoot + ": " + e.getMessage(), e);
        }
    }

    /** When the newest set was made, if any. */
    public Optional<Instant> lastBackup() {
        List<Path> sets = sets();
        if (sets.isEmpty()) {
            return Optional.empty();
        }
        try {
            SealedManifest.Body b = SealedManifest.JSON.readValue(
                    sets.get(sets.size() - 1).resolve(SealedManifest.FILE).toFile(), SealedManifest.Body.class);
            return Optional.of(Instant.parse(b.createdAt()));
        } catch (IOException | RuntimeException e) {
            throw new LifecycleException("cannot read the newest backup set's manifest in " + destRoot + ": "
                    + e.getMessage() + "; run verify on it", e);
        }
    }

    /** When the next backup is due: now if there is none yet, else last + interval. */
    public Instant nextDue(Instant now) {
        return lastBackup().map(t -> t.plus(interval)).orElse(now);
    }

    /** Makes a set (audited by {@code actor}) and prunes old ones when due at {@code now}; empty otherwise. */
    public Optional<Backups.BackupSet> runIfDue(ObjectStore store, AuditLog audit, String actor, Instant now) {
        if (now.isBefore(nextDue(now))) {
            return Optional.empty();
        }
        Backups.BackupSet set = Backups.backup(store, audit, destRoot, actor);
        prune();
        return Optional.of(set);
    }

    /** Deletes all but the newest {@code keep} sets; returns the deleted folders. */
    public List<Path> prune() {
        List<Path> sets = sets();
        List<Path> removed = new ArrayList<>();
        for (int i = 0; i < sets.size() - keep; i++) {
            try {
                Files2.deleteTree(sets.get(i));
            } catch (IOException e) {
                throw new LifecycleException("cannot delete old backup set " + sets.get(i) + ": " + e.getMessage(), e);
            }
            removed.add(sets.get(i));
        }
        return removed;
    }
}
