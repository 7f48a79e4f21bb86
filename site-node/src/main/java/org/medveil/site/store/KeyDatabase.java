package org.medveil.site.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * The wrapped data keys ({@code keys.db}, SQLite, in the key folder beside the keystore, never in
 * the data folder). Deleting a row is the destruction of that object in every copy: with
 * {@code secure_delete=ON} SQLite zeroes the freed bytes, and a TRUNCATE checkpoint empties the
 * write-ahead log that still held the page as written at insert time.
 */
final class KeyDatabase implements AutoCloseable {

    private final Path file;
    private final Connection db;

    KeyDatabase(Path file) {
        this.file = file;
        try {
            db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA secure_delete=ON");
                s.execute("CREATE TABLE IF NOT EXISTS data_keys (object_id TEXT PRIMARY KEY,"
                        + " suite TEXT NOT NULL, wrapped BLOB NOT NULL, created_at TEXT NOT NULL)");
            }
        } catch (SQLException e) {
            throw new StoreException("cannot open key database " + file + ": " + e.getMessage()
                    + "; it must be writable by the site node and sit beside the keystore", e);
        }
    }

    /** Stores a wrapped key and commits it (durably, synchronous=FULL) before returning. */
    synchronized void put(String objectId, String suite, byte[] wrapped) {
        try (PreparedStatement ps = db.prepareStatement(
                "INSERT INTO data_keys(object_id, suite, wrapped, created_at) VALUES (?,?,?,?)")) {
            ps.setString(1, objectId);
            ps.setString(2, suite);
            ps.setBytes(3, wrapped);
            ps.setString(4, Instant.now().toString());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("cannot write data key for object " + objectId + " to " + file + ": "
                    + e.getMessage(), e);
        }
    }

    /** One wrapped data key to store. */
    record Row(String objectId, String suite, byte[] wrapped) {
    }

    /** Stores several wrapped keys in one commit (one fsync of the WAL): all of them or none. */
    synchronized void putAll(java.util.List<Row> rows) {
        try {
            db.setAutoCommit(false);
            try (PreparedStatement ps = db.prepareStatement(
                    "INSERT INTO data_keys(object_id, suite, wrapped, created_at) VALUES (?,?,?,?)")) {
                String now = Instant.now().toString();
                for (Row r : rows) {
                    ps.setString(1, r.objectId());
                    ps.setString(2, r.suite());
                    ps.setBytes(3, r.wrapped());
                    ps.setString(4, now);
                    ps.executeUpdate();
                }
                db.commit();
            } catch (SQLException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot write " + rows.size() + " data key(s) to " + file + ": "
                    + e.getMessage() + "; nothing was stored", e);
        }
    }

    /** The wrapped key, or null when there is none (never stored, or destroyed). */
    synchronized byte[] get(String objectId) {
        try (PreparedStatement ps = db.prepareStatement("SELECT wrapped FROM data_keys WHERE object_id = ?")) {
            ps.setString(1, objectId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read key database " + file + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the key so no copy of the object can be decrypted; zeroes it in the files. */
    synchronized boolean destroy(String objectId) {
        try (PreparedStatement ps = db.prepareStatement("DELETE FROM data_keys WHERE object_id = ?")) {
            ps.setString(1, objectId);
            int n = ps.executeUpdate();
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            return n > 0;
        } catch (SQLException e) {
            throw new StoreException("cannot delete data key of object " + objectId + " from " + file + ": "
                    + e.getMessage() + "; the object is NOT destroyed, retry", e);
        }
    }

    synchronized Set<String> ids() {
        Set<String> ids = new HashSet<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT object_id FROM data_keys")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read key database " + file + ": " + e.getMessage(), e);
        }
        return ids;
    }

    Path file() {
        return file;
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close key database " + file + ": " + e.getMessage(), e);
        }
    }
}
