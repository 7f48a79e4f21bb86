package org.medveil.site.lifecycle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.crypto.ObjectCipher;
import org.medveil.governance.crypto.TamperedException;
import org.medveil.site.store.ObjectFilter;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.SiteKeystore;
import org.medveil.site.store.StoreException;
import org.medveil.site.store.StoreVerifier;
import org.medveil.site.store.StoredObject;

/**
 * Backup sets of a site (REQ-STO-3). A set is a new folder {@code DEST/backup-<UTC time>-<rand>/}:
 * <ul>
 *   <li>{@code objects/ab/cdef…} — the object files exactly as stored (already encrypted; their data
 *       keys stay in {@code keys.db} in the key folder, which is never in a set);</li>
 *   <li>{@code index.db.sealed} — a consistent snapshot of the index (SQLite serialize, taken in
 *       one index call, so it never touches the disk in plaintext), sealed under a fresh backup
 *       key;</li>
 *   <li>{@code audit/} — a copy of the audit folder ({@code audit.head} copied first, so the copy
 *       never names a checkpoint it lacks);</li>
 *   <li>{@code manifest.json} + {@code manifest.mac} — every file with size and SHA-256, the
 *       dataset Merkle roots and the time, the backup key wrapped by the site master key, and an
 *       HMAC over the manifest under a key derived from the backup key ({@link SealedManifest}).</li>
 * </ul>
 * Why an HMAC rather than a signature: checking and restoring a set need the keystore anyway (the
 * index snapshot is sealed under it), and a MAC keyed from the master key cannot be recomputed by
 * someone who can only write the backup media.
 */
public final class Backups {

    public static final String FORMAT = "backup";
    static final String INDEX_FILE = "index.db.sealed";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private Backups() {
    }

    /** A finished backup set. */
    public record BackupSet(Path dir, String id, Instant createdAt, int objects, Map<String, String> datasetRoots) {
    }

    /** What {@link #verify} found; {@link #ok()} when nothing. {@code problem} is set when the manifest itself fails. */
    public record BackupReport(Path set, String problem, List<String> altered, List<String> missing, List<String> extra) {

        public boolean ok() {
            return problem == null && altered.isEmpty() && missing.isEmpty() && extra.isEmpty();
        }

