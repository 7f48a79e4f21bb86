package org.medveil.site.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.medveil.governance.crypto.CipherSuite;
import org.medveil.governance.crypto.ObjectCipher;
import org.medveil.governance.crypto.TamperedException;

/**
 * The site's encrypted object store (REQ-STO-1, STO-2, DEL-1, DEL-6).
 *
 * <p>Layout: data folder {@code DATA/} holds {@code index.db} ({@link SiteIndex}),
 * {@code objects/ab/cdef…} (one encrypted file per object, named by its 128-bit hex id) and
 * {@code tmp/} (writes in progress). The wrapped data keys are in {@code keys.db} in the key
 * folder beside the keystore, never under {@code DATA/}.
 *
 * <p>Object file: {@code "MVO1" || suite code (1 byte) || nonce (12) || ciphertext || tag (16)},
 * encrypted under the object's own data key with AAD {@code "medveil-object:" + id || header},
 * so a file renamed to another id does not open.
 *
 * <p>Put order (what makes {@code kill -9} safe): encrypt → write {@code tmp/ID.part} → fsync →
 * data key committed to {@code keys.db} → rename to {@code objects/ab/…} → fsync folder → index
 * rows (object, provenance, dataset root marked stale) in one transaction; {@link #putPair} does
 * the same for an original and its derivative together (one keys.db commit, one index
 * transaction). Only then does {@code put}
 * return. A crash earlier leaves a temp file (removed at open) or an orphan (a file and/or key
 * without an index row; reported at open, removed by {@link #removeOrphans}); no object is
 * visible in the index without its file and key.
 *
 * <p>One process owns a data folder at a time ({@code store.lock}). Objects are held in memory
 * while encrypted or decrypted.
 */
public final class ObjectStore implements AutoCloseable {

    private static final byte[] MAGIC = "MVO1".getBytes(StandardCharsets.US_ASCII);
    /** Header of a copy sealed under an object's data key (archives). */
    private static final byte[] COPY_MAGIC = "MVC1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + 1;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private final Path dataDir;
    private final Path objectsDir;
    private final Path tmpDir;
    private final SiteKeystore keystore;
    private final ObjectCipher cipher;
    private final KeyDatabase keys;
    private final SiteIndex index;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Recovery recovery;

    /** What {@link #open} found left over from a crash. */
    public record Recovery(int tempFilesRemoved, Set<String> orphans) {
    }

    private ObjectStore(Path dataDir, SiteKeystore keystore, FileChannel lockChannel, FileLock lock) {
        this.dataDir = dataDir;
        this.objectsDir = dataDir.resolve("objects");
        this.tmpDir = dataDir.resolve("tmp");
        this.keystore = keystore;
        this.cipher = new ObjectCipher(keystore.suite());
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.keys = new KeyDatabase(keystore.keyFolder().resolve("keys.db"));
        try {
            this.index = SiteIndex.open(dataDir.resolve("index.db"));
        } catch (RuntimeException e) {
            keys.close();
            throw e;
        }
        this.recovery = recover();
    }

