package org.medveil.cli;

import org.medveil.governance.pki.Kit;
import org.medveil.site.FederationClient;
import org.medveil.site.SiteSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

@Command(name = "site", mixinStandardHelpOptions = true,
        description = "Run a hospital's site node.", subcommands = SiteCommand.Serve.class)
final class SiteCommand {

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Dial out to the coordinator (no inbound port), keep a session with heartbeats,"
                    + " and reconnect with backoff when it goes away.",
                    "Stops cleanly on Ctrl-C / SIGTERM. Stops by itself with exit code 1 and one line when"
                            + " retrying cannot help: this site's certificate was revoked or expired, or the same"
                            + " kit runs elsewhere and keeps taking over the session."})
    static final class Serve implements Runnable {
        @Option(names = "--kit", required = true, paramLabel = "DIR", description = "This site's startup kit.")
        Path kit;
        @Option(names = "--coordinator", paramLabel = "HOST:PORT",
                description = "Dial this address instead of the kit's (the coordinator's certificate must name HOST).")
        String coordinator;
        @Mixin
        LogOptions log;

        @Override
        public void run() {
            log.apply();
            Kit k = Kit.load(kit);
            SiteSettings settings = k.settings(SiteSettings.class, SiteSettings.DEFAULTS);
            if (coordinator != null) {
                settings = settings.withCoordinator(coordinator);
            }
            FederationClient client = FederationClient.start(k, settings);
            String fatal = Daemons.runUntilStopped(client, client.fatal());
            if (fatal != null) {
                throw new CliException(fatal);
            }
        }
    }
}