        /** One line per problem, each naming the file. */
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            if (problem != null) {
                out.add("manifest: " + problem);
            }
            altered.forEach(p -> out.add("altered: " + p));
            missing.forEach(p -> out.add("missing: " + p));
            extra.forEach(p -> out.add("extra: " + p + " is not in the manifest"));
            return out;
        }
    }

    /**
     * What {@link #restore} did: objects restored, objects whose data key was destroyed after the
     * backup (marked destroyed again, their restored files overwritten), keys in {@code keys.db}
     * that the restored index does not know (objects stored after the backup; their files are
     * lost), and the store verification afterwards.
     */
    public record RestoreResult(String setId, int objects, List<String> destroyedSinceBackup, Set<String> orphanKeys,
                                StoreVerifier.Report verification) {
    }

    /**
     * Makes a new backup set under {@code destRoot} of {@code store} and the audit folder of
     * {@code audit}, and appends a {@code backup} audit record by {@code actor}. Returns the set.
     */
    public static BackupSet backup(ObjectStore store, AuditLog audit, Path destRoot, String actor) {
        BackupSet set = backup(store, audit.dir(), destRoot);
        audit.append("backup", actor, Map.of("set", set.id(), "objects", Integer.toString(set.objects()),
                "manifestSha256", manifestDigest(set.dir())));
        return set;
    }

    /** As {@link #backup(ObjectStore, AuditLog, Path, String)} without an audit record (for an audit folder not open here). */
    public static BackupSet backup(ObjectStore store, Path auditDir, Path destRoot) {
        Path dest = destRoot.toAbsolutePath().normalize();
        if (dest.startsWith(store.dataDir()) || dest.startsWith(store.keystore().keyFolder().normalize())) {
            throw new LifecycleException("backup destination " + destRoot + " is inside the data or key folder;"
                    + " choose a folder on other media (a backup must survive losing the site's folders)");
        }
        Instant now = Instant.now();
        byte[] rand = new byte[4];
        RANDOM.nextBytes(rand);
        String id = "backup-" + NAME_TIME.format(now) + "-" + HexFormat.of().formatHex(rand);
        Path dir = destRoot.resolve(id);
        try {
            Files.createDirectories(destRoot);
            Files2.createPrivate(dir);
        } catch (IOException e) {
            throw new LifecycleException("cannot create backup set " + dir + ": " + e.getMessage()
                    + "; check that the destination exists and is writable", e);
        }
        try {
            return write(store, auditDir, dir, id, now);
        } catch (IOException | RuntimeException e) {
            try {
                Files2.deleteTree(dir);   // never leave a half set that looks like a backup
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e instanceof LifecycleException le ? le : new LifecycleException("backup to " + dir + " failed: "
                    + e.getMessage() + "; the incomplete set was removed, nothing else changed", e);
        }
    }

    private record Snapshot(byte[] index, List<StoredObject> active, Map<String, String> roots) {
    }

    private static BackupSet write(ObjectStore store, Path auditDir, Path dir, String id, Instant now) throws IOException {
        // one index call: the snapshot, the objects it lists and the roots all describe the same moment
        // stale roots (marked by puts and destroys) are recomputed first, in the same transaction
        Snapshot snap = store.index().transaction(c -> {
            ObjectStore.refreshStaleRoots(c);
            byte[] image = c.unwrap(org.sqlite.SQLiteConnection.class).serialize("main");
            Map<String, String> roots = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT dataset, root FROM dataset_roots");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    roots.put(rs.getString(1), rs.getString(2));
                }
            }
            return new Snapshot(image, store.list(new ObjectFilter(null, null, StoredObject.State.ACTIVE, null)), roots);
        });
        ObjectCipher cipher = new ObjectCipher(store.suite());
        byte[] key = cipher.newKey();
        try {
            List<SealedManifest.Entry> files = new ArrayList<>();
            Path indexFile = dir.resolve(INDEX_FILE);
            Files2.writeDurably(indexFile, cipher.seal(key, snap.index(), indexAad(id)));
            java.util.Arrays.fill(snap.index(), (byte) 0);
            files.add(SealedManifest.entry(dir, indexFile, null, null));
            Path objects = store.dataDir().resolve("objects");
            for (StoredObject o : snap.active()) {
                Path from = store.pathOf(o.id());
                Path to = dir.resolve("objects").resolve(objects.relativize(from).toString());
                try {
                    Files2.copyDurably(from, to);
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue;   // destroyed or archived since the snapshot: that is its state now
                }
                files.add(SealedManifest.entry(dir, to, o.id(), o.digest()));
            }
            files.addAll(copyAudit(auditDir, dir.resolve("audit"), dir));
            Files2.fsyncTree(dir);
            SealedManifest.Body body = new SealedManifest.Body(FORMAT, id, now.toString(), store.suite().configName(),
                    Base64.getEncoder().encodeToString(store.keystore().wrapKey(key, SealedManifest.keyContext(FORMAT, id))),
                    snap.roots(), files);
            SealedManifest.write(dir, body, key);
            int n = (int) files.stream().filter(f -> f.objectId() != null).count();
            return new BackupSet(dir, id, now, n, snap.roots());
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
    }

    private static List<SealedManifest.Entry> copyAudit(Path auditDir, Path to, Path setDir) throws IOException {
        List<SealedManifest.Entry> out = new ArrayList<>();
        if (auditDir == null || !Files.isDirectory(auditDir)) {
            return out;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(auditDir)) {
            files = new ArrayList<>(s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().endsWith(".tmp")).sorted().toList());
        }
        // the head first: records appended while copying only make the copied log longer than its head
        files.sort((a, b) -> Boolean.compare(!a.getFileName().toString().equals("audit.head"),
                !b.getFileName().toString().equals("audit.head")));
        for (Path f : files) {
            Path dest = to.resolve(auditDir.relativize(f).toString());
            Files2.copyDurably(f, dest);
            out.add(SealedManifest.entry(setDir, dest, null, null));
        }
        return out;
    }

    /** Checks a set: manifest MAC (needs the site keystore), then every file; names altered, missing and extra files. */
    public static BackupReport verify(Path set, SiteKeystore keystore) {
        SealedManifest.Opened m = SealedManifest.open(set, FORMAT, keystore);
        List<String> altered = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        if (m.problem() != null) {
            return new BackupReport(set, m.problem(), altered, missing, extra);
        }
        java.util.Arrays.fill(m.setKey(), (byte) 0);
        SealedManifest.checkFiles(set, m.body(), altered, missing, extra);
        return new BackupReport(set, null, altered, missing, extra);
    }

    /**
     * Restores {@code set} into {@code emptyDataDir} (which must not exist or be empty) with the
     * site's {@code keystore} (its key folder holds {@code keys.db}); the audit copy goes to
     * {@code emptyAuditDir} when given (must be empty too). Refuses a set that does not verify.
     * Afterwards opens the store, re-applies destructions made since the backup (objects whose data
     * key is gone are destroyed again) and verifies it; the store is closed on return.
     */
    public static RestoreResult restore(Path set, Path emptyDataDir, SiteKeystore keystore, Path emptyAuditDir) {
        BackupReport report = verify(set, keystore);
        if (!report.ok()) {
            throw new LifecycleException("backup set " + set + " does not verify, nothing restored: "
                    + String.join("; ", report.lines()));
        }
        requireEmpty(emptyDataDir, "data folder");
        if (emptyAuditDir != null) {
            requireEmpty(emptyAuditDir, "audit folder");
        }
        SealedManifest.Opened m = SealedManifest.open(set, FORMAT, keystore);
        String id = m.body().id();
        try {
            if (!Files.exists(emptyDataDir)) {
                Files2.createPrivate(emptyDataDir);
            }
            byte[] index;
            try {
                index = new ObjectCipher(keystore.suite()).open(m.setKey(), Files.readAllBytes(set.resolve(INDEX_FILE)),
                        indexAad(id));
            } catch (TamperedException e) {
                throw new LifecycleException("the index snapshot of backup set " + set + " does not open with its key;"
                        + " the set was altered", e);
            }
            Files2.writeDurably(emptyDataDir.resolve("index.db"), index);
            int objects = 0;
            for (SealedManifest.Entry e : m.body().files()) {
                if (e.path().startsWith("objects/")) {
                    Files2.copyDurably(set.resolve(e.path()), emptyDataDir.resolve(e.path()));
                    objects++;
                } else if (e.path().startsWith("audit/") && emptyAuditDir != null) {
                    Files2.copyDurably(set.resolve(e.path()), emptyAuditDir.resolve(e.path().substring("audit/".length())));
                }
            }
            Files2.fsyncTree(emptyDataDir);
            try (ObjectStore store = ObjectStore.open(emptyDataDir, keystore)) {
                List<String> destroyed = new ArrayList<>();
                for (StoredObject o : store.list(ObjectFilter.all())) {
                    if (o.state() != StoredObject.State.DESTROYED && !store.hasDataKey(o.id())) {
                        store.destroy(o.id());   // destroyed after the backup: the copy must not come back
                        destroyed.add(o.id());
                    }
                }
                return new RestoreResult(id, objects, destroyed, store.recovery().orphans(),
                        new StoreVerifier(store).verify());
            }
        } catch (IOException | StoreException e) {
            throw new LifecycleException("restore of " + set + " into " + emptyDataDir + " failed: " + e.getMessage()
                    + "; empty the folder and retry", e);
        } finally {
            java.util.Arrays.fill(m.setKey(), (byte) 0);
        }
    }

    private static void requireEmpty(Path dir, String what) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            if (s.findAny().isPresent()) {
                throw new LifecycleException("the target " + what + " " + dir + " is not empty; restore only into an empty"
                        + " folder (move the current one away first)");
            }
        } catch (IOException e) {
            throw new LifecycleException("cannot read target " + what + " " + dir + ": " + e.getMessage(), e);
        }
    }

    /** SHA-256 of a set's manifest.json (for audit records). */
    static String manifestDigest(Path set) {
        try {
            return SealedManifest.sha256(set.resolve(SealedManifest.FILE));
        } catch (IOException e) {
            throw new LifecycleException("cannot read " + set.resolve(SealedManifest.FILE) + ": " + e.getMessage(), e);
        }
    }

    private static byte[] indexAad(String id) {
        return ("medveil-backup-index:" + id).getBytes(StandardCharsets.UTF_8);
    }
}
