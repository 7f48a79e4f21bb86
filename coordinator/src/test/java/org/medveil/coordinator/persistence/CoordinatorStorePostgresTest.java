package org.medveil.coordinator.persistence;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medveil.testsupport.PostgresServer;

import java.net.InetAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store contract on a real PostgreSQL server started for this class (one database per test). */
class CoordinatorStorePostgresTest extends CoordinatorStoreContractTest {

    static PostgresServer pg;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    String newUrl() throws Exception {
        return pg.newDatabase();
    }

    @Test
    void anUnreachableServerIsExplainedWithoutThePassword() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closed + "/medveil?user=medveil&password=hunter2";
        StoreException e = assertThrows(StoreException.class, () -> CoordinatorStore.open(url));
        assertTrue(e.getMessage().contains("cannot reach the PostgreSQL server at jdbc:postgresql://127.0.0.1:" + closed),
                e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        StoreException noDb = assertThrows(StoreException.class,
                () -> CoordinatorStore.open(pg.jdbcUrl("no_such_db")));
        assertTrue(noDb.getMessage().contains("check the database name"), noDb.getMessage());
    }
}
