package org.medveil.coordinator.persistence;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store contract on SQLite, plus SQLite's own settings and error messages. */
class CoordinatorStoreSqliteTest extends CoordinatorStoreContractTest {

    @TempDir
    Path tmp;
    private final AtomicInteger n = new AtomicInteger();

    @Override
    String newUrl() {
        return "jdbc:sqlite:" + tmp.resolve("coordinator-" + n.incrementAndGet() + ".db");
    }

    @Test
    void usesWalAndFullSync() throws Exception {
        String url = newUrl();
        try (CoordinatorStore s = CoordinatorStore.open(url)) {
            assertEquals(url, s.name());
        }
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertEquals("wal", rs.getString(1)); // WAL is a property of the file, kept across connections
        }
    }

    @Test
    void badLocationsAndUrlsAreExplained() {
        StoreException folder = assertThrows(StoreException.class,
                () -> CoordinatorStore.open(tmp.resolve("missing/dir/c.db")));
        assertTrue(folder.getMessage().contains("does not exist"), folder.getMessage());
        StoreException mem = assertThrows(StoreException.class, () -> CoordinatorStore.open("jdbc:sqlite::memory:"));
        assertTrue(mem.getMessage().contains("not a file"), mem.getMessage());
        StoreException other = assertThrows(StoreException.class,
                () -> CoordinatorStore.open("jdbc:mysql://u:secret@db.example/x?password=secret"));
        assertTrue(other.getMessage().contains("use jdbc:sqlite:PATH"), other.getMessage());
        assertFalse(other.getMessage().contains("secret"), "the password leaked into " + other.getMessage());
    }
}