    /**
     * Opens the store in {@code dataDir} (creating the layout if new) with the master key of
     * {@code keystore}, removes temp files of interrupted writes and finds orphans.
     */
    public static ObjectStore open(Path dataDir, SiteKeystore keystore) {
        Path data = dataDir.toAbsolutePath().normalize();
        if (keystore.keyFolder().normalize().startsWith(data)) {
            throw new StoreException("keystore " + keystore.path() + " is inside the data folder " + data
                    + "; put it in a separate key folder (backups of the data folder must not carry keys)");
        }
        FileChannel ch = null;
        try {
            KeyFiles.createPrivateDirectories(data);
            KeyFiles.createPrivateDirectories(data.resolve("objects"));
            KeyFiles.createPrivateDirectories(data.resolve("tmp"));
            ch = FileChannel.open(data.resolve("store.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null;   // held by this same JVM
            }
            if (lock == null) {
                ch.close();
                throw new StoreException("store " + data + " is in use by another process; stop it first"
                        + " (only one site node may open a data folder)");
            }
            return new ObjectStore(data, keystore, ch, lock);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new StoreException("cannot open store " + data + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    /** Temp files removed and orphans found when the store was opened. */
    public Recovery recovery() {
        return recovery;
    }

    public SiteIndex index() {
        return index;
    }

    public Path dataDir() {
        return dataDir;
    }

    public CipherSuite suite() {
        return keystore.suite();
    }

    // ---------------------------------------------------------------- put

    /** Stores {@code plaintext} encrypted; returns once it is durable and indexed. */
    public StoredObject put(StoredObjectKind kind, byte[] plaintext, ObjectMeta meta) {
        return putAll(List.of(new Pending(newId(), kind, plaintext, meta))).get(0);
    }

    /** What {@link #putPair} stored: the original and its derivative. */
    public record Pair(StoredObject original, StoredObject derivative) {
    }

    /**
     * Stores an ingested original and its de-identified derivative (parent = the original) as one
     * write: both files written and fsynced, both data keys in one {@code keys.db} commit, both
     * renames, and one index transaction with both rows, so either both are indexed or neither.
     * Returns once both are durable and indexed.
     */
    public Pair putPair(byte[] original, ObjectMeta originalMeta, byte[] derivative, ObjectMeta derivativeMeta) {
        String originalId = newId();
        List<StoredObject> out = putAll(List.of(
                new Pending(originalId, StoredObjectKind.ORIGINAL, original, originalMeta),
                new Pending(newId(), StoredObjectKind.DERIVATIVE, derivative, derivativeMeta.withParent(originalId))));
        return new Pair(out.get(0), out.get(1));
    }

    /** One object of a {@link #putAll} call, before it is written. */
    private record Pending(String id, StoredObjectKind kind, byte[] plaintext, ObjectMeta meta) {
    }

    /** An encrypted object ready to be written. */
    private record Sealed(Pending p, String digest, byte[] header, byte[] sealed, byte[] wrapped) {
    }

    /**
     * The put order for one or more objects (see the class comment): temp files + fsync, all data
     * keys in one keys.db commit, renames + folder fsyncs, then one index transaction.
     */
    private List<StoredObject> putAll(List<Pending> items) {
        List<Sealed> sealed = new ArrayList<>();
        for (Pending p : items) {
            String digest = HEX.formatHex(MerkleTree.sha256().digest(p.plaintext()));
            byte[] dataKey = cipher.newKey();
            byte[] header = header(keystore.suite());
            byte[] ct = cipher.seal(dataKey, p.plaintext(), aad(p.id(), header));
            byte[] wrapped = cipher.wrapKey(keystore.masterKey(), dataKey, p.id());
            java.util.Arrays.fill(dataKey, (byte) 0);
            sealed.add(new Sealed(p, digest, header, ct, wrapped));
        }
        try {
            for (Sealed s : sealed) {
                try (FileChannel ch = FileChannel.open(tmpDir.resolve(s.p().id() + ".part"),
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    writeFully(ch, ByteBuffer.wrap(s.header()));
                    writeFully(ch, ByteBuffer.wrap(s.sealed()));
                    ch.force(true);
                }
            }
            List<KeyDatabase.Row> rows = new ArrayList<>();
            for (Sealed s : sealed) {
                rows.add(new KeyDatabase.Row(s.p().id(), keystore.suite().configName(), s.wrapped()));
            }
            keys.putAll(rows);
            Set<Path> dirs = new java.util.LinkedHashSet<>();
            for (Sealed s : sealed) {
                Path target = pathOf(s.p().id());
                Path dir = target.getParent();
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir);
                    KeyFiles.fsyncDirectory(objectsDir);
                }
                Files.move(tmpDir.resolve(s.p().id() + ".part"), target, StandardCopyOption.ATOMIC_MOVE);
                dirs.add(dir);
            }
            for (Path dir : dirs) {
                KeyFiles.fsyncDirectory(dir);
            }
            // No fsync of tmp/ after the renames: the new names are made durable by the fsync of
            // their objects/ab folders above. If a crash loses only the removal of the old name,
            // a tmp/ID.part is left over; open() deletes every file in tmp/ (deleting that name
            // does not touch the object's name under objects/), so nothing depends on it.
        } catch (IOException e) {
            throw new StoreException("cannot write object file under " + dataDir + ": " + e.getMessage()
                    + " (check free space and permissions); nothing was stored", e);
        }
        Instant now = Instant.now();
        try {
            indexNew(sealed, now);
        } catch (RuntimeException e) {
            // refused by the index (e.g. unknown parent): take back keys and files, nothing stays behind
            for (Sealed s : sealed) {
                try {
                    keys.destroy(s.p().id());
                    overwriteAndDelete(pathOf(s.p().id()));
                } catch (IOException | RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
        List<StoredObject> out = new ArrayList<>();
        for (Sealed s : sealed) {
            out.add(new StoredObject(s.p().id(), s.p().kind(), s.digest(), s.p().plaintext().length,
                    keystore.suite().configName(), now, StoredObject.State.ACTIVE, null, s.p().meta()));
        }
        return out;
    }

    private void indexNew(List<Sealed> sealed, Instant now) {
        index.transaction(c -> {
            Set<String> datasets = new TreeSet<>();
            for (Sealed s : sealed) {
                insertRow(c, s.p().id(), s.p().kind(), s.p().plaintext().length, s.digest(), s.p().meta(), now);
                datasets.add(s.p().meta().dataset());
            }
            for (String ds : datasets) {
                markRootStale(c, ds);
            }
            return null;
        });
    }

    private void insertRow(Connection c, String id, StoredObjectKind kind, long size, String digest, ObjectMeta meta,
            Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO objects(id, kind, parent_id, dataset,"
                + " sop_class, modality, body_part, category, grade, patient_key, size, digest, suite,"
                + " created_at, sop_key, accession_key, state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'active')")) {
            ps.setString(1, id);
            ps.setString(2, kind.column());
            ps.setString(3, meta.parentId());
            ps.setString(4, meta.dataset());
            ps.setString(5, meta.sopClass());
            ps.setString(6, meta.modality());
            ps.setString(7, meta.bodyPart());
            ps.setString(8, meta.category());
            ps.setObject(9, meta.grade());
            ps.setString(10, meta.patientKey());
            ps.setLong(11, size);
            ps.setString(12, digest);
            ps.setString(13, keystore.suite().configName());
            ps.setString(14, now.toString());
            ps.setString(15, meta.sopKey());
            ps.setString(16, meta.accessionKey());
            ps.executeUpdate();
        }
        Provenance p = meta.provenance();
        if (p != null) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO provenance(object_id, channel,"
                    + " source, received_at, content_digest) VALUES (?,?,?,?,?)")) {
                ps.setString(1, id);
                ps.setString(2, p.channel().name().toLowerCase(Locale.ROOT));
                ps.setString(3, p.source());
                ps.setString(4, p.receivedAt().toString());
                ps.setString(5, digest);
                ps.executeUpdate();
            }
        }
    }

    /** Reads the whole stream, then as {@link #put(StoredObjectKind, byte[], ObjectMeta)}. */
    public StoredObject put(StoredObjectKind kind, InputStream in, ObjectMeta meta) {
        try {
            return put(kind, in.readAllBytes(), meta);
        } catch (IOException e) {
            throw new StoreException("cannot read the object to store: " + e.getMessage() + "; nothing was stored", e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /**
     * Marks the dataset's stored Merkle root stale ({@code leaves = -1}, in the caller's
     * transaction): one row written, no digest read. {@link #refreshStaleRoots} recomputes it.
     * A put or destroy used to recompute the root from every digest of the dataset, O(dataset)
     * per put.
     */
    static void markRootStale(Connection c, String dataset) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO dataset_roots(dataset, root, leaves, updated_at)"
                + " VALUES (?, '', -1, ?) ON CONFLICT(dataset) DO UPDATE SET leaves = -1,"
                + " updated_at = excluded.updated_at")) {
            ps.setString(1, dataset);
            ps.setString(2, Instant.now().toString());
            ps.executeUpdate();
        }
    }

    /**
     * Recomputes every stale dataset root (in the caller's transaction) and returns the datasets
     * it recomputed. Used by the verifier and by backups before they read the roots.
     */
    public static Set<String> refreshStaleRoots(Connection c) throws SQLException {
        Set<String> stale = new TreeSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT dataset FROM dataset_roots WHERE leaves < 0");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                stale.add(rs.getString(1));
            }
        }
        for (String ds : stale) {
            updateRoot(c, ds);
        }
        return stale;
    }

    /** Digest rows read to compute roots since start (test hook: puts must not read any). */
    static final java.util.concurrent.atomic.AtomicLong ROOT_DIGESTS_READ = new java.util.concurrent.atomic.AtomicLong();

    /** Recomputes and stores the dataset's Merkle root (in the caller's transaction). */
    static String updateRoot(Connection c, String dataset) throws SQLException {
        List<String> digests = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT digest FROM objects WHERE dataset = ? AND state <> 'destroyed'")) {
            ps.setString(1, dataset);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    digests.add(rs.getString(1));
                }
            }
        }
        ROOT_DIGESTS_READ.addAndGet(digests.size());
        String root = MerkleTree.root(digests);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO dataset_roots(dataset, root, leaves, updated_at)"
                + " VALUES (?,?,?,?) ON CONFLICT(dataset) DO UPDATE SET root = excluded.root,"
                + " leaves = excluded.leaves, updated_at = excluded.updated_at")) {
            ps.setString(1, dataset);
            ps.setString(2, root);
            ps.setInt(3, digests.size());
            ps.setString(4, Instant.now().toString());
            ps.executeUpdate();
        }
        return root;
    }

    // ---------------------------------------------------------------- read

    /**
     * Decrypts an object and checks it against its indexed digest. Throws
     * {@link ObjectIntegrityException} naming the id when the file was altered,
     * {@link ObjectDestroyedException} when it was destroyed, {@link StoreException} otherwise.
     */
    public byte[] read(String id) {
        StoredObject o = find(id).orElseThrow(() -> new StoreException("no object " + id + " in the index of "
                + dataDir + "; list objects with 'medveil site objects'"));
        if (o.state() == StoredObject.State.DESTROYED) {
            throw new ObjectDestroyedException(id, String.valueOf(o.destroyedAt()));
        }
        if (o.state() == StoredObject.State.ARCHIVED) {
            throw new StoreException("object " + id + " is archived; a data manager must restore it first");
        }
        byte[] plaintext = decrypt(id);
        String digest = HEX.formatHex(MerkleTree.sha256().digest(plaintext));
        if (!digest.equals(o.digest())) {
            throw new ObjectIntegrityException(id, "its content digest does not match the index", null);
        }
        return plaintext;
    }

    /** Decrypts the file of {@code id} (no index lookup); used by {@link #read} and the verifier. */
    byte[] decrypt(String id) {
        byte[] file;
        try {
            file = Files.readAllBytes(pathOf(id));
        } catch (NoSuchFileException e) {
            throw new StoreException("object " + id + " is in the index but its file " + pathOf(id)
                    + " is missing; run 'medveil site verify' and restore it from a backup", e);
        } catch (IOException e) {
            throw new StoreException("cannot read object file " + pathOf(id) + ": " + e.getMessage(), e);
        }
        byte[] wrapped = keys.get(id);
        if (wrapped == null) {
            throw new StoreException("object " + id + " has no data key in " + keys.file()
                    + "; it was destroyed, or the key folder belongs to another site (restore the key folder)");
        }
        if (file.length < HEADER || !java.util.Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new ObjectIntegrityException(id, "its file header is not a MedVeil object header", null);
        }
        CipherSuite suite;
        try {
            suite = CipherSuite.fromCode(file[MAGIC.length]);
        } catch (IllegalArgumentException e) {
            throw new ObjectIntegrityException(id, "its header names an unknown cipher suite", e);
        }
        ObjectCipher c = new ObjectCipher(suite);
        byte[] header = java.util.Arrays.copyOf(file, HEADER);
        byte[] sealed = java.util.Arrays.copyOfRange(file, HEADER, file.length);
        byte[] dataKey;
        try {
            dataKey = new ObjectCipher(keystore.suite()).unwrapKey(keystore.masterKey(), wrapped, id);
        } catch (TamperedException e) {
            throw new StoreException("the data key of object " + id + " does not open with this site's master key;"
                    + " the keystore does not belong to this store or " + keys.file() + " was altered", e);
        }
        try {
            return c.open(dataKey, sealed, aad(id, header));
        } catch (TamperedException | IllegalArgumentException e) {
            throw new ObjectIntegrityException(id, "its authentication tag does not verify", e);
        } finally {
            java.util.Arrays.fill(dataKey, (byte) 0);
        }
    }

    /** The index row of {@code id}, if any. */
    public Optional<StoredObject> find(String id) {
        List<StoredObject> l = query("SELECT * FROM objects WHERE id = ?", List.of(id));
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    /** Objects matching {@code filter}, oldest first. */
    public List<StoredObject> list(ObjectFilter filter) {
        StringBuilder sql = new StringBuilder("SELECT * FROM objects WHERE 1=1");
        List<Object> args = new ArrayList<>();
        if (filter.kind() != null) {
            sql.append(" AND kind = ?");
            args.add(filter.kind().column());
        }
        if (filter.dataset() != null) {
            sql.append(" AND dataset = ?");
            args.add(filter.dataset());
        }
        if (filter.state() != null) {
            sql.append(" AND state = ?");
            args.add(filter.state().name().toLowerCase(Locale.ROOT));
        }
        if (filter.patientKey() != null) {
            sql.append(" AND patient_key = ?");
            args.add(filter.patientKey());
        }
        sql.append(" ORDER BY rowid");   // insertion order
        return query(sql.toString(), args);
    }

    private List<StoredObject> query(String sql, List<Object> args) {
        return index.read(c -> {
            List<StoredObject> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs));
                    }
                }
            }
            return out;
        });
    }

    private static StoredObject row(ResultSet rs) throws SQLException {
        int grade = rs.getInt("grade");
        Integer g = rs.wasNull() ? null : grade;
        ObjectMeta meta = new ObjectMeta(rs.getString("dataset"), rs.getString("parent_id"),
                rs.getString("sop_class"), rs.getString("modality"), rs.getString("body_part"),
                rs.getString("category"), g, rs.getString("patient_key"), null, rs.getString("sop_key"),
                rs.getString("accession_key"));
        String destroyed = rs.getString("destroyed_at");
        return new StoredObject(rs.getString("id"), StoredObjectKind.fromColumn(rs.getString("kind")),
                rs.getString("digest"), rs.getLong("size"), rs.getString("suite"),
                Instant.parse(rs.getString("created_at")),
                StoredObject.State.valueOf(rs.getString("state").toUpperCase(Locale.ROOT)),
                destroyed == null ? null : Instant.parse(destroyed), meta);
    }

    // ---------------------------------------------------------------- destroy

    /**
     * Destroys an object: deletes its data key (secure delete; from then on no copy of the file,
     * in backups or archives, can be decrypted), overwrites the live file with random bytes,
     * fsyncs and deletes it, and marks the index row destroyed keeping only id, kind, dataset,
     * size, digest and times. Approval and the certificate are the caller's job. Idempotent.
     */
    public StoredObject destroy(String id) {
        StoredObject o = find(id).orElseThrow(() -> new StoreException("no object " + id + " in the index of "
                + dataDir + "; nothing to destroy"));
        keys.destroy(id);
        Path file = pathOf(id);
        try {
            overwriteAndDelete(file);
        } catch (IOException e) {
            throw new StoreException("data key of object " + id + " is destroyed (the object is unreadable) but its"
                    + " file " + file + " could not be overwritten: " + e.getMessage() + "; delete it by hand", e);
        }
        Instant now = Instant.now();
        index.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE objects SET state = 'destroyed',"
                    + " destroyed_at = COALESCE(destroyed_at, ?), sop_class = NULL, modality = NULL,"
                    + " body_part = NULL, category = NULL, patient_key = NULL WHERE id = ?")) {
                ps.setString(1, now.toString());
                ps.setString(2, id);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM labels WHERE object_id = ?")) {
                ps.setString(1, id);
                ps.executeUpdate();
            }
            markRootStale(c, o.meta().dataset());
            return null;
        });
        return find(id).orElseThrow();
    }

    private static void overwriteAndDelete(Path file) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            byte[] chunk = new byte[(int) Math.min(size, 1 << 20)];
            long done = 0;
            while (done < size) {
                RANDOM.nextBytes(chunk);
                ByteBuffer b = ByteBuffer.wrap(chunk, 0, (int) Math.min(chunk.length, size - done));
                while (b.hasRemaining()) {
                    done += ch.write(b, done);
                }
            }
            ch.force(true);
        }
        Files.delete(file);
        KeyFiles.fsyncDirectory(file.getParent());
    }

    // ---------------------------------------------------------------- lifecycle support

    /** The keystore this store was opened with (backups and archives wrap their keys under its master key). */
    public SiteKeystore keystore() {
        return keystore;
    }

    /** Whether the data key of {@code id} is still in {@code keys.db} (false once destroyed). */
    public boolean hasDataKey(String id) {
        return keys.get(id) != null;
    }

    /**
     * Seals {@code plaintext} (e.g. a compressed archive copy of object {@code id}) under that
     * object's own data key, so destroying the object's key also makes this copy unreadable.
     * File form: {@code "MVC1" || suite code || nonce || ciphertext || tag}, AAD binds the object id
     * and {@code context} (e.g. the archive id).
     */
    public byte[] sealUnderObjectKey(String id, String context, byte[] plaintext) {
        byte[] header = java.util.Arrays.copyOf(COPY_MAGIC, HEADER);
        header[COPY_MAGIC.length] = keystore.suite().code();
        byte[] dataKey = dataKey(id);
        try {
            byte[] sealed = cipher.seal(dataKey, plaintext, copyAad(id, context, header));
            byte[] out = java.util.Arrays.copyOf(header, HEADER + sealed.length);
            System.arraycopy(sealed, 0, out, HEADER, sealed.length);
            return out;
        } finally {
            java.util.Arrays.fill(dataKey, (byte) 0);
        }
    }

    /**
     * Opens a copy made by {@link #sealUnderObjectKey}. Throws {@link ObjectDestroyedException} when
     * the object's data key was destroyed, {@link ObjectIntegrityException} when the copy was altered.
     */
    public byte[] openUnderObjectKey(String id, String context, byte[] file) {
        if (file.length < HEADER || !java.util.Arrays.equals(file, 0, COPY_MAGIC.length, COPY_MAGIC, 0, COPY_MAGIC.length)) {
            throw new ObjectIntegrityException(id, "its copy does not start with a MedVeil copy header", null);
        }
        CipherSuite suite;
        try {
            suite = CipherSuite.fromCode(file[COPY_MAGIC.length]);
        } catch (IllegalArgumentException e) {
            throw new ObjectIntegrityException(id, "its copy names an unknown cipher suite", e);
        }
        byte[] header = java.util.Arrays.copyOf(file, HEADER);
        byte[] dataKey = dataKey(id);
        try {
            return new ObjectCipher(suite).open(dataKey, java.util.Arrays.copyOfRange(file, HEADER, file.length),
                    copyAad(id, context, header));
        } catch (TamperedException | IllegalArgumentException e) {
            throw new ObjectIntegrityException(id, "its copy's authentication tag does not verify", e);
        } finally {
            java.util.Arrays.fill(dataKey, (byte) 0);
        }
    }

    /**
     * Marks an active object archived and removes its live file (overwritten, then deleted). The
     * caller must have made its archive copy durable first. The index is updated before the file
     * goes, so a crash in between leaves an extra file (reported by verify), never a missing one.
     */
    public synchronized StoredObject markArchived(String id) {
        StoredObject o = find(id).orElseThrow(() -> new StoreException("no object " + id + " in the index of "
                + dataDir + "; nothing to archive"));
        if (o.state() != StoredObject.State.ACTIVE) {
            throw new StoreException("object " + id + " is " + o.state().name().toLowerCase(Locale.ROOT)
                    + ", not active; only active objects are archived");
        }
        setState(id, "archived");
        try {
            overwriteAndDelete(pathOf(id));
        } catch (IOException e) {
            throw new StoreException("object " + id + " is archived but its live file " + pathOf(id)
                    + " could not be removed: " + e.getMessage() + "; delete it by hand", e);
        }
        return find(id).orElseThrow();
    }

    /**
     * Brings an archived object back: checks {@code plaintext} against the indexed digest, writes the
     * live file again under the object's own data key (temp file, fsync, rename) and marks it active.
     */
    public synchronized StoredObject reactivate(String id, byte[] plaintext) {
        StoredObject o = find(id).orElseThrow(() -> new StoreException("no object " + id + " in the index of "
                + dataDir + "; nothing to restore"));
        if (o.state() == StoredObject.State.DESTROYED) {
            throw new ObjectDestroyedException(id, String.valueOf(o.destroyedAt()));
        }
        if (o.state() != StoredObject.State.ARCHIVED) {
            throw new StoreException("object " + id + " is not archived; nothing to restore");
        }
        String digest = HEX.formatHex(MerkleTree.sha256().digest(plaintext));
        if (!digest.equals(o.digest())) {
            throw new ObjectIntegrityException(id, "the restored content does not match its indexed digest", null);
        }
        byte[] header = header(keystore.suite());
        byte[] dataKey = dataKey(id);
        byte[] sealed;
        try {
            sealed = cipher.seal(dataKey, plaintext, aad(id, header));
        } finally {
            java.util.Arrays.fill(dataKey, (byte) 0);
        }
        Path tmp = tmpDir.resolve(id + ".part");
        Path target = pathOf(id);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                writeFully(ch, ByteBuffer.wrap(header));
                writeFully(ch, ByteBuffer.wrap(sealed));
                ch.force(true);
            }
            Files.createDirectories(target.getParent());
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            KeyFiles.fsyncDirectory(target.getParent());
        } catch (IOException e) {
            throw new StoreException("cannot write object file " + target + ": " + e.getMessage()
                    + " (check free space and permissions); the object stays archived", e);
        }
        setState(id, "active");
        return find(id).orElseThrow();
    }

    private void setState(String id, String state) {
        index.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE objects SET state = ? WHERE id = ?")) {
                ps.setString(1, state);
                ps.setString(2, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The unwrapped data key of {@code id}; the caller zeroes it. */
    private byte[] dataKey(String id) {
        byte[] wrapped = keys.get(id);
        if (wrapped == null) {
            Optional<StoredObject> o = find(id);
            if (o.isPresent() && o.get().state() == StoredObject.State.DESTROYED) {
                throw new ObjectDestroyedException(id, String.valueOf(o.get().destroyedAt()));
            }
            throw new StoreException("object " + id + " has no data key in " + keys.file()
                    + "; it was destroyed, or the key folder belongs to another site (restore the key folder)");
        }
        try {
            return new ObjectCipher(keystore.suite()).unwrapKey(keystore.masterKey(), wrapped, id);
        } catch (TamperedException e) {
            throw new StoreException("the data key of object " + id + " does not open with this site's master key;"
                    + " the keystore does not belong to this store or " + keys.file() + " was altered", e);
        }
    }

    private static byte[] copyAad(String id, String context, byte[] header) {
        byte[] prefix = ("medveil-copy:" + id + ":" + context).getBytes(StandardCharsets.UTF_8);
        byte[] aad = java.util.Arrays.copyOf(prefix, prefix.length + header.length);
        System.arraycopy(header, 0, aad, prefix.length, header.length);
        return aad;
    }

    // ---------------------------------------------------------------- recovery

    private Recovery recover() {
        int removed = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmpDir)) {
            for (Path p : ds) {
                Files.delete(p);
                removed++;
            }
            if (removed > 0) {
                KeyFiles.fsyncDirectory(tmpDir);
            }
        } catch (IOException e) {
            throw new StoreException("cannot clean temp folder " + tmpDir + ": " + e.getMessage(), e);
        }
        return new Recovery(removed, findOrphans());
    }

    /** Ids with a key or a file but no index row: writes interrupted before the index commit. */
    private Set<String> findOrphans() {
        Set<String> indexed = indexedIds();
        Set<String> orphans = new TreeSet<>();
        for (String id : keys.ids()) {
            if (!indexed.contains(id)) {
                orphans.add(id);
            }
        }
        for (String id : fileIds()) {
            if (!indexed.contains(id) && keys.get(id) != null) {
                orphans.add(id);
            }
        }
        return orphans;
    }

    /**
     * Removes the orphans found at open (their key and file): they were never acknowledged.
     * Returns how many were removed.
     */
    public synchronized int removeOrphans() {
        Set<String> indexed = indexedIds();
        int n = 0;
        for (String id : recovery.orphans()) {
            if (indexed.contains(id)) {
                continue;
            }
            keys.destroy(id);
            try {
                overwriteAndDelete(pathOf(id));
            } catch (IOException e) {
                throw new StoreException("cannot remove orphan file " + pathOf(id) + ": " + e.getMessage(), e);
            }
            n++;
        }
        return n;
    }

    Set<String> indexedIds() {
        return index.read(c -> {
            Set<String> ids = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM objects");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        });
    }

    /** Files under objects/ as ids (folder + name); anything not shaped like an id keeps its path. */
    List<Path> objectFiles() {
        try (Stream<Path> s = Files.walk(objectsDir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + objectsDir, e);
        }
    }

    Set<String> fileIds() {
        Set<String> ids = new TreeSet<>();
        for (Path p : objectFiles()) {
            String id = idOf(p);
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** The id a file under objects/ stands for, or null when its place or name is not an id's. */
    String idOf(Path file) {
        Path rel = objectsDir.relativize(file);
        if (rel.getNameCount() != 2) {
            return null;
        }
        String id = rel.getName(0).toString() + rel.getName(1).toString();
        return id.matches("[0-9a-f]{32}") ? id : null;
    }

    /** Where the file of {@code id} lives. */
    public Path pathOf(String id) {
        if (!id.matches("[0-9a-f]{32}")) {
            throw new StoreException("'" + id + "' is not an object id (32 lowercase hex digits)");
        }
        return objectsDir.resolve(id.substring(0, 2)).resolve(id.substring(2));
    }

    private static String newId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HEX.formatHex(b);
    }

    private static byte[] header(CipherSuite suite) {
        byte[] h = java.util.Arrays.copyOf(MAGIC, HEADER);
        h[MAGIC.length] = suite.code();
        return h;
    }

    private static byte[] aad(String id, byte[] header) {
        byte[] prefix = ("medveil-object:" + id).getBytes(StandardCharsets.UTF_8);
        byte[] aad = java.util.Arrays.copyOf(prefix, prefix.length + header.length);
        System.arraycopy(header, 0, aad, prefix.length, header.length);
        return aad;
    }

    Path objectsDir() {
        return objectsDir;
    }

    @Override
    public void close() {
        try {
            index.close();
        } finally {
            keys.close();
            try {
                lock.release();
                lockChannel.close();
            } catch (IOException e) {
                throw new StoreException("cannot release " + dataDir.resolve("store.lock") + ": " + e.getMessage(), e);
            }
        }
    }
}
