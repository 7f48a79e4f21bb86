package org.medveil.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kit;
import org.medveil.proto.admin.AdminGrpc;
import org.medveil.proto.admin.OpenConsoleRequest;
import org.medveil.proto.admin.OpenConsoleResponse;
import org.medveil.site.CoordinatorChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "console", mixinStandardHelpOptions = true,
        description = "The coordinator's web console.", subcommands = ConsoleCommand.Open.class)
final class ConsoleCommand {

    @Command(name = "open", mixinStandardHelpOptions = true,
            description = {"Print a one-time sign-in link to the coordinator's web console.",
                    "Your kit's certificate proves who you are (mutual TLS to the admin API); the link works once,",
                    "within a minute, and gives a browser session with your role's view."})
    static final class Open extends OutputCommand {
        @Option(names = "--kit", required = true, paramLabel = "DIR", description = "Your user kit.")
        Path kit;
        @Option(names = "--coordinator", paramLabel = "HOST:PORT", description = "Dial this address instead of the kit's.")
        String coordinator;

        @Override
        public void run() {
            Kit k = Kit.load(kit);
            HostNames.HostPort target = coordinator != null ? HostNames.parse(coordinator) : k.coordinatorAddress();
            CoordinatorChannel channels = CoordinatorChannel.forKit(k, target);
            ManagedChannel channel = channels.open();
            try {
                OpenConsoleResponse r = AdminGrpc.newBlockingStub(channel).withDeadlineAfter(15, TimeUnit.SECONDS)
                        .openConsole(OpenConsoleRequest.getDefaultInstance());
                out().println(r.getUrl());
                out().println("(works once, until " + DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC)
                        .format(Instant.ofEpochSecond(r.getExpires().getSeconds())) + "; the console's certificate is"
                        + " issued by your project's CA, " + k.dir().resolve(org.medveil.governance.pki.KitConfig.CA) + ": import it into the browser"
                        + " or confirm the warning)");
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
                    throw new CliException(e.getStatus().getDescription());
                }
                throw new CliException(channels.explain(e).line());
            } finally {
                channel.shutdownNow();
            }
        }
    }
}
