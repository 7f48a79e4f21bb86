package org.medveil.cli;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.coordinator.CoordinatorServer;
import org.medveil.coordinator.CoordinatorSettings;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code medveil health} against a real coordinator over TLS on loopback, and against nothing. */
class HealthCommandTest {

    @TempDir
    Path dir;
    private final List<AutoCloseable> closeMe = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeMe) {
            c.close();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Path provision(String name, int port) {
        Provisioner.init(new ProjectSpec(name, "localhost:" + port, null, null, List.of("hospital-a"),
                List.of(new ProjectSpec.User("admin", "project-admin"))), dir.resolve(name), Clock.systemUTC());
        return dir.resolve(name);
    }

    private CoordinatorServer start(Path prov, int port) {
        CoordinatorServer c = CoordinatorServer.start(Kit.load(prov.resolve("coordinator")),
                CoordinatorSettings.DEFAULTS.withListen("127.0.0.1:" + port), Clock.systemUTC());
        closeMe.add(c);
        return c;
    }

    @Test
    @DisplayName("healthy while the coordinator serves, without a log line at the coordinator; unhealthy once it stopped")
    void healthyThenStopped() throws Exception {
        int port = freePort();
        Path prov = provision("demo", port);
        String kit = prov.resolve("coordinator").toString();

        CliRun before = CliRun.run("health", "--kit", kit);
        assertEquals(1, before.exit(), before.out() + before.err());
        assertTrue(before.err().startsWith("unhealthy: nothing accepts connections at 127.0.0.1:" + port), before.err());

        CoordinatorServer c = start(prov, port);
        try (LogCapture coordinatorLog = new LogCapture("org.medveil.coordinator")) {
            for (int i = 0; i < 3; i++) {
                CliRun ok = CliRun.run("health", "--kit", kit);
                assertEquals(0, ok.exit(), ok.err());
                assertTrue(ok.out().startsWith("healthy: the coordinator at 127.0.0.1:" + port + " serves TLS 1.3 with"
                        + " this kit's certificate sha256:"), ok.out());
            }
            Thread.sleep(1500); // handshake failures are reported asynchronously; refusal summaries each second
            var noisy = coordinatorLog.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                    .map(e -> e.getFormattedMessage()).toList();
            assertEquals(List.of(), noisy, "a health probe must not be logged as a refusal");
        }
        c.close();
        closeMe.remove(c);
        CliRun after = CliRun.run("health", "--kit", kit);
        assertEquals(1, after.exit());
        assertTrue(after.err().startsWith("unhealthy: nothing accepts connections"), after.err());
    }

    @Test
    @DisplayName("another project's coordinator on the port is not this coordinator")
    void otherCoordinatorIsUnhealthy() throws Exception {
        int port = freePort();
        Path mine = provision("demo", port);
        Path other = provision("other", port);
        start(other, port);
        CliRun r = CliRun.run("health", "--kit", mine.resolve("coordinator").toString());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().contains("not this kit's sha256:"), r.err());
    }

    @Test
    @DisplayName("a port that accepts but does not speak TLS is unhealthy within the timeout")
    void silentPortIsUnhealthy() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            Path prov = provision("demo", silent.getLocalPort());
            Thread acceptor = new Thread(() -> {
                try (Socket s = silent.accept()) {
                    Thread.sleep(5000);
                } catch (Exception ignored) {
                    // closed at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            CliRun r = CliRun.run("health", "--kit", prov.resolve("coordinator").toString(), "--timeout", "1");
            assertEquals(1, r.exit(), r.out());
            assertTrue(r.err().contains("sent no TLS certificate"), r.err());
        }
    }

    @Test
    @DisplayName("a site kit is refused with a line saying what health checks")
    void siteKitRefused() throws Exception {
        Path prov = provision("demo", freePort());
        CliRun r = CliRun.run("health", "--kit", prov.resolve("sites/hospital-a").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("medveil: error: kit ") && r.err().contains("checks a coordinator"), r.err());
    }
}
