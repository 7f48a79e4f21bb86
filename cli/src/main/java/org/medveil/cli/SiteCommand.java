package org.medveil.cli;

import org.medveil.governance.pki.Kit;
import org.medveil.site.FederationClient;
import org.medveil.site.KitRefusedException;
import org.medveil.site.SiteSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "site", mixinStandardHelpOptions = true,
        description = "Run a hospital's site node.", subcommands = {SiteCommand.Serve.class,
        // operator commands, through the site's admin API (SiteAdminCommands)
        SiteAdminCommands.Status.class, SiteAdminCommands.Objects.class, SiteAdminCommands.Consent.class,
        SiteAdminCommands.Labels.class, SiteAdminCommands.Requests.class, SiteAdminCommands.Approve.class,
        SiteAdminCommands.Reject.class, SiteAdminCommands.Verify.class,
        SiteLifecycleCommands.Backup.class, SiteLifecycleCommands.Restore.class, SiteLifecycleCommands.Archive.class,
        SiteLifecycleCommands.Destroy.class})
final class SiteCommand {

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Dial out to the coordinator (no inbound port), keep a session with heartbeats,"
                    + " and reconnect with backoff when it goes away.",
                    "Stops cleanly on Ctrl-C / SIGTERM. Stops by itself with exit code 3 and one line when"
                            + " retrying cannot help: this site's certificate was revoked or expired, or the same"
                            + " kit runs elsewhere and keeps taking over the session (a supervisor should not"
                            + " restart it: systemd RestartPreventExitStatus=3)."})
    static final class Serve implements Callable<Integer> {
        /** Exit code when the site node gave up because retrying cannot help; supervisors should not restart it. */
        static final int EXIT_GAVE_UP = 3;

        @Spec
        CommandSpec spec;
        @Option(names = "--kit", required = true, paramLabel = "DIR", description = "This site's startup kit.")
        Path kit;
        @Option(names = "--coordinator", paramLabel = "HOST:PORT",
                description = "Dial this address instead of the kit's (the coordinator's certificate must name HOST).")
        String coordinator;
        @Mixin
        LogOptions log;

        @Override
        public Integer call() {
            log.apply();
            Kit k = Kit.load(kit);
            SiteSettings settings = k.settings(SiteSettings.class, SiteSettings.DEFAULTS);
            if (coordinator != null) {
                settings = settings.withCoordinator(coordinator);
            }
            FederationClient client;
            try {
                client = FederationClient.start(k, settings);
            } catch (KitRefusedException e) {
                spec.commandLine().getErr().println("medveil: error: " + e.getMessage());
                return EXIT_GAVE_UP;
            }
            String fatal = Daemons.runUntilStopped(client, client.fatal());
            if (fatal != null) {
                spec.commandLine().getErr().println("medveil: error: " + fatal);
                return EXIT_GAVE_UP;
            }
            return 0;
        }
    }
}
