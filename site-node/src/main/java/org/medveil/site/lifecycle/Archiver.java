package org.medveil.site.lifecycle;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.crypto.ObjectCipher;
import org.medveil.governance.pki.Role;
import org.medveil.governance.policy.Operation;
import org.medveil.governance.policy.PolicyTable;
import org.medveil.site.store.ObjectDestroyedException;
import org.medveil.site.store.ObjectFilter;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.StoredObject;

/**
 * Archives (REQ-ARC-1..3). {@link #archive} moves the active objects an {@link ArchivePolicy}
 * selects into a new archive folder {@code ROOT/archive-<UTC time>-<rand>/}: per object
 * {@code objects/ID.mva} = the plaintext, zstd-compressed, then sealed under <em>the object's own
 * data key</em> ({@link ObjectStore#sealUnderObjectKey}, AAD binds object and archive id), so
 * destroying the object's key kills its archive copy too; plus a {@link SealedManifest} (every
 * file's SHA-256, the object's plaintext digest, HMAC under a key wrapped by the master key).
 * Then the index marks the objects archived and their live files are overwritten and deleted.
 * {@link #restoreArchive} (data managers only) checks the manifest, decrypts, decompresses, checks
 * each digest and makes the objects active again; objects destroyed meanwhile stay destroyed.
 */
public final class Archiver {

    public static final String FORMAT = "archive";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final int ZSTD_LEVEL = 9;

    private final ObjectStore store;
    private final AuditLog audit;
    private final Path root;

    /** Archives of {@code store} under {@code archiveRoot}; every run and restore is recorded in {@code audit}. */
    public Archiver(ObjectStore store, AuditLog audit, Path archiveRoot) {
        this.store = store;
        this.audit = audit;
        this.root = archiveRoot;
    }

    /** One archive run: its id and folder, the archived objects, plaintext and archived (compressed, sealed) bytes. */
    public record ArchiveResult(String archiveId, Path dir, List<String> objectIds, long plaintextBytes, long archivedBytes) {
    }

    /** One restore: objects made active again, and objects that could not come back (destroyed), with why. */
    public record RestoreArchiveResult(String archiveId, List<String> restored, Map<String, String> refused) {
    }

