package org.medveil.cli;

import org.medveil.governance.pki.Kit;
import org.medveil.site.FederationClient;
import org.medveil.site.KitRefusedException;
import org.medveil.site.SiteInit;
import org.medveil.site.SiteNode;
import org.medveil.site.SiteNodeException;
import org.medveil.site.SiteSettings;
import org.medveil.site.config.SiteConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "site", mixinStandardHelpOptions = true,
        description = "Run a hospital's site node.", subcommands = {SiteCommand.Serve.class, SiteCommand.Init.class,
        // operator commands, through the site's admin API (SiteAdminCommands)
        SiteAdminCommands.Status.class, SiteAdminCommands.Objects.class, SiteAdminCommands.Consent.class,
        SiteAdminCommands.Labels.class, SiteAdminCommands.Requests.class, SiteAdminCommands.Approve.class,
        SiteAdminCommands.Reject.class, SiteAdminCommands.Verify.class,
        SiteLifecycleCommands.Backup.class, SiteLifecycleCommands.Restore.class, SiteLifecycleCommands.Archive.class,
        SiteLifecycleCommands.Destroy.class})
final class SiteCommand {

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Run the site node. With --config site.yaml: take images in from the inbox folder and the"
                    + " C-STORE SCP, check consent and the ingest profile, de-identify, store encrypted, keep the"
                    + " audit trail, serve the local admin API (the 'site ...' operator commands), run scheduled"
                    + " backups and archiving.",
                    "In any case: dial out to the coordinator (no inbound port), keep a session with heartbeats,"
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
        @Option(names = "--config", paramLabel = "FILE",
                description = {"This site's site.yaml (from 'medveil site init'): also run the inbox watcher, the"
                        + " C-STORE SCP and the encrypted store. Without it only the coordinator link runs.",
                        "Stops with exit code 3 and one line when the keystore or store cannot be opened."})
        Path config;
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
            AutoCloseable daemon;
            java.util.concurrent.CompletableFuture<String> stop;
            try {
                if (config != null) {
                    SiteNode node = SiteNode.start(SiteConfig.load(config), k, settings);
                    daemon = node;
                    stop = node.fatal();
                } else {
                    FederationClient client = FederationClient.start(k, settings);
                    daemon = client;
                    stop = client.fatal();
                }
            } catch (KitRefusedException | SiteNodeException e) {
                spec.commandLine().getErr().println("medveil: error: " + e.getMessage());
                return EXIT_GAVE_UP;
            }
            String fatal = Daemons.runUntilStopped(daemon, stop);
            if (fatal != null) {
                spec.commandLine().getErr().println("medveil: error: " + fatal);
                return EXIT_GAVE_UP;
            }
            return 0;
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Create a new site folder: a commented site.yaml, the keystore with a generated"
                    + " password in a 0600 file that site.yaml names (file:), a random project key, and the"
                    + " inbox, data and key folders. Refuses a folder that is not empty.",
                    "Then edit site.yaml and run 'medveil site serve --kit KIT --config DIR/site.yaml'."})
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--kit", required = true, paramLabel = "DIR", description = "This site's startup kit.")
        Path kit;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "The new site folder.")
        Path out;
        @Option(names = "--port", defaultValue = "11112", paramLabel = "PORT",
                description = "Port of the C-STORE SCP (default: ${DEFAULT-VALUE}).")
        int port;
        @Option(names = "--cipher", defaultValue = "aes-256-gcm", paramLabel = "SUITE",
                description = "Object encryption: aes-256-gcm (default) or sm4-gcm (the national suite, GB/T 32907)."
                        + " Fixed for the life of the site: the keystore's master key is made for it.")
        String cipher;

        @Override
        public Integer call() {
            org.medveil.governance.crypto.CipherSuite suite;
            try {
                suite = org.medveil.governance.crypto.CipherSuite.fromName(cipher);
            } catch (IllegalArgumentException e) {
                throw new CliException("--cipher must be aes-256-gcm or sm4-gcm, got '" + cipher + "'");
            }
            Kit k = Kit.load(kit);
            if (k.identity().kind() != org.medveil.governance.pki.Kind.SITE) {
                throw new CliException(kit + " is a " + k.identity().kind().name().toLowerCase(java.util.Locale.ROOT)
                        + " kit; 'site init' needs a site's kit (provision add-site)");
            }
            SiteInit.Result r = SiteInit.create(out, k.identity().name(), port, suite);
            var o = spec.commandLine().getOut();
            o.println("created site " + k.identity().name() + " in " + r.dir());
            o.println("  config:   " + r.config());
            o.println("  keystore: " + r.keystore() + " (password in " + r.passwordFile() + ", mode 0600)");
            o.println("next steps:");
            o.println("  1. edit " + r.config() + " (inbox, scp port and allowed senders, ingest profile)");
            o.println("  2. replace " + r.projectKey() + " with the project's key if the project shares one");
            o.println("  3. back up " + r.keyFolder() + " separately from the data (without it the store is unreadable)");
            o.println("  4. medveil site serve --kit " + kit + " --config " + r.config());
            return 0;
        }
    }
}
