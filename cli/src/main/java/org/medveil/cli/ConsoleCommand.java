package org.medveil.cli;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import org.medveil.governance.pki.KitConfig;
import org.medveil.proto.admin.AdminGrpc;
import org.medveil.proto.admin.OpenConsoleRequest;
import org.medveil.proto.admin.OpenConsoleResponse;
import picocli.CommandLine.Command;

@Command(name = "console", mixinStandardHelpOptions = true,
        description = "The coordinator's web console.", subcommands = ConsoleCommand.Open.class)
final class ConsoleCommand {

    @Command(name = "open", mixinStandardHelpOptions = true,
            description = {"Print a one-time sign-in link to the coordinator's web console.",
                    "Your kit's certificate proves who you are (mutual TLS to the admin API); the link works once,",
                    "within a minute, and gives a browser session with your role's view."})
    static final class Open extends JobCommand.Remote {

        @Override
        public void run() {
            OpenConsoleResponse r = call(ch -> AdminGrpc.newBlockingStub(ch).withDeadlineAfter(15, TimeUnit.SECONDS)
                    .openConsole(OpenConsoleRequest.getDefaultInstance()));
            out().println(r.getUrl());
            out().println("(works once, until " + DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC)
                    .format(Instant.ofEpochSecond(r.getExpires().getSeconds())) + "; the console's certificate is"
                    + " issued by your project's CA, " + kit.resolve(KitConfig.CA) + ": import it into the browser"
                    + " or confirm the warning)");
        }
    }
}
