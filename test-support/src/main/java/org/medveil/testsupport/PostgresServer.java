package org.medveil.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL cluster for tests: {@code initdb} into a temporary folder, a server on a
 * free loopback port with its socket in that folder, stopped and deleted by {@link #close()}.
 * It uses Debian's server binaries under {@code /usr/lib/postgresql/VERSION/bin} (the newest
 * version present). PostgreSQL refuses to run as root, so under root every command runs as the
 * {@code postgres} user (created by the Debian package) and the folder is handed to it.
 * When the binaries are missing the test is skipped, or fails under {@code CI=true} (see
 * {@link External}).
 */
public final class PostgresServer implements AutoCloseable {

    /** Superuser created by initdb; trust authentication, so no password. */
    public static final String USER = "medveil";

    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final boolean asPostgres;
    private final Thread stopAtExit;
    private boolean closed;

    private PostgresServer(Path bin, Path dir, int port, boolean asPostgres) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.asPostgres = asPostgres;
        this.stopAtExit = new Thread(this::stopQuietly, "postgres-stop");
    }

    /** The newest installed server's bin folder, if any. */
    public static Optional<Path> binaries() {
        if (!Files.isDirectory(DEBIAN_ROOT)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(PostgresServer::majorVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Starts a fresh cluster; skips (or fails under CI=true) when PostgreSQL is not installed. */
    public static PostgresServer start() throws IOException {
        Optional<Path> bin = binaries();
        External.require(bin.isPresent(),
                "PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install -y postgresql)");
        boolean root = "root".equals(System.getProperty("user.name"));
        UserPrincipalLookupService users = Path.of("/").getFileSystem().getUserPrincipalLookupService();
        Path dir = Files.createTempDirectory("medveil-pg");
        if (root) {
            try {
                Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
            } catch (IOException e) {
                delete(dir);
                External.require(false, "user 'postgres' to run PostgreSQL as (running as root; apt-get install -y postgresql creates it)");
            }
        }
        Path bin0 = bin.get();
        try {
            PostgresServer first = new PostgresServer(bin0, dir, freePort(), root);
            first.check(first.run(List.of(bin0.resolve("initdb").toString(), "-D", first.data.toString(), "-A", "trust",
                    "-U", USER, "-E", "UTF8", "--locale=C", "-N")), "initdb");
            IOException last = null;
            for (int tries = 0; tries < 3; tries++) { // a free port can be taken between looking and binding
                PostgresServer server = tries == 0 ? first : new PostgresServer(bin0, dir, freePort(), root);
                try {
                    server.startServer();
                    return server;
                } catch (IOException e) {
                    last = e;
                }
            }
            throw last;
        } catch (IOException | RuntimeException e) {
            delete(dir);
            throw e;
        }
    }

    private void startServer() throws IOException {
        Runtime.getRuntime().addShutdownHook(stopAtExit);
        try {
            check(run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(),
                    "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "-t", "60", "start")),
                    "pg_ctl start");
        } catch (IOException e) {
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
            throw e;
        }
    }

    private External.Result run(List<String> command) throws IOException {
        List<String> c = new ArrayList<>();
        if (asPostgres) {
            c.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        c.addAll(command);
        return External.run(c);
    }

    private IOException failure(String what, External.Result r) {
        String log = "";
        try {
            Path l = dir.resolve("log");
            log = Files.exists(l) ? Files.readString(l, StandardCharsets.UTF_8) : "";
        } catch (IOException ignored) {
            // the log only helps explain the failure
        }
        return new IOException(what + " failed (exit " + r.exit() + "): " + r.err(StandardCharsets.UTF_8).strip()
                + " " + r.out(StandardCharsets.UTF_8).strip() + (log.isEmpty() ? "" : "; server log: " + log.strip()));
    }

    private void check(External.Result r, String what) throws IOException {
        if (r.exit() != 0) {
            throw failure(what, r);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** JDBC URL of the {@code postgres} database initdb created. */
    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
    }

    /** Creates an empty database with a fresh name and returns its JDBC URL: one per test keeps tests apart. */
    public String newDatabase() throws IOException {
        String name = "db" + DATABASES.incrementAndGet();
        check(run(List.of(bin.resolve("createdb").toString(), "-h", dir.toString(), "-p", Integer.toString(port),
                "-U", USER, name)), "createdb " + name);
        return jdbcUrl(name);
    }

    private void stopQuietly() {
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"));
        } catch (IOException ignored) {
            // best effort at JVM exit
        }
    }

    /** Stops the server and deletes its folder. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        External.Result r = run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"));
        try {
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
        delete(dir);
        if (r.exit() != 0) {
            throw failure("pg_ctl stop", r);
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
