package org.medveil.site.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/**
 * The site's SQLite index ({@code index.db} in the data folder; WAL, synchronous=FULL,
 * secure_delete=ON). The schema comes from versioned SQL scripts under
 * {@code org/medveil/site/store/migrations/} ({@code V<n>__<what>.sql}), each applied once in its
 * own transaction and recorded in {@code schema_version}; a database newer than this code is
 * refused. Other parts of the site node (ingest, consent, admin) use {@link #transaction} and
 * {@link #read}; every call runs on one connection, serialized.
 */
public final class SiteIndex implements AutoCloseable {

    /** Migration scripts in order; the n-th is schema version n. Append, never edit. */
    static final List<String> MIGRATIONS = List.of("V1__init.sql", "V2__lookup_keys.sql",
            "V3__destruction_requests.sql");

    /** The newest schema version this code knows. */
    public static final int CODE_VERSION = MIGRATIONS.size();

    /** Work on the index connection; may throw SQLException. */
    @FunctionalInterface
    public interface Sql<T> {
        T run(Connection c) throws SQLException;
    }

    private final Path file;
    private final Connection db;

    private SiteIndex(Path file, Connection db) {
        this.file = file;
        this.db = db;
    }

    /** Opens (creating if needed) and migrates the index at {@code file}. */
    public static SiteIndex open(Path file) {
        return open(file, MIGRATIONS);
    }

    static SiteIndex open(Path file, List<String> migrations) {
        Connection db;
        try {
            db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA secure_delete=ON");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=5000");
            }
        } catch (SQLException e) {
            throw new StoreException("cannot open index " + file + ": " + e.getMessage(), e);
        }
        SiteIndex index = new SiteIndex(file, db);
        try {
            index.migrate(migrations);
        } catch (RuntimeException e) {
            index.close();
            throw e;
        }
        return index;
    }

    private void migrate(List<String> migrations) {
        try {
            db.setAutoCommit(false);
            try (Statement s = db.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                        + " script TEXT NOT NULL, applied_at TEXT NOT NULL)");
            }
            db.commit();
            int current = schemaVersion();
            if (current > migrations.size()) {
                throw new StoreException("index " + file + " has schema version " + current
                        + " but this MedVeil knows only up to " + migrations.size()
                        + "; it was written by newer software — run that version (never downgrade)");
            }
            for (int v = current + 1; v <= migrations.size(); v++) {
                String script = migrations.get(v - 1);
                if (!script.startsWith("V" + v + "__")) {
                    throw new IllegalStateException("migration " + script + " is not version " + v);
                }
                try (Statement s = db.createStatement()) {
                    for (String stmt : statements(load(script))) {
                        s.execute(stmt);
                    }
                    s.execute("INSERT INTO schema_version(version, script, applied_at) VALUES (" + v + ", '"
                            + script + "', '" + Instant.now() + "')");
                    db.commit();
                } catch (SQLException e) {
                    db.rollback();
                    throw new StoreException("migration " + script + " failed on index " + file + ": "
                            + e.getMessage() + "; the index is left at version " + (v - 1), e);
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot migrate index " + file + ": " + e.getMessage(), e);
        }
    }

    private static String load(String script) {
        String res = "migrations/" + script;
        try (InputStream in = SiteIndex.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalStateException("migration resource " + res + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + res, e);
        }
    }

    /** Splits a script at ';' ending a line, dropping '--' comment lines. */
    static List<String> statements(String script) {
        StringBuilder cleaned = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                cleaned.append(line).append('\n');
            }
        }
        return java.util.Arrays.stream(cleaned.toString().split(";\\s*\n"))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** The schema version the database is at (0 for a new file). */
    public synchronized int schemaVersion() {
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new StoreException("cannot read schema version of index " + file + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
    public synchronized <T> T transaction(Sql<T> work) {
        try {
            try {
                T result = work.run(db);
                db.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                db.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("index " + file + ": " + e.getMessage() + " (nothing was written)", e);
        }
    }

    /** Runs read-only {@code work}. */
    public synchronized <T> T read(Sql<T> work) {
        return transaction(work);
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close index " + file + ": " + e.getMessage(), e);
        }
    }
}
