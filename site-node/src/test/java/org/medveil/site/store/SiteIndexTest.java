package org.medveil.site.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteIndexTest {

    @TempDir
    Path tmp;

    private static List<String> tables(SiteIndex index) {
        return index.read(c -> {
            List<String> t = new ArrayList<>();
            try (ResultSet rs = c.createStatement()
                    .executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
                while (rs.next()) {
                    t.add(rs.getString(1));
                }
            }
            return t;
        });
    }

    static String scalar(SiteIndex index, String sql) {
        return index.read(c -> {
            try (var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                return rs.getString(1);
            }
        });
    }

    @Test
    void freshDatabaseGetsEveryVersionAndReopenDoesNotReapply() {
        Path db = tmp.resolve("index.db");
        try (SiteIndex index = SiteIndex.open(db)) {
            assertEquals(SiteIndex.CODE_VERSION, index.schemaVersion());
            assertEquals(List.of("consents", "dataset_roots", "destruction_approvals", "destruction_requests", "jobs", "labels", "objects", "provenance", "refusals",
                    "schema_version"), tables(index));
            assertEquals("wal", scalar(index, "PRAGMA journal_mode"));
        }
        try (SiteIndex index = SiteIndex.open(db)) {
            assertEquals(SiteIndex.CODE_VERSION, index.schemaVersion());
            assertEquals(String.valueOf(SiteIndex.CODE_VERSION), scalar(index, "SELECT COUNT(*) FROM schema_version"));
        }
    }

    @Test
    void aV1DatabaseIsUpgradedInPlace() {
        Path db = tmp.resolve("index.db");
        try (SiteIndex index = SiteIndex.open(db, List.of("V1__init.sql"))) {
            assertEquals(1, index.schemaVersion());
            assertEquals("0", scalar(index, "SELECT COUNT(*) FROM pragma_table_info('objects') WHERE name = 'sop_key'"));
        }
        try (SiteIndex index = SiteIndex.open(db)) {
            assertEquals(SiteIndex.CODE_VERSION, index.schemaVersion());
            assertEquals("1", scalar(index, "SELECT COUNT(*) FROM pragma_table_info('objects') WHERE name = 'sop_key'"));
        }
    }

    @Test
    void databaseFromNewerSoftwareIsRefused() {
        Path db = tmp.resolve("index.db");
        try (SiteIndex index = SiteIndex.open(db)) {
            index.transaction(c -> {
                try (var st = c.createStatement()) {
                    return st.executeUpdate(
                            "INSERT INTO schema_version(version, script, applied_at) VALUES (" + (SiteIndex.CODE_VERSION + 1)
                                    + ", 'V99__future.sql', 'x')");
                }
            });
        }
        StoreException e = assertThrows(StoreException.class, () -> SiteIndex.open(db));
        assertEquals("index " + db + " has schema version " + (SiteIndex.CODE_VERSION + 1) + " but this MedVeil knows only up to "
                + SiteIndex.CODE_VERSION + "; it was written by"
                + " newer software — run that version (never downgrade)", e.getMessage());
    }

    @Test
    void failedMigrationLeavesThePreviousVersion() {
        Path db = tmp.resolve("index.db");
        try (SiteIndex index = SiteIndex.open(db, List.of("V1__init.sql"))) {
            assertEquals(1, index.schemaVersion());
        }
        // a second script that does not exist as a resource stands for a broken upgrade
        assertThrows(IllegalStateException.class, () -> SiteIndex.open(db, List.of("V1__init.sql", "V2__missing.sql")));
        try (SiteIndex index = SiteIndex.open(db, List.of("V1__init.sql"))) {
            assertEquals(1, index.schemaVersion());
        }
    }

    @Test
    void scriptSplitting() {
        assertEquals(List.of("CREATE TABLE a (x)", "CREATE INDEX i ON a(x)"),
                SiteIndex.statements("-- comment\nCREATE TABLE a (x);\n\nCREATE INDEX i ON a(x);\n"));
        assertTrue(SiteIndex.statements("-- only comments\n").isEmpty());
    }
}
