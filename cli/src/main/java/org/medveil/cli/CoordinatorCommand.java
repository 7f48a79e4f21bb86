package org.medveil.cli;

import org.medveil.coordinator.CoordinatorServer;
import org.medveil.coordinator.CoordinatorSettings;
import org.medveil.governance.pki.Kit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;

@Command(name = "coordinator", mixinStandardHelpOptions = true,
        description = "Run the coordinator.", subcommands = CoordinatorCommand.Serve.class)
final class CoordinatorCommand {

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Serve sites and users over gRPC with TLS 1.3 and required client certificates.",
                    "Stops cleanly on Ctrl-C / SIGTERM."})
    static final class Serve implements Runnable {
        @Option(names = "--kit", required = true, paramLabel = "DIR", description = "The coordinator's startup kit.")
        Path kit;
        @Option(names = "--listen", paramLabel = "HOST:PORT",
                description = "Address to bind (default: 0.0.0.0 and the port in the kit).")
        String listen;
        @Option(names = "--state-dir", paramLabel = "DIR",
                description = "Folder for the coordinator's state (site registry, jobs, model files, bulk objects,"
                        + " manifests, the SQLite store); default: the kit's settings.stateDir, else KIT/state."
                        + " Lets the kit be mounted read-only.")
        Path stateDir;
        @Option(names = "--db", paramLabel = "JDBC_URL",
                description = "Keep jobs, keys, rounds and manifests in this database instead of STATE/coordinator.db:"
                        + " jdbc:postgresql://HOST:PORT/DB?user=U (or jdbc:sqlite:FILE). Default: settings.database.")
        String db;
        @Option(names = "--console", paramLabel = "PORT",
                description = "Also serve the web console over HTTPS on this port (same address and certificate as"
                        + " the coordinator; off by default). Users sign in with 'medveil console open --kit USER_KIT'.")
        Integer console;
        @Mixin
        LogOptions log;

        @Override
        public void run() {
            log.apply();
            Kit k = Kit.load(kit);
            CoordinatorSettings settings = k.settings(CoordinatorSettings.class, CoordinatorSettings.DEFAULTS);
            if (listen != null) {
                settings = settings.withListen(listen);
            }
            if (stateDir != null) {
                settings = settings.withStateDir(stateDir.toAbsolutePath().toString());
            }
            if (db != null) {
                settings = settings.withDatabase(db);
            }
            CoordinatorServer server = CoordinatorServer.start(k, settings, Clock.systemUTC());
            if (console != null) {
                try {
                    server.openConsole(console);
                } catch (RuntimeException e) {
                    server.close();
                    throw new CliException(e.getMessage());
                }
            }
            Daemons.runUntilStopped(server);
        }
    }
}