    /** Archives what {@code policy} selects at {@code now}; empty when nothing matches. */
    public synchronized Optional<ArchiveResult> archive(ArchivePolicy policy, Instant now, String actor) {
        List<StoredObject> selected = store.list(new ObjectFilter(null, null, StoredObject.State.ACTIVE, null))
                .stream().filter(o -> policy.matches(o, now)).toList();
        if (selected.isEmpty()) {
            return Optional.empty();
        }
        byte[] rand = new byte[4];
        RANDOM.nextBytes(rand);
        String id = "archive-" + NAME_TIME.format(now) + "-" + HexFormat.of().formatHex(rand);
        Path dir = root.resolve(id);
        List<SealedManifest.Entry> files = new ArrayList<>();
        long plain = 0;
        long archived = 0;
        ObjectCipher cipher = new ObjectCipher(store.suite());
        byte[] key = cipher.newKey();
        try {
            Files.createDirectories(root);
            Files2.createPrivate(dir);
            Files.createDirectories(dir.resolve("objects"));
            for (StoredObject o : selected) {
                byte[] plaintext = store.read(o.id());   // digest checked
                byte[] sealed = store.sealUnderObjectKey(o.id(), id, Zstd.compress(plaintext, ZSTD_LEVEL));
                Path f = dir.resolve("objects").resolve(o.id() + ".mva");
                Files2.writeDurably(f, sealed);
                files.add(SealedManifest.entry(dir, f, o.id(), o.digest()));
                plain += plaintext.length;
                archived += sealed.length;
            }
            SealedManifest.write(dir, new SealedManifest.Body(FORMAT, id, now.toString(), store.suite().configName(),
                    Base64.getEncoder().encodeToString(store.keystore().wrapKey(key, SealedManifest.keyContext(FORMAT, id))),
                    Map.of(), files), key);
            Files2.fsyncTree(dir);
        } catch (IOException | RuntimeException e) {
            try {
                Files2.deleteTree(dir);   // nothing was marked archived yet
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new LifecycleException("archive run into " + dir + " failed: " + e.getMessage()
                    + "; no object was archived, the incomplete archive was removed", e);
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
        // only now, with every copy durable, do the objects leave the live store
        List<String> ids = new ArrayList<>();
        for (StoredObject o : selected) {
            store.markArchived(o.id());
            ids.add(o.id());
        }
        audit.append("archive", actor, Map.of("archive", id, "objects", Integer.toString(ids.size()),
                "manifestSha256", Backups.manifestDigest(dir)));
        return Optional.of(new ArchiveResult(id, dir, ids, plain, archived));
    }

    /**
     * Brings the objects of archive {@code archiveId} back into the live store. Only a role the
     * policy table lets {@code restore-archive} (data managers) may; the archive must verify.
     */
    public synchronized RestoreArchiveResult restoreArchive(String archiveId, String actorFingerprint, Role role) {
        PolicyTable.Entry rule = PolicyTable.entry(role, Operation.RESTORE_ARCHIVE);
        if (!rule.granted()) {
            audit.append("access", actorFingerprint, Map.of("operation", Operation.RESTORE_ARCHIVE.id(),
                    "decision", "deny", "rule", rule.ruleId(), "archive", archiveId));
            throw new LifecycleException(role.id() + " may not restore archives (rule " + rule.ruleId() + "): "
                    + rule.why());
        }
        if (!archiveId.matches("archive-[0-9TZ]+-[0-9a-f]{8}")) {
            throw new LifecycleException("'" + archiveId + "' is not an archive id (archive-<time>-<8 hex>)");
        }
        Path dir = root.resolve(archiveId);
        ArchiveReport report = verify(archiveId);
        if (!report.ok()) {
            throw new LifecycleException("archive " + dir + " does not verify, nothing restored: "
                    + String.join("; ", report.lines()));
        }
        SealedManifest.Opened m = SealedManifest.open(dir, FORMAT, store.keystore());
        java.util.Arrays.fill(m.setKey(), (byte) 0);
        List<String> restored = new ArrayList<>();
        Map<String, String> refused = new java.util.TreeMap<>();
        for (SealedManifest.Entry e : m.body().files()) {
            if (e.objectId() == null) {
                continue;
            }
            Optional<StoredObject> o = store.find(e.objectId());
            if (o.isEmpty() || o.get().state() != StoredObject.State.ARCHIVED) {
                refused.put(e.objectId(), o.isEmpty() ? "not in the index" : "is " + o.get().state().name().toLowerCase(java.util.Locale.ROOT));
                continue;
            }
            try {
                byte[] compressed = store.openUnderObjectKey(e.objectId(), archiveId, Files.readAllBytes(dir.resolve(e.path())));
                store.reactivate(e.objectId(), Zstd.decompress(compressed, Math.toIntExact(o.get().size())));
                restored.add(e.objectId());
            } catch (ObjectDestroyedException ex) {
                refused.put(e.objectId(), "destroyed");
            } catch (IOException ex) {
                throw new LifecycleException("cannot read " + dir.resolve(e.path()) + ": " + ex.getMessage(), ex);
            }
        }
        audit.append("restore-archive", actorFingerprint, Map.of("archive", archiveId,
                "restored", Integer.toString(restored.size()), "refused", Integer.toString(refused.size())));
        return new RestoreArchiveResult(archiveId, restored, refused);
    }

    /** What {@link #verify} found in an archive; names each altered, missing or extra file. */
    public record ArchiveReport(String archiveId, String problem, List<String> altered, List<String> missing,
                                List<String> extra) {

        public boolean ok() {
            return problem == null && altered.isEmpty() && missing.isEmpty() && extra.isEmpty();
        }

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

    /** Checks an archive's manifest MAC and every file against it. */
    public ArchiveReport verify(String archiveId) {
        Path dir = root.resolve(archiveId);
        SealedManifest.Opened m = SealedManifest.open(dir, FORMAT, store.keystore());
        List<String> altered = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        if (m.problem() != null) {
            return new ArchiveReport(archiveId, m.problem(), altered, missing, extra);
        }
        java.util.Arrays.fill(m.setKey(), (byte) 0);
        SealedManifest.checkFiles(dir, m.body(), altered, missing, extra);
        return new ArchiveReport(archiveId, null, altered, missing, extra);
    }

    /** The archive file of {@code objectId} in {@code archiveId} (for inspection and tests). */
    public Path archiveFile(String archiveId, String objectId) {
        return root.resolve(archiveId).resolve("objects").resolve(objectId + ".mva");
    }
}
