package org.medveil.testsupport;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostgresServerTest {

    @Test
    void startsOnLoopbackAndStopsAtClose() throws Exception {
        PostgresServer pg = PostgresServer.start();
        int port = pg.port();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            assertTrue(s.isConnected());
        }
        String url = pg.newDatabase();
        assertTrue(url.startsWith("jdbc:postgresql://127.0.0.1:" + port + "/db"), url);
        pg.close();
        assertThrows(java.io.IOException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            }
        }, "the server still listens after close");
        assertFalse(PostgresServer.binaries().isEmpty());
        assertTrue(Files.isDirectory(PostgresServer.binaries().get()));
    }
}
